"""The sign-in page: the product's name, plain English, and nothing the app itself serves.

The gate shows it at ``/`` to anyone not signed in. It posts the name and password to
Gradio's ``/login`` (rate-limited and audited by the gate) and reloads into the app.
"""

from __future__ import annotations

import html

MESSAGES = {
    "wrong": "That user name and password do not match an account. Check them and try again.",
    "limited": "Too many sign-in attempts from this computer. Wait a minute, then try again.",
    "empty": "Enter your user name and password.",
    "down": "Signing in is not possible just now. Try again in a moment, or ask your administrator.",
}


def page(product: str, notice: str | None = None, token: str = "") -> bytes:
    """The sign-in page as HTML (``notice``: a line shown above the form, e.g. for a local demo; ``token``:
    the form's sign-in token, which the gate also sets as a cookie and checks on ``/login``)."""
    e = html.escape
    banner = f'<p class="notice">{e(notice)}</p>' if notice else ""
    messages = "".join(f' data-{key}="{e(text, quote=True)}"' for key, text in MESSAGES.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · {e(product)}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1b1f24;
       display: flex; align-items: center; justify-content: center; min-height: 100vh; margin: 0; }}
main {{ background: #fff; border: 1px solid #d8dee4; border-radius: 10px; padding: 32px 36px; width: 340px; }}
h1 {{ font-size: 1.35rem; margin: 0 0 4px; }}
p.lead {{ color: #57606a; margin: 0 0 22px; font-size: 0.95rem; }}
label {{ display: block; font-weight: 600; margin: 14px 0 6px; }}
input {{ width: 100%; box-sizing: border-box; padding: 9px 10px; font-size: 1rem; border: 1px solid #afb8c1;
        border-radius: 6px; }}
button {{ margin-top: 22px; width: 100%; padding: 10px; font-size: 1rem; font-weight: 600; color: #fff;
         background: #1f5fa8; border: 0; border-radius: 6px; cursor: pointer; }}
button[disabled] {{ opacity: 0.6; cursor: wait; }}
#message {{ min-height: 1.4em; margin: 14px 0 0; color: #b42318; }}
.notice {{ background: #fff3cd; color: #664d03; border-radius: 6px; padding: 8px 10px; font-size: 0.9rem; }}
</style></head>
<body><main>
<h1>{e(product)}</h1>
<p class="lead">Cited answers from Police and Crime Commissioner reports. Sign in with your account.</p>
{banner}
<form id="signin"{messages}>
<input type="hidden" name="signin_token" value="{e(token, quote=True)}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
<p id="message" role="alert"></p>
</form>
</main>
<script>
const form = document.getElementById("signin"), message = document.getElementById("message");
form.addEventListener("submit", async (event) => {{
  event.preventDefault();
  const data = new URLSearchParams(new FormData(form));
  if (!data.get("username") || !data.get("password")) {{ message.textContent = form.dataset.empty; return; }}
  const button = form.querySelector("button");
  button.disabled = true; message.textContent = "";
  try {{
    const response = await fetch("/login", {{ method: "POST", body: data, credentials: "same-origin" }});
    if (response.ok) {{ window.location.reload(); return; }}
    message.textContent = response.status === 429 ? form.dataset.limited
      : (response.status === 400 || response.status === 401) ? form.dataset.wrong : form.dataset.down;
  }} catch (error) {{ message.textContent = form.dataset.down; }}
  button.disabled = false;
}});
</script>
</body></html>""".encode()
