"""How the app looks: a theme after the GOV.UK Design System's conventions (plain Arial type, black
text, green action buttons, a yellow-and-black focus state, square corners), the CSS Gradio's
components need for WCAG 2.2 AA (contrast, visible focus, reflow at 320 px) and the page's scripts.

Colours come from the GOV.UK palette; every pair of text and background used meets 4.5:1. The same
values serve the light and dark modes: a browser asking for dark gets the same legible page.
"""

from __future__ import annotations

import gradio as gr

# The GOV.UK palette (https://design-system.service.gov.uk/styles/colour/).
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
LINK = "#1d70b8"
LINK_HOVER = "#003078"
LINK_VISITED = "#4c2c92"
FOCUS = "#ffdd00"
BUTTON = "#00703c"
BUTTON_HOVER = "#005a30"
BUTTON_SHADOW = "#002d18"
SECONDARY = "#f3f2f1"
SECONDARY_HOVER = "#dbdad9"
SECONDARY_SHADOW = "#929191"
WARNING = "#d4351c"
WARNING_HOVER = "#aa2a16"
WARNING_SHADOW = "#55150b"
ERROR = "#d4351c"
BORDER = "#b1b4b6"
INPUT_BORDER = "#0b0c0c"
LIGHT_GREY = "#f3f2f1"
WHITE = "#ffffff"

_BLUE = gr.themes.Color(
    c50="#e8f1f8",
    c100="#d2e2f1",
    c200="#a5c6e3",
    c300="#77a9d4",
    c400="#4a8dc6",
    c500=LINK,
    c600="#1a65a6",
    c700="#145187",
    c800=LINK_HOVER,
    c900="#002454",
    c950="#001a3d",
    name="govuk-blue",
)
_GREY = gr.themes.Color(
    c50="#f8f8f8",
    c100=LIGHT_GREY,
    c200="#dbdad9",
    c300=BORDER,
    c400="#8e9194",
    c500="#6f777b",
    c600=SECONDARY_TEXT,
    c700="#383f43",
    c800="#272c2f",
    c900=TEXT,
    c950="#050606",
    name="govuk-grey",
)


def _theme() -> gr.themes.Base:
    theme = gr.themes.Base(
        primary_hue=_BLUE,
        secondary_hue=_BLUE,
        neutral_hue=_GREY,
        text_size=gr.themes.sizes.text_lg,  # 16 px body text
        radius_size=gr.themes.sizes.radius_none,
        font=["Arial", "Helvetica", "sans-serif"],  # system fonts only: nothing fetched from outside
        font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        body_background_fill=WHITE,
        body_text_color=TEXT,
        body_text_color_subdued=SECONDARY_TEXT,
        background_fill_primary=WHITE,
        background_fill_secondary=LIGHT_GREY,
        border_color_primary=BORDER,
        border_color_accent=LINK,
        color_accent=LINK,
        color_accent_soft="#d2e2f1",
        link_text_color=LINK,
        link_text_color_hover=LINK_HOVER,
        link_text_color_active=TEXT,
        link_text_color_visited=LINK_VISITED,
        block_label_text_color=TEXT,
        block_label_text_weight="700",
        block_title_text_color=TEXT,
        block_title_text_weight="700",
        block_info_text_color=SECONDARY_TEXT,
        block_label_background_fill=WHITE,
        block_border_color=BORDER,
        input_border_color=INPUT_BORDER,
        input_border_color_focus=INPUT_BORDER,
        input_border_width="2px",
        input_placeholder_color=SECONDARY_TEXT,
        input_background_fill=WHITE,
        checkbox_border_color=INPUT_BORDER,
        checkbox_border_width="2px",
        checkbox_label_text_color=TEXT,
        checkbox_label_text_color_selected=TEXT,
        checkbox_background_color_selected=LINK,
        checkbox_border_color_selected=LINK,
        slider_color=LINK,
        loader_color=LINK,
        table_text_color=TEXT,
        table_border_color=BORDER,
        table_even_background_fill=WHITE,
        table_odd_background_fill="#f8f8f8",
        button_primary_background_fill=BUTTON,
        button_primary_background_fill_hover=BUTTON_HOVER,
        button_primary_text_color=WHITE,
        button_primary_text_color_hover=WHITE,
        button_primary_border_color=BUTTON,
        button_primary_border_color_hover=BUTTON_HOVER,
        button_primary_shadow=f"0 2px 0 {BUTTON_SHADOW}",
        button_secondary_background_fill=SECONDARY,
        button_secondary_background_fill_hover=SECONDARY_HOVER,
        button_secondary_text_color=TEXT,
        button_secondary_text_color_hover=TEXT,
        button_secondary_border_color=SECONDARY,
        button_secondary_border_color_hover=SECONDARY_HOVER,
        button_secondary_shadow=f"0 2px 0 {SECONDARY_SHADOW}",
        button_cancel_background_fill=WARNING,
        button_cancel_background_fill_hover=WARNING_HOVER,
        button_cancel_text_color=WHITE,
        button_cancel_text_color_hover=WHITE,
        button_cancel_border_color=WARNING,
        button_cancel_border_color_hover=WARNING_HOVER,
        button_cancel_shadow=f"0 2px 0 {WARNING_SHADOW}",
        error_background_fill=WHITE,
        error_border_color=ERROR,
        error_border_width="5px",
        error_text_color=TEXT,
        error_icon_color=ERROR,
    )
    # One look in both modes: each dark value is its light value.
    for name in list(vars(theme)):
        light = name.removesuffix("_dark")
        if name.endswith("_dark") and hasattr(theme, light):
            setattr(theme, name, getattr(theme, light))
    return theme


