"""A reply letter as an A4 PDF: the plain-text letter typeset, nothing added or left out.

The text is escaped into one `<pre>`-like block so the PDF says exactly what the text letter
says; the CJK font stack is the report's (`make setup` installs a CJK font).
"""

from __future__ import annotations

from html import escape

from creditmend.adapters.render.pdf import render_pdf

_PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A4; margin: 22mm 20mm; }}
body {{ font-family: "Helvetica Neue", Arial, "Noto Sans CJK SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", sans-serif; font-size: 11pt; line-height: 1.5; color: #1b2733; }}
h1 {{ font-size: 14pt; margin: 0 0 12pt; }}
.letter {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
</style></head><body><h1>{title}</h1><div class="letter">{body}</div></body></html>
"""


def letter_pdf(text: str) -> bytes:
    title, _, body = text.partition("\n")
    return render_pdf(_PAGE.format(title=escape(title), body=escape(body.lstrip("\n"))))
