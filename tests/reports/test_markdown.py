"""Markdown into platypus: laid out in a real PDF and read back, no markup reaches the page."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import LongTable, Paragraph, Preformatted

from governance_app.reports.document import Footer, build_pdf
from governance_app.reports.markdown import markdown_flowables, plain_text

RAW_MARKUP = ("**", "##", "|---", "<div", "](http", "<b>", "<!--", "&lt;", "&amp;")

SAMPLE = """# Title of the card

Some **bold**, *italic*, ~~struck~~ and `inline code` text with a
[link](https://example.org/page) and ![a chart](chart.png) and <b>html</b> & more.

- first
  - nested *one*
  - nested two
- second

3. three
4. four

> quoted **words**

| Name | Value |
|:-----|------:|
| a    | 0.25  |
| b    | 0.5   |

```python
def f(x):
    return "a very long line that goes on and on, far past the right margin of the page frame"
```

<div align="center">centred <img src="x.png" alt="logo"> text</div>
<!-- a comment nobody should see -->
"""


def _pdf_text(story) -> str:
    buffer = io.BytesIO()
    build_pdf(buffer, lambda frame: story(frame), size=A4,
              footer=Footer("left", "right", "second"), metadata={"title": "t"})
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_sample_renders_every_element_without_markup() -> None:
    text = _pdf_text(lambda frame: markdown_flowables(SAMPLE, frame))
    for expected in ("Title of the card", "bold", "italic", "inline code",
                     "link (https://example.org/page)", "[image: a chart]", "html & more",
                     "nested one", "3.", "4. four", "quoted words", "0.25", "def f(x):",
                     "centred [image: logo] text"):
        assert expected in text, expected
    for raw in RAW_MARKUP:
        assert raw not in text, raw
    assert "a comment nobody should see" not in text


def test_flowable_kinds() -> None:
    flowables = markdown_flowables(SAMPLE, 450)
    kinds = {type(f) for f in flowables}
    assert {Paragraph, LongTable, Preformatted} <= kinds
    nested = [f for f in flowables if isinstance(f, Paragraph) and "nested" in f.text]
    first = next(f for f in flowables if isinstance(f, Paragraph) and f.text == "first")
    assert nested[0].style.leftIndent > first.style.leftIndent


def test_long_code_lines_wrap_inside_the_frame() -> None:
    code = next(f for f in markdown_flowables(SAMPLE, 300) if isinstance(f, Preformatted))
    width, _ = code.wrap(300, 1000)
    assert width <= 300
    assert len(code.lines) == 3 and code.lines[2].startswith("↪")  # the long line was cut


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    rows = "\n".join(f"| row {i} | {i / 7:.4f} |" for i in range(220))
    text = _pdf_text(lambda frame: markdown_flowables(f"| Key | Score |\n|---|---:|\n{rows}",
                                                      frame))
    assert text.count("Key Score") >= 3
    assert "row 219" in text


def test_plain_text_has_no_markup() -> None:
    assert plain_text("**a** [b](http://c) `d`") == "a b (http://c) d"


def test_escaping_keeps_angle_brackets_and_ampersands_as_text() -> None:
    text = _pdf_text(lambda frame: markdown_flowables("x < y & z > w; `a<b>`", frame))
    assert "x < y & z > w; a<b>" in text