THEME = _theme()

CSS = f"""
/* Plain type, black text, square corners; links underlined as GOV.UK's are. */
.gradio-container {{ color: {TEXT}; }}
.prose a, #sources a, #foi-preview a, #foi-csv a, #audit-csv a {{ color: {LINK}; text-decoration: underline; }}
.prose a:hover, #sources a:hover {{ color: {LINK_HOVER}; }}

/* Focus: yellow with a black edge on every control, as GOV.UK's (never removed, never only a colour change). */
.gradio-container :focus-visible, .gradio-container input:focus, .gradio-container textarea:focus,
.gradio-container select:focus {{
  outline: 3px solid {FOCUS} !important; outline-offset: 0 !important; box-shadow: 0 0 0 6px {TEXT} !important;
  transition: none !important;
}}
.gradio-container button:focus-visible, .gradio-container a:focus-visible, .logout-button:focus-visible {{
  background: {FOCUS} !important; color: {TEXT} !important; box-shadow: 0 -2px {FOCUS}, 0 4px {TEXT} !important;
  outline: 3px solid transparent !important; text-decoration: none; transition: none !important;
}}

/* The masthead: the title never breaks inside a word; the name and "Log out" wrap below it on a phone. */
#masthead {{ flex-wrap: wrap; align-items: flex-start; gap: 8px 24px; border-bottom: 10px solid {LINK};
             padding-bottom: 10px; margin-bottom: 6px; }}
#app-title {{ flex: 1 1 18rem !important; min-width: 0 !important; }}
#app-title h1 {{ margin: 0 0 4px; font-size: clamp(1.5rem, 6vw, 2.25rem); line-height: 1.15; font-weight: 700;
                 word-break: normal; overflow-wrap: normal; hyphens: manual; }}
#app-title, #app-title .html-container {{ padding: 0 !important; }}
#app-title p {{ margin: 0; color: {SECONDARY_TEXT}; }}
#who {{ flex: 1 1 12rem !important; min-width: 0 !important; align-self: center; }}
#who p {{ margin: 0; }}
#logout-box, #logout-box .html-container, #logout-box .prose {{ width: auto !important; flex: 0 0 auto !important;
                                                             min-width: 0 !important; }}
#logout-box {{ align-self: center; }}
.logout-form {{ display: inline-block; margin: 0; }}
.logout-button {{ padding: 8px 14px; font: inherit; font-size: 1rem; border: 2px solid transparent; border-radius: 0;
                  background: {SECONDARY}; color: {TEXT}; box-shadow: 0 2px 0 {SECONDARY_SHADOW}; cursor: pointer; }}
.logout-button:hover {{ background: {SECONDARY_HOVER}; }}
#demo-banner .demo-banner {{ background: {WHITE}; color: {TEXT}; border: 5px solid {LINK}; padding: 10px 14px; }}
#demo-banner code {{ background: {LIGHT_GREY}; padding: 0 4px; }}

/* Fields as GOV.UK's: a black 2 px edge; the question's "Ask" is a green button like any other action. */
.gradio-container label textarea {{ border: 2px solid {INPUT_BORDER} !important; padding: 6px 8px !important; }}
.gradio-container .submit-button {{ background: {BUTTON} !important; color: {WHITE} !important; border-radius: 0 !important;
                                    box-shadow: 0 2px 0 {BUTTON_SHADOW}; padding: 4px 12px !important; }}

/* Buttons as GOV.UK's: a shadow underneath; secondary ones grey, never plain text. */
.gradio-container button.secondary {{ border: 2px solid transparent !important; }}
.gradio-container button.sm {{ font-size: 1rem; }}

/* Tabs: the selected one is bold and underlined in blue. */
.gradio-container [role=tab] {{ color: {TEXT}; font-size: 1rem; }}
.gradio-container [role=tab][aria-selected=true] {{ font-weight: 700; color: {TEXT}; border-color: {LINK}; }}

/* Reflow: nothing wider than the window; wide tables scroll inside their own box. */
.gradio-container {{ min-width: 0 !important; overflow-wrap: break-word; }}

/* Progress sits on the result it will replace, opaque, in a space of its own: never over the earlier text. */
#upload-result, #version-result, #remove-result {{ min-height: 3em; position: relative; }}
#upload-result .wrap.translucent, #version-result .wrap.translucent, #remove-result .wrap.translucent {{
  background: {WHITE} !important; }}

/* Tables keep readable columns on a phone and scroll sideways inside their own box (WCAG 1.4.10 allows it). */
#library .table-container, #foi-results .table-container, #audit-table .table-container {{ min-width: 64rem; }}
#library, #foi-results, #audit-table {{ overflow-x: auto !important; }}
/* A group of controls (the admin's) on light grey, not the mid grey of its dividing lines. */
.gradio-container .gr-group, .gradio-container .gr-group > .styler {{ background: {LIGHT_GREY} !important; }}

/* Cited sources. */
#sources .citation {{ border: 1px solid {BORDER}; border-left: 5px solid {LINK}; padding: 10px 12px; margin-bottom: 10px; }}
#sources .cite-head {{ font-weight: 700; }}
#sources .cite-where {{ color: {SECONDARY_TEXT}; font-size: 0.9em; margin: 2px 0 6px; }}
#sources blockquote {{ margin: 6px 0; padding-left: 10px; border-left: 3px solid {BORDER}; white-space: pre-wrap; }}
#sources .cite-actions {{ display: flex; flex-wrap: wrap; gap: 12px; align-items: center; font-size: 0.9em; }}
#sources .copy-citation {{ cursor: pointer; font-size: 0.9em !important; font-weight: normal !important; line-height: 1.4;
                          border: 2px solid transparent; padding: 2px 8px; color: {TEXT}; background: {SECONDARY};
                          box-shadow: 0 2px 0 {SECONDARY_SHADOW}; }}
#sources img.evidence, #foi-preview img.evidence {{ display: block; width: 100%; border: 1px solid {BORDER}; margin: 4px 0 6px; }}
#library th *, #foi-results th *, #audit-table th * {{ word-break: normal !important; overflow-wrap: normal !important;
                                                       hyphens: none !important; }}
#foi-results *, #library *, #audit-table * {{ font-family: var(--font) !important; }}
#audit-table td:nth-child(2) * {{ white-space: nowrap !important; }}
#foi-preview .citation {{ max-width: 900px; }}
#sources .citation.flash {{ animation: opcc-flash 1.6s ease-out; }}
@keyframes opcc-flash {{ from {{ box-shadow: 0 0 0 4px {FOCUS}; }} to {{ box-shadow: 0 0 0 4px transparent; }} }}
@media (prefers-reduced-motion: reduce) {{ #sources .citation.flash {{ animation: none; outline: 3px solid {FOCUS}; }} }}
#chat a[href^="#cite-"] {{ font-weight: 700; }}
mark {{ background: {FOCUS}; color: {TEXT}; padding: 0 2px; }}
"""

