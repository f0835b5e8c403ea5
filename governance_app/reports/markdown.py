"""Markdown (model card bodies, written card text) as reportlab platypus flowables.

A card's markdown is parsed with markdown-it-py (CommonMark plus tables and strikethrough) and
laid out in the report's own styles (``reports.document``), so nothing of the syntax reaches
the page: links print as "text (url)", images as "[image: alt]" (a sealed report does not fetch
what a card points to), and raw HTML is reduced to its text. Headings start one level below the
section that holds them (``top_level``), so a card's "# Title" never outranks the report's own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Preformatted

from governance_app.reports.document import FONT_BOLD, FONT_MONO, data_table, spacer, styles, text

INDENT = 14.0
"""Points each list level or quote moves its content right."""
MONO_CHAR_WIDTH = 0.6
"""DejaVu Sans Mono's advance width as a fraction of its size (for wrapping code)."""
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_IMG_ALT = re.compile(r"<img\b[^>]*?\balt\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)[^>]*>", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@cache
def _style(kind: str, indent: float) -> ParagraphStyle:
    """The report's styles, indented for lists and quotes (cached per kind and indent)."""
    st = styles()
    base = {"body": st.body, "h1": st.h2, "quote": st.body}.get(kind, st.body)
    if kind == "h2":
        return ParagraphStyle(f"md-h2-{indent}", parent=st.body, fontName=FONT_BOLD,
                              fontSize=10, leading=13, spaceBefore=6, spaceAfter=3,
                              leftIndent=indent, keepWithNext=1)
    if kind == "h3":
        return ParagraphStyle(f"md-h3-{indent}", parent=st.body, fontName=FONT_BOLD,
                              spaceBefore=4, spaceAfter=2, leftIndent=indent,
                              keepWithNext=1)
    if kind == "code":
        return ParagraphStyle(f"md-code-{indent}", parent=st.mono, fontName=FONT_MONO,
                              fontSize=7.5, leading=9.5, leftIndent=indent + 4, rightIndent=4,
                              backColor=colors.HexColor("#F3F5F7"), borderPadding=(3, 4, 3, 4),
                              spaceBefore=3, spaceAfter=6)
    if kind == "quote":
        return ParagraphStyle(f"md-quote-{indent}", parent=base, leftIndent=indent,
                              textColor=colors.HexColor("#444444"), borderColor=colors.HexColor(
                                  "#B8B8B8"), borderWidth=0, borderPadding=0)
    if kind == "item":
        return ParagraphStyle(f"md-item-{indent}", parent=st.body, leftIndent=indent,
                              bulletIndent=indent - INDENT + 2, spaceAfter=2)
    return ParagraphStyle(f"md-{kind}-{indent}", parent=base, leftIndent=indent,
                          keepWithNext=1 if kind == "h1" else 0)


def markdown_flowables(source: str, frame: float, *, top_level: int = 2) -> list[Flowable]:
    """The flowables of ``source`` laid out for a frame ``frame`` points wide.

    Args:
        top_level: the report heading level a markdown ``#`` becomes (1 = the report's h2,
            2 = a smaller bold heading); deeper markdown headings are bold body text.
    """
    tree = SyntaxTreeNode(_parser().parse(source or ""))
    return list(_blocks(tree.children, frame, 0.0, top_level, quote=False))


def plain_text(source: str) -> str:
    """``source`` as one line of plain text (table headers, tooltips): no markup at all."""
    tree = SyntaxTreeNode(_parser().parse(source or ""))
    parts = [_inline(n, markup=False) for n in tree.walk() if n.type == "inline"]
    return " ".join(p for p in parts if p)


def _blocks(nodes: Iterable[SyntaxTreeNode], frame: float, indent: float, top: int, *,
            quote: bool) -> Iterable[Flowable]:
    for node in nodes:
        yield from _block(node, frame, indent, top, quote=quote)


def _block(node: SyntaxTreeNode, frame: float, indent: float, top: int, *,
           quote: bool) -> Iterable[Flowable]:
    kind = node.type
    if kind == "heading":
        level = int(node.tag[1]) + top - 1
        style = "h1" if level <= 1 else "h2" if level == 2 else "h3"
        yield Paragraph(_inline(node.children[0]), _style(style, indent))
    elif kind == "paragraph":
        content = _inline(node.children[0])
        if content.strip():
            yield Paragraph(content, _style("quote" if quote else "body", indent))
    elif kind in ("bullet_list", "ordered_list"):
        yield from _list(node, frame, indent, top, quote=quote)
    elif kind in ("fence", "code_block"):
        yield _code(node.content, frame, indent)
    elif kind == "blockquote":
        yield from _blocks(node.children, frame, indent + INDENT, top, quote=True)
    elif kind == "table":
        yield from _table(node, frame - indent)
    elif kind == "hr":
        yield spacer(2)
    elif kind == "html_block":
        content = _html_text(node.content)
        if content.strip():
            yield Paragraph(content, _style("quote" if quote else "body", indent))


def _list(node: SyntaxTreeNode, frame: float, indent: float, top: int, *,
          quote: bool) -> Iterable[Flowable]:
    ordered = node.type == "ordered_list"
    start = int(node.attrs.get("start", 1)) if ordered else 1
    inner = indent + INDENT
    for number, item in enumerate(node.children, start=start):
        bullet = f"{number}." if ordered else ("•" if indent < INDENT else "◦")
        first = True
        for child in item.children:
            if first and child.type == "paragraph":
                yield Paragraph(_inline(child.children[0]), _style("item", inner),
                                bulletText=bullet)
            else:
                if first:  # an item that starts with a list or code: the bullet on its own
                    yield Paragraph("", _style("item", inner), bulletText=bullet)
                yield from _block(child, frame, inner, top, quote=quote)
            first = False
        if first:
            yield Paragraph("", _style("item", inner), bulletText=bullet)


def _code(content: str, frame: float, indent: float) -> Flowable:
    style = _style("code", indent)
    width = frame - style.leftIndent - style.rightIndent - 8
    per_line = max(20, int(width / (style.fontSize * MONO_CHAR_WIDTH)))
    # Preformatted keeps spaces and line breaks and cuts longer lines (marked with ↪).
    return Preformatted(content.rstrip("\n").expandtabs(4), style, maxLineLength=per_line,
                        newLineChars="↪ ")


def _table(node: SyntaxTreeNode, frame: float) -> Iterable[Flowable]:
    rows: list[list[SyntaxTreeNode]] = []
    for section in node.children:  # thead, tbody
        rows.extend([cell for cell in tr.children] for tr in section.children)
    if not rows:
        return
    columns = max(len(r) for r in rows)
    header = [_inline(c.children[0], markup=False) if c.children else "" for c in rows[0]]
    header += [""] * (columns - len(header))
    body = [[_inline(c.children[0]) if c.children else "" for c in r] + [""] * (columns - len(r))
            for r in rows[1:]]
    right = [i for i, c in enumerate(rows[0]) if "right" in str(c.attrs.get("style", ""))]
    sizes = [max([len(header[i])] + [len(_TAG.sub("", r[i])) for r in body]) for i in
             range(columns)]
    weights = [min(max(s, 4), 60) ** 0.8 for s in sizes]
    widths = [w / sum(weights) for w in weights]
    yield data_table(header, body, widths, frame, right=right, markup=True)
    yield spacer(2)


def _inline(node: SyntaxTreeNode, *, markup: bool = True) -> str:
    """An inline node's children as platypus paragraph markup (or plain text)."""
    return "".join(_span(child, markup) for child in node.children)


def _span(node: SyntaxTreeNode, markup: bool) -> str:
    kind = node.type
    inner = "".join(_span(c, markup) for c in node.children) if node.children else ""
    if kind == "text":
        return text(node.content) if markup else node.content
    if kind == "softbreak":
        return " "
    if kind == "hardbreak":
        return "<br/>" if markup else " "
    if kind == "code_inline":
        content = text(node.content) if markup else node.content
        return f'<font name="{FONT_MONO}" size="8.5">{content}</font>' if markup else content
    wraps = {"strong": "b", "em": "i", "s": "strike"}
    if kind in wraps:
        return f"<{wraps[kind]}>{inner}</{wraps[kind]}>" if markup else inner
    if kind == "link":
        href = str(node.attrs.get("href", ""))
        label = _TAG.sub("", inner)
        if not href or html.unescape(label).strip() == href:
            return inner if inner else (text(href) if markup else href)
        return f"{inner} ({text(href) if markup else href})"
    if kind == "image":
        alt = "".join(_span(c, False) for c in node.children).strip() or "no description"
        shown = f"[image: {alt}]"
        return f"<i>{text(shown)}</i>" if markup else shown
    if kind == "html_inline":
        return _html_text(node.content, markup=markup, inline=True)
    return inner


def _html_text(raw: str, *, markup: bool = True, inline: bool = False) -> str:
    """Raw HTML reduced to its text: comments dropped, ``<img alt>`` as "[image: alt]",
    ``<br>`` kept as a break, every other tag stripped, entities decoded and re-escaped."""
    content = _COMMENT.sub("", raw)
    content = _IMG_ALT.sub(lambda m: f"[image: {m.group(1).strip(chr(34) + chr(39))}]", content)
    content = _BR.sub("\n", content)
    content = html.unescape(_TAG.sub("", content))
    if inline:
        return text(content).replace("\n", "<br/>") if markup else content.replace("\n", " ")
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    joined = "\n".join(lines)
    return text(joined).replace("\n", "<br/>") if markup else joined.replace("\n", " ")
