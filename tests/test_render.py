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