# Copies a citation; falls back to a hidden textarea where the clipboard API is unavailable (plain http).
HEAD = """
<script>
window.opccCopy = function (button) {
  const text = button.getAttribute("data-citation");
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy citation"; }, 1500); };
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); done(); } finally { area.remove(); }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else { fallback(); }
};
// A citation marker [n] in an answer: the click also selects the answer (its sources are shown),
// then the panel scrolls to card n and flashes it. The link itself never navigates.
window.opccShowCitation = function (n) {
  const show = () => {
    const card = document.querySelector("#sources #cite-" + n);
    if (!card) return false;
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash");
    return true;
  };
  const panel = document.getElementById("sources");
  if (!panel) return;
  const watch = new MutationObserver(() => { show(); });
  watch.observe(panel, { childList: true, subtree: true });
  setTimeout(() => watch.disconnect(), 3000);
  show();
};
// Gradio's "select all" box of a checkbox group has only a tooltip for a name: it is given the group's own.
new MutationObserver(() => {
  for (const box of document.querySelectorAll("input.select-all-checkbox:not([aria-label])")) {
    const group = box.closest(".select-all-container")?.querySelector(".label-text")?.textContent?.trim();
    box.setAttribute("aria-label", group ? `Select all: ${group}` : "Select all");
  }
}).observe(document.documentElement, { childList: true, subtree: true });
// A dropdown's list shows only while the dropdown has the focus (WCAG 2.4.11, 3.2.1). Gradio 6's single-choice
// dropdown handles a key a frame late and opens its list on every key but Escape: a key pressed as the focus
// moved on (the Tab itself, the Shift of Shift+Tab) reopened the list after blur had closed it, over the
// fields below. Keys that mean nothing to a dropdown stop before Gradio's handlers (the browser still moves
// the focus); a list still open once the focus has gone, after those late handlers, is closed as Escape does.
{
  const dropdown = ".gradio-container input[role=combobox]";
  const notForDropdowns = new Set(["Tab", "Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock"]);
  window.addEventListener("keydown", (event) => {
    if (notForDropdowns.has(event.key) && event.target.matches?.(dropdown)) event.stopPropagation();
  }, true);
  // Choosing keeps the focus on the dropdown (WCAG 2.4.3, 2.4.7): Gradio's single-choice dropdown takes it away
  // (blur) once Enter or a click has taken an option, leaving it on the page's body, shown nowhere. The dropdown a
  // choice is being made in (until the user's next key or click) gets it back, its list closed: Gradio opens
  // the list on focus, so that one focus event stops before Gradio's handler. Multi-select lists keep the focus.
  // A click on a dropdown that has the focus with its list closed opens the list, as a click that gives it the
  // focus does (Gradio opens it on focus alone): the focus leaves and comes back, through Gradio's handlers.
  let choosing = null, refocusing = null;
  window.addEventListener("keydown", (event) => {
    choosing = event.key === "Enter" && event.target.matches?.(dropdown) ? event.target : null;
  }, true);
  window.addEventListener("mousedown", (event) => {
    const list = event.target.closest?.("[role=listbox]");
    choosing = list?.id ? document.querySelector(`${dropdown}[aria-controls="${CSS.escape(list.id)}"]`) : null;
    const box = event.target;
    if (box === document.activeElement && box.matches?.(dropdown) && box.getAttribute("aria-expanded") !== "true") {
      box.blur(); box.focus();
    }
  }, true);
  window.addEventListener("focus", (event) => {
    if (event.target === refocusing) event.stopImmediatePropagation();
  }, true);
  document.addEventListener("focusout", (event) => {
    const box = event.target;
    if (box !== choosing || event.relatedTarget) return;
    choosing = null;
    refocusing = box;
    try { box.focus({ preventScroll: true }); } finally { refocusing = null; }
  });
  document.addEventListener("focusout", (event) => {
    const box = event.target;
    if (!box.matches?.(dropdown)) return;
    requestAnimationFrame(() => setTimeout(() => {
      if (document.activeElement !== box && box.getAttribute("aria-expanded") === "true") {
        box.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
      }
    }, 50));
  });
}
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('#chat a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  window.opccShowCitation(link.getAttribute("href").slice(6));
}, true);
</script>
"""
