"""Every example case validates and builds; its Markdown and HTML match the golden files."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from generator import lint, pipeline, render
from tests.conftest import CASES, TESTS
from tests.helpers import pdf_pages, pdf_text

GOLDEN = TESTS / "golden"


@pytest.fixture(scope="module")
def built() -> dict[str, tuple[pipeline.Checked, dict[str, bytes]]]:
    out = {}
    for file in CASES:
        checked = pipeline.check_case(file.relative_to(file.parent.parent), lint.load_settings())
        assert checked.case is not None, checked.diagnostics
        out[file.stem] = (checked, pipeline.render_outputs(checked.case, checked.evidence))
    return out


def test_there_are_example_cases_of_both_structures() -> None:
    structures = {pipeline.check_case(f).case.data["structure"] for f in CASES}  # type: ignore[union-attr]
    assert structures == {"4d", "8d"}
    assert len(CASES) >= 4


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_example_validates_and_lints_without_findings(case: Path, built) -> None:  # type: ignore[no-untyped-def]
    checked, _ = built[case.stem]
    assert [d.format() for d in checked.diagnostics] == []


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_example_matches_golden(case: Path, fmt: str, built, golden) -> None:  # type: ignore[no-untyped-def]
    _, outputs = built[case.stem]
    golden(GOLDEN / f"{case.stem}.{fmt}", outputs[fmt].decode("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_markdown_heading_is_a_heading_of_the_page(case: Path, built) -> None:  # type: ignore[no-untyped-def]
    """A heading that a list or paragraph swallows reads as text in every output."""
    outputs = built[case.stem][1]
    markdown = re.findall(r"^(#+) (.*)$", outputs["md"].decode(), re.MULTILINE)
    page = re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", outputs["html"].decode())

    def words(text: str) -> str:  # as read: escapes, tags and typographic quotes aside
        text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"\\(.)", r"\1", text)))
        return text.replace("\u2019", "'")

    assert [(int(level), words(text)) for level, text in page] == [
        (len(level), words(text)) for level, text in markdown
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_example_pdf_has_every_heading_asin_and_date(case: Path, built) -> None:  # type: ignore[no-untyped-def]
    checked, outputs = built[case.stem]
    data = checked.case.data
    words = render.locale(data["language"])
    text = pdf_text(outputs["pdf"])
    assert outputs["pdf"].startswith(b"%PDF-")
    assert 1 <= pdf_pages(outputs["pdf"]) <= 8
    for heading in words["sections"][data["structure"]].values():
        assert heading in text
    for asin in data["notice"].get("asins", []):
        assert asin in text
    for problem in data["problems"]:
        assert f"{words['problem']} {problem['id']}" in text
        for action in problem["immediate_actions"]:
            assert render.format_date(action["date"], words["date"]) in text
