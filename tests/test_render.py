"""Rendering: one Markdown dialect, read the same way in every output."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from typing import Any

import pytest

from generator import convert, pipeline, render
from generator.loader import load_case
from tests.helpers import pdf_text

SUMMARY = (
    "Removed *all* units of **batch 7**; see [the report](https://example.com/r).\n\n"
    "- first item\n- second item\n\n"
    "# not a heading"
)


@pytest.fixture(scope="module")
def case() -> Any:
    loaded = load_case("tests/minimal-4d.yaml")
    loaded.data = copy.deepcopy(loaded.data)
    loaded.data["problems"][0]["problem"]["summary"] = SUMMARY
    return loaded


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and self._open:
            self.tags.append((self._open[-1], data.strip()))


def test_inline_markdown_means_the_same_in_html_and_pdf(case: Any) -> None:
    outputs = pipeline.render_outputs(case, [], ("md", "html", "pdf"))
    parser = _Tags()
    parser.feed(outputs["html"].decode())
    tags = parser.tags
    assert ("em", "all") in tags and ("strong", "batch 7") in tags
    assert ("a", "the report") in tags
    assert 'href="https://example.com/r"' in outputs["html"].decode()
    assert ("li", "first item") in tags and ("li", "second item") in tags
    assert ("p", "# not a heading") in tags
    typst = convert.write_texts(render.render_markdown(case.data), [], ("typst",))["typst"]
    assert "#emph[all]" in typst and "#strong[batch 7]" in typst
    assert '#link("https://example.com/r")[the report]' in typst
    assert "- first item" in typst and "\\# not a heading" in typst
    text = pdf_text(outputs["pdf"])
    assert "Removed all units of batch 7; see the report." in text
    assert "first item" in text and "# not a heading" in text
    assert "*" not in text


def test_literal_fields_keep_markdown_symbols(case: Any) -> None:
    data = copy.deepcopy(case.data)
    data["seller"]["legal_name"] = "A*B_C [GmbH] <x> | 100%"
    markdown = render.render_markdown(data)
    html = convert.write_texts(markdown, [], ("html5",))["html5"]
    assert "A*B_C [GmbH] &lt;x&gt; | 100%" in html


def test_dates_are_written_in_words() -> None:
    words = render.locale("en")["date"]
    assert render.format_date("2026-11-03", words) == "3 November 2026"


def test_a_misspelled_template_field_fails(case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    env = render.environment()
    template = env.from_string("{{ case.seller.legal_nam }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render(case=case.data, t={})


# Typst markup at the start of a line: a list, a numbered list, a term (which needs a colon), a
# heading. In a table cell they are text; at the start of a field they are Markdown, where a
# list marker makes a list (as documented) and = is escaped.
CELL_MARKERS = ["/", "+ 3 % on time", "- 2 % returns", "= 4 % target", "== x", "1. first"]
FIELD_MARKERS = ["/", "/ per day", "= 4 % target", "== x"]


def test_line_start_markers_in_cells_and_list_items_stay_text_in_the_pdf(case: Any) -> None:
    """pandoc's Typst writer leaves + - / = and 1. unescaped at the start of a table cell or a
    list item, where Typst would read them as markup (or fail on a term without a colon)."""
    data = copy.deepcopy(case.data)
    problem = data["problems"][0]
    template = problem["immediate_actions"][0]  # a table: one cell per action
    problem["immediate_actions"] = [{**template, "action": text} for text in CELL_MARKERS]
    corrective = problem["corrective_actions"][0]  # a numbered list: one item per action
    problem["corrective_actions"] = [{**corrective, "action": text} for text in FIELD_MARKERS]
    markdown = render.render_markdown(data)
    typst = convert.write_texts(markdown, [], ("typst",))["typst"]
    pdf = convert.typst_to_pdf(typst, pipeline.pdf_meta(data), data["date"], case.folder)
    text = pdf_text(pdf)
    for marker in CELL_MARKERS + FIELD_MARKERS:
        expected = (marker in CELL_MARKERS) + (marker in FIELD_MARKERS)
        assert text.count(f" {marker} ") >= expected, marker


def test_a_field_that_reads_as_a_link_reference_definition_is_kept(case: Any) -> None:
    """`[Note]: text` on a line of its own defines a link target in Markdown and would vanish."""
    data = copy.deepcopy(case.data)
    data["problems"][0]["problem"]["summary"] = "[Note]: evidence is attached\n\n[2]: <x>"
    texts = convert.write_texts(render.render_markdown(data), [], ("plain", "html5"))
    assert "[Note]: evidence is attached" in texts["plain"]
    assert "[2]: &lt;x&gt;" in texts["html5"]


def test_the_front_matter_table_has_no_empty_shaded_header_in_the_pdf(case: Any) -> None:
    """Its Markdown header row is empty: the PDF must not show it as a blank grey band."""
    typst = convert.write_texts(render.render_markdown(case.data), [], ("typst",))["typst"]
    first = typst.index("#table(")
    front = typst[first : typst.index(")]", first)]  # the first table, as far as its end
    assert "table.header" not in front
    assert typst.rindex("#set table(fill: none)", 0, first) < first  # shading off around it
    assert "table.header(" in typst[first + len(front) :]  # the other tables keep theirs


def test_long_file_names_break_after_their_separators_in_the_pdf() -> None:
    """evidence/taux-hebdomadaires-2026-11-18.png may break after / - . but not inside "png"."""
    name = "evidence/taux-hebdomadaires-2026-11-18.png"
    typst = convert.write_texts(f"File {name} and {'W' * 45}", [], ("typst",))["typst"]
    cut = "#box[]"  # a break opportunity that adds no character to the text
    assert cut.join(["evidence/", "taux-", "hebdomadaires-", "2026-", "11-", "18.", "png"]) in typst
    assert cut.join(["W" * 20, "W" * 20, "W" * 5]) in typst  # no separator: every 20
    assert "\u200b" not in typst


def test_word_is_dated_with_the_plan_and_carries_no_build_metadata(case: Any) -> None:
    import io
    import zipfile

    markdown = render.render_markdown(case.data)
    docx = convert.to_docx(markdown, ["B0TEST0001"], case.data["date"])
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        core = archive.read("docProps/core.xml").decode()
        custom = archive.read("docProps/custom.xml").decode()
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{case.data["date"]}T00:00:00Z' in core
    assert "asins" not in custom
    assert convert.to_docx(markdown, ["B0TEST0001"], case.data["date"]) == docx


def test_the_title_line_is_the_same_in_markdown_html_and_pdf(case: Any) -> None:
    """One line, built once: the plan's first heading, the page's <title>, the PDF's title."""
    data = copy.deepcopy(case.data)
    data["seller"]["store_name"] = "Weber *Power* & Co"
    line = render.title_line(data)
    assert line == "Plan of Action: Weber *Power* & Co (amazon.com)"
    markdown = render.render_markdown(data)
    assert markdown.splitlines()[0] == "# Plan of Action: Weber \\*Power\\* & Co (amazon.com)"
    page = render.render_html_page(data, "")
    assert "<title>Plan of Action: Weber *Power* &amp; Co (amazon.com)</title>" in page
    assert pipeline.pdf_meta(data)["title"] == line
