"""The sign-in page: the product's name, plain English, and nothing the app itself serves.

The gate shows it at ``/`` to anyone not signed in. It posts the name and password to
Gradio's ``/login`` (rate-limited and audited by the gate) and reloads into the app.
"""

from __future__ import annotations

import html

from .theme import BUTTON, BUTTON_HOVER, BUTTON_SHADOW, ERROR, FOCUS, LINK, TEXT, WHITE

MESSAGES = {
    "wrong": "That user name and password do not match an account. Check them and try again.",
    "limited": "Too many sign-in attempts from this computer. Wait a minute, then try again.",
    "empty": "Enter your user name and password.",
    "down": "Signing in is not possible just now. Try again in a moment, or ask your administrator.",
}


def page(product: str, notice: str | None = None, token: str = "") -> bytes:
    """The sign-in page as HTML (``notice``: a line shown above the form, e.g. for a local demo; ``token``:
    the form's sign-in token, which the gate also sets as a cookie and checks on ``/login``).

    Laid out as a GOV.UK form: plain type, black-edged fields, a green button, the yellow focus state,
    and an error summary ("There is a problem") that takes the focus and links to the field to fix."""
    e = html.escape
    banner = f'<div class="notice"><p>{e(notice)}</p></div>' if notice else ""
    messages = "".join(f' data-{key}="{e(text, quote=True)}"' for key, text in MESSAGES.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · {e(product)}</title>
<style>
* {{ box-sizing: border-box; }}
body {{ font-family: Arial, Helvetica, sans-serif; font-size: 1.1875rem; line-height: 1.32; background: {WHITE};
       color: {TEXT}; margin: 0; border-top: 10px solid {LINK}; }}
main {{ margin: 0 auto; max-width: 40rem; padding: 24px 16px 40px; }}
h1 {{ font-size: 2rem; line-height: 1.1; margin: 0 0 12px; word-break: normal; overflow-wrap: normal; }}
p.lead {{ margin: 0 0 24px; }}
label {{ display: block; font-weight: 700; margin: 20px 0 6px; }}
input {{ width: 100%; max-width: 22rem; padding: 6px 8px; font: inherit; border: 2px solid {TEXT}; border-radius: 0;
        background: {WHITE}; color: {TEXT}; }}
input[aria-invalid=true] {{ border-color: {ERROR}; }}
input:focus {{ outline: 3px solid {FOCUS}; outline-offset: 0; box-shadow: inset 0 0 0 2px {TEXT}; }}
button {{ margin-top: 28px; padding: 8px 12px 7px; font: inherit; font-weight: 400; color: {WHITE};
         background: {BUTTON}; border: 2px solid transparent; border-radius: 0; box-shadow: 0 2px 0 {BUTTON_SHADOW};
         cursor: pointer; }}
button:hover {{ background: {BUTTON_HOVER}; }}
button:focus-visible {{ outline: 3px solid transparent; background: {FOCUS}; color: {TEXT};
                        box-shadow: 0 2px 0 {TEXT}; }}
button[disabled] {{ opacity: 0.6; cursor: wait; }}
.error-summary {{ border: 5px solid {ERROR}; padding: 16px 20px; margin: 0 0 24px; }}
.error-summary:focus {{ outline: 3px solid {FOCUS}; outline-offset: 0; }}
.error-summary h2 {{ font-size: 1.5rem; margin: 0 0 12px; }}
.error-summary ul {{ margin: 0; padding: 0; list-style: none; }}
.error-summary a {{ color: {ERROR}; font-weight: 700; }}
.error-summary a:focus {{ outline: 3px solid transparent; background: {FOCUS}; color: {TEXT};
                          box-shadow: 0 -2px {FOCUS}, 0 4px {TEXT}; text-decoration: none; }}
.notice {{ border-left: 10px solid {LINK}; padding: 4px 0 4px 14px; margin: 0 0 20px; }}
.notice p {{ margin: 0; }}
</style></head>
<body>
<main>
<div class="error-summary" id="error-summary" role="alert" aria-labelledby="error-title" tabindex="-1" hidden>
<h2 id="error-title">There is a problem</h2>
<ul><li><a href="#username" id="message"></a></li></ul>
</div>
<h1>{e(product)}</h1>
<p class="lead">Cited answers from Police and Crime Commissioner reports. Sign in with your account.</p>
{banner}
<form id="signin" novalidate{messages}>
<input type="hidden" name="signin_token" value="{e(token, quote=True)}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" spellcheck="false" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<div><button type="submit">Sign in</button></div>
</form>
</main>
<script>
const form = document.getElementById("signin"), summary = document.getElementById("error-summary");
const message = document.getElementById("message"), fields = [form.username, form.password];
// The error summary: one message, linked to the field to fix, which the link focuses.
const problem = (text, field) => {{
  message.textContent = text; message.setAttribute("href", "#" + field.id);
  fields.forEach((f) => f.toggleAttribute("aria-invalid", false));
  (field === form.username && text === form.dataset.wrong ? fields : [field]).forEach((f) => f.setAttribute("aria-invalid", "true"));
  summary.hidden = false; summary.focus();
}};
message.addEventListener("click", (event) => {{
  event.preventDefault(); document.getElementById(message.getAttribute("href").slice(1)).focus();
}});
form.addEventListener("submit", async (event) => {{
  event.preventDefault();
  const data = new URLSearchParams(new FormData(form));
  if (!data.get("username") || !data.get("password")) {{
    problem(form.dataset.empty, data.get("username") ? form.password : form.username); return;
  }}
  const button = form.querySelector("button");
  button.disabled = true; summary.hidden = true;
  try {{
    const response = await fetch("/login", {{ method: "POST", body: data, credentials: "same-origin" }});
    if (response.ok) {{ window.location.reload(); return; }}
    problem(response.status === 429 ? form.dataset.limited
      : (response.status === 400 || response.status === 401) ? form.dataset.wrong : form.dataset.down, form.username);
  }} catch (error) {{ problem(form.dataset.down, form.username); }}
  button.disabled = false;
}});
</script>
</body></html>""".encode()
