"""Text in a case after decoding: YAML escapes and HTML character references cannot smuggle
control characters, and no field can reach into the next one."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator import lint, loader, pipeline
from tests.conftest import TESTS
from tests.helpers import run

MINIMAL = TESTS / "minimal-4d.yaml"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def case_with(tmp_path: Path, summary_yaml: str) -> Path:
    """The minimal case with its problem summary written as `summary_yaml` (YAML source)."""
    text = MINIMAL.read_text()
    old = "      summary: Seven buyers reported that the charger B07XYZ1234 became hot.\n"
    assert old in text
    case = tmp_path / "plan.yaml"
    case.write_text(text.replace(old, f"      summary: {summary_yaml}\n"))
    shutil.copytree(MINIMAL.with_suffix(""), tmp_path / "plan")
    return case


# --------------------------------------------------------------------------------------------
# 5. Control characters written as YAML escapes or character references


@pytest.mark.parametrize(
    "escape",
    [r'"Hot \e[2J charger"', r'"Hot \0 charger"', r'"Hot \x9b31m charger"', r'"Hot \x7f"',
     r'"Hot \u0007 charger"', r'"\x1b]0;owned\x07"'],
)  # fmt: skip
def test_control_character_from_a_yaml_escape_is_an_error_at_the_value(
    tmp_path: Path, escape: str
) -> None:
    case = case_with(tmp_path, escape)
    for command in ("validate", "lint", "build"):
        code, stdout, stderr = (
            run(command, "--out", str(tmp_path / "out"), str(case))
            if (command == "build")
            else run(command, str(case))
        )
        assert code == 1, (command, stderr)
        assert "plan.yaml:18:16: error [yaml.character] $.problems[0].problem.summary:" in stderr
        assert not CONTROL.search(stdout + stderr)
    assert not (tmp_path / "out").exists()


def test_tab_and_newline_escapes_are_still_text(tmp_path: Path) -> None:
    case = case_with(tmp_path, r'"Seven buyers\treported\nthat it became hot."')
    code, _, stderr = run("validate", str(case))
    assert code == 0, stderr


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize(
    "reference", ["&#x1b;[2J", "&#27;[2J", "&#X9B;31m", "&#0;", "&#x7f;", "&#1114112;"]
)
def test_character_reference_of_a_control_character_stays_as_typed(
    tmp_path: Path, reference: str
) -> None:
    case = case_with(tmp_path, f"'Seven buyers {reference} reported B07XYZ1234.'")
    data = loader.load_case(case).data
    data["seller"]["legal_name"] = f"Weber {reference} LLC"  # a literal field too
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    checked = pipeline.check_case(case, lint.load_settings())
    assert checked.ok, [d.format() for d in checked.diagnostics]
    assert checked.case is not None
    outputs = pipeline.render_outputs(checked.case, checked.evidence, ("md", "html", "txt"))
    for fmt in ("md", "html", "txt"):
        text = outputs[fmt].decode("utf-8")
        assert not CONTROL.search(text), fmt
        assert "\ufffd" not in text, fmt
    page = _Text()
    page.feed(outputs["html"].decode("utf-8"))
    shown = "".join(page.text)
    assert f"Seven buyers {reference} reported B07XYZ1234." in shown
    assert f"Weber {reference} LLC" in shown
    assert f"Seven buyers {reference} reported B07XYZ1234." in outputs["txt"].decode("utf-8")


# --------------------------------------------------------------------------------------------
# 6. Structure: a field is read on its own, whatever it leaves open

OPENERS = [
    "```", "~~~~", "  ```", "> ```", "- ```", "1. ~~~",
    "<pre>", "<script>", "<style>", "<textarea>", "<?x", "<!--", "<![CDATA[", "<!DOCTYPE x",
    "<div>", "> <pre>", "- <script>", "   <?php",
]  # fmt: skip
SWALLOWED = [
    ("table", "a | b\n--- | ---\nc | d"),
    ("table-outer-pipes", "| a | b |\n|:--|--:|\n| c | d |"),
    ("table-one-column", "| a |\n| --- |"),
    ("table-in-quote", "> a | b\n> --- | ---"),
    ("link-definition", "[note]: https://example.com/LOST"),
    ("link-definition-in-quote", "> [note]: https://example.com/LOST"),
    ("link-definition-in-list", "- [note]: https://example.com/LOST"),
    ("link-definition-escaped-bracket", "[no\\]te]: https://example.com/LOST"),
    ("link-definition-two-lines", "[no\nte]: https://example.com/LOST"),
    ("setext-after-list-marker", "Closed\n-"),
    ("heading-in-quote", "> # Fake heading"),
    ("heading-in-list", "- ## Fake heading"),
]


class _Page(HTMLParser):
    """What a structural check needs of a page: headings, tables, code, links and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = []
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag.startswith("h") and tag[1:].isdigit() and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _render_with(text: str) -> tuple[_Page, str, str]:
    """The minimal case (its evidence index last) with `text` as its first field at a line's
    start (the problem's summary), a root cause and a corrective action inside a list item."""
    data = loader.load_case(MINIMAL).data
    problem = data["problems"][0]
    problem["problem"]["summary"] += "\n" + text
    problem["root_causes"][0]["cause"] += "\n" + text
    problem["corrective_actions"][0]["action"] += "\n" + text
    case = loader.parse_case(
        "structure.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    outputs = pipeline.render_outputs(case, [], ("md", "html", "txt"))
    page = _Page()
    page.feed(outputs["html"].decode("utf-8"))
    return page, outputs["txt"].decode("utf-8"), outputs["md"].decode("utf-8")


@pytest.fixture(scope="module")
def plain() -> _Page:
    return _render_with("")[0]


@pytest.mark.parametrize("opener", OPENERS)
def test_block_left_open_does_not_take_the_rest_of_the_plan(opener: str, plain: _Page) -> None:
    page, txt, _ = _render_with(f"Batch checked.\n{opener}")
    assert page.headings == plain.headings  # every later section is still a section
    assert page.tags.count("table") == plain.tags.count("table")  # the evidence index too
    assert "pre" not in page.tags and "code" not in page.tags
    assert "E1" in page.headings[-1] or "evidence/lab-report.pdf" in "".join(page.text)
    shown = " ".join("".join(page.text).split()).replace("\u2013", "--")  # smart dashes
    assert opener.lstrip("> -1.").strip() in shown  # the text is shown as typed
    for heading in plain.headings:
        assert heading.split(" ", 1)[-1] in txt


@pytest.mark.parametrize(("name", "text"), SWALLOWED, ids=[n for n, _ in SWALLOWED])
def test_field_makes_no_table_heading_or_vanishing_definition(
    name: str, text: str, plain: _Page
) -> None:
    page, txt, _ = _render_with(text)
    assert page.headings == plain.headings
    assert page.tags.count("table") == plain.tags.count("table")
    if "LOST" in text:
        shown = "".join(page.text)
        assert shown.count("https://example.com/LOST") == 3, name  # in each of the 3 fields
        assert txt.count("https://example.com/LOST") == 3


def test_autolink_at_a_line_start_is_still_a_link() -> None:
    page, _, _ = _render_with("<https://example.com/report>")
    assert "https://example.com/report" in page.links


# --------------------------------------------------------------------------------------------
# 11. Dates every output can carry: zip entries start in 1980, Word's writer ends in 2100


@pytest.mark.parametrize(
    ("where", "line", "date"),
    [("date", 3, "1979-12-31"), ("date", 3, "2100-01-01"), ("date", 3, "0001-01-01"),
     ("evidence-date", 41, "1969-07-20"), ("action-date", 24, "9999-12-31")],
)  # fmt: skip
def test_date_outside_the_plausible_range_is_a_schema_error(
    tmp_path: Path, where: str, line: int, date: str
) -> None:
    text = MINIMAL.read_text()
    old = {"date": "date: 2026-11-20", "evidence-date": "date: 2026-11-12"}.get(
        where, "date: 2026-10-28\n        owner"
    )
    assert old in text
    case = tmp_path / "plan.yaml"
    case.write_text(text.replace(old, old.replace(old[6:16], date), 1))
    shutil.copytree(MINIMAL.with_suffix(""), tmp_path / "plan")
    code, _, stderr = run("validate", str(case))
    assert code == 1
    assert f"plan.yaml:{line}:" in stderr and "error [schema.date-range]" in stderr, stderr
    assert "1980" in stderr
    code, _, stderr = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert code == 1 and "Traceback" not in stderr


@pytest.mark.parametrize("date", ["1980-01-01", "2099-12-31"])
def test_dates_at_the_ends_of_the_range_bundle(tmp_path: Path, date: str) -> None:
    text = MINIMAL.read_text().replace("date: 2026-11-12", f"date: {date}")  # evidence date
    case = tmp_path / "plan.yaml"
    case.write_text(text.replace("date: 2026-11-20", "date: 2099-12-31"))
    shutil.copytree(MINIMAL.with_suffix(""), tmp_path / "plan")
    code, _, stderr = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert code == 0, stderr
