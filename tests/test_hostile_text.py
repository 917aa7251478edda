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
