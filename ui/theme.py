"""The page's look: Gradio theme, CSS for the classes `ui.format` emits, and the citation-click script."""

from __future__ import annotations

import gradio as gr


def theme() -> gr.themes.Base:
    """Indigo accents on slate, system fonts (so the page loads nothing from the internet)."""
    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="sky",
        neutral_hue="slate",
        font=("ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
        font_mono=("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"),
    )


CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
footer { display: none !important; }

/* header */
#rag-header { align-items: center; gap: 12px; padding: 4px 2px 2px; }
#rag-title h1 { font-size: 1.45rem; margin: 0; font-weight: 700; letter-spacing: -0.01em; }
#rag-title p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: 0.92rem; }
.rag-status { display: flex; flex-wrap: wrap; gap: 6px; justify-content: flex-end; }
.rag-pill { display: inline-flex; align-items: center; gap: 6px; padding: 3px 10px; border-radius: 999px;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  font-size: 0.8rem; color: var(--body-text-color); white-space: nowrap; }
.rag-dot { width: 8px; height: 8px; border-radius: 50%; background: #94a3b8; display: inline-block; }
.rag-ok .rag-dot { background: #16a34a; box-shadow: 0 0 0 3px rgba(22,163,74,.15); }
.rag-down { border-color: #fca5a5; background: #fef2f2; color: #991b1b; }
.rag-down .rag-dot { background: #dc2626; }

/* chat */
#rag-chat { border-radius: 12px; }
#rag-chat .message-content { font-size: 0.97rem; line-height: 1.55; }
.rag-search { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-bottom: 2px; }
.rag-search q { font-style: italic; }
.rag-thinking { color: var(--body-text-color-subdued); font-style: italic; }
.rag-stopped { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.rag-cursor { animation: rag-blink 1s steps(2) infinite; color: var(--color-accent); }
@keyframes rag-blink { 50% { opacity: 0; } }
a.rag-cite { display: inline-block; min-width: 1.35em; padding: 0 4px; margin: 0 1px; border-radius: 6px;
  background: #e0e7ff; color: #3730a3 !important; font-size: 0.78em; font-weight: 600; line-height: 1.5;
  text-align: center; text-decoration: none !important; vertical-align: 0.12em; cursor: pointer; }
a.rag-cite:hover { background: #c7d2fe; }
.rag-unsupported { display: inline-block; padding: 0 6px; border-radius: 6px; background: #fef3c7;
  color: #92400e; font-size: 0.75em; font-weight: 600; vertical-align: 0.12em; }
.rag-unsupported-note { margin-top: 8px; padding: 6px 10px; border-radius: 8px; background: #fffbeb;
  border: 1px solid #fde68a; color: #92400e; font-size: 0.85rem; }
.rag-refusal { padding: 10px 12px; border-radius: 10px; border: 1px dashed #94a3b8; background: #f8fafc;
  color: #334155; }
.rag-refusal-head { font-weight: 600; margin-bottom: 4px; }
.rag-error { padding: 10px 12px; border-radius: 10px; border: 1px solid #fca5a5; background: #fef2f2;
  color: #7f1d1d; }
.rag-error-head { font-weight: 600; margin-bottom: 4px; }
.rag-error-hint { margin-top: 6px; font-size: 0.82rem; color: #991b1b; opacity: .85; }

/* the passages' own words under an answer */
.rag-quotes { margin-top: 8px; padding: 6px 10px; border-left: 3px solid #a5b4fc; background: #f5f7ff;
  border-radius: 0 8px 8px 0; font-size: 0.86rem; }
.rag-quotes-head { font-size: 0.72rem; text-transform: uppercase; letter-spacing: .06em; font-weight: 600;
  color: var(--body-text-color-subdued); margin-bottom: 4px; }
.rag-quotes ul { margin: 0; padding-left: 0; list-style: none; }
.rag-quotes li { margin: 3px 0; }
.rag-quotes q { font-style: italic; }
.rag-quote-file { color: var(--body-text-color-subdued); font-size: 0.78rem; margin-left: 4px; }

/* sources under an answer */
.rag-sources { margin-top: 10px; padding-top: 8px; border-top: 1px solid var(--border-color-primary); }
.rag-sources-head { font-size: 0.72rem; text-transform: uppercase; letter-spacing: .06em; font-weight: 600;
  color: var(--body-text-color-subdued); margin-bottom: 6px; }
details.rag-source { border: 1px solid var(--border-color-primary); border-radius: 8px; margin: 5px 0;
  background: var(--background-fill-primary); transition: box-shadow .3s; }
details.rag-source > summary { display: flex; align-items: center; gap: 8px; padding: 6px 10px;
  cursor: pointer; list-style: none; font-size: 0.86rem; }
details.rag-source > summary::-webkit-details-marker { display: none; }
details.rag-source > summary::after { content: "▸"; margin-left: 4px; color: var(--body-text-color-subdued); }
details.rag-source[open] > summary::after { content: "▾"; }
.rag-src-n { flex: none; display: inline-flex; align-items: center; justify-content: center;
  width: 1.5em; height: 1.5em; border-radius: 6px; background: #e0e7ff; color: #3730a3; font-weight: 700;
  font-size: 0.8em; }
.rag-src-file { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rag-src-title { color: var(--body-text-color-subdued); overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.rag-src-score { margin-left: auto; flex: none; font-size: 0.75rem; color: var(--body-text-color-subdued);
  font-variant-numeric: tabular-nums; }
.rag-passage { padding: 8px 12px 10px; border-top: 1px solid var(--border-color-primary); font-size: 0.86rem;
  line-height: 1.5; max-height: 260px; overflow-y: auto; color: var(--body-text-color); }
.rag-passage mark { background: #fef08a; color: inherit; padding: 0 1px; border-radius: 3px; }
details.rag-others { margin-top: 6px; }
details.rag-others > summary { cursor: pointer; font-size: 0.8rem; color: var(--body-text-color-subdued); }
details.rag-source.rag-flash { box-shadow: 0 0 0 3px #a5b4fc; }

/* side panel */
#rag-side .rag-side-title { font-weight: 600; font-size: 0.95rem; margin: 2px 0 0; }
#rag-side .rag-side-help { font-size: 0.8rem; color: var(--body-text-color-subdued); margin: 0; }
#rag-upload-report { font-size: 0.85rem; }
#rag-upload-report code { font-size: 0.82rem; }
"""

JS = """
() => {
  // A click on a citation [n] opens source n of the same answer and scrolls to it.
  document.addEventListener("click", (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest("a.rag-cite") : null;
    if (!link) return;
    ev.preventDefault();
    ev.stopPropagation();
    const id = (link.getAttribute("href") || "").replace(/^#/, "");
    const target = id ? document.getElementById(id) : null;
    if (!target) return;
    let node = target.parentElement;
    while (node) { if (node.tagName === "DETAILS") node.open = true; node = node.parentElement; }
    target.open = true;
    target.scrollIntoView({ behavior: "smooth", block: "nearest" });
    target.classList.add("rag-flash");
    setTimeout(() => target.classList.remove("rag-flash"), 1200);
  }, true);
}
"""
