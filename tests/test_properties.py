"""Property-based tests: random input never crashes the loader, and random valid plans render.

`make test` runs a short profile; `make fuzz` runs the long one (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import lint, pipeline
from generator.loader import parse_case
from generator.validate import validate_case
from tests.helpers import pdf_text

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Words that read the same in every format: letters (with European accents) and digits, no
# Markdown or Typst syntax, so a field's text can be looked for in the outputs.
WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzäöüßéèàçñABCDEFXYZ0123456789", min_size=2, max_size=10
)
PLAIN = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
# Any text at all, for "never crashes".
# Control characters are refused even as escapes (tests/test_hostile_text.py); tab and newline
# are text.
ANY_TEXT = st.text(
    st.characters(
        exclude_categories=("Cs", "Cc"),
        include_characters="\t\n",
        exclude_characters="\ufffe\uffff",
    ),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() != "")
DATE = st.dates(
    min_value=__import__("datetime").date(2025, 1, 1),
    max_value=__import__("datetime").date(2026, 11, 20),
).map(lambda d: d.isoformat())


def _action(text: st.SearchStrategy[str], corrective: bool) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, Any] = {
        "action": text,
        "date": DATE,
        "owner": text,
        "status": st.sampled_from(["done", "ongoing"]),
    }
    if corrective:
        fields |= {"why": text, "addresses": st.just(["RC1"])}
    return st.fixed_dictionaries(fields)


@st.composite
def cases(draw: st.DrawFn, text: st.SearchStrategy[str]) -> dict[str, Any]:
    """A schema-valid case of either structure with random text and list sizes."""
    structure = draw(st.sampled_from(["4d", "8d"]))
    count = draw(st.integers(1, 3))
    problems = []
    for index in range(count):
        problem: dict[str, Any] = {
            "id": f"P{index + 1}",
            "title": draw(text),
            "problem": {"summary": draw(text)},
            "root_causes": [{"id": "RC1", "cause": draw(text), "method": draw(text)}],
            "immediate_actions": draw(st.lists(_action(text, False), min_size=1, max_size=3)),
        }
        corrective = draw(st.lists(_action(text, True), min_size=1, max_size=3))
        proof = {"summary": draw(text)}
        if structure == "4d":
            problem |= {"corrective_actions": corrective, "effectiveness": proof}
        else:
            problem |= {
                "solutions": {
                    "criteria": [draw(text)],
                    "options": [{"option": draw(text), "assessment": draw(text), "chosen": True}],
                },
                "implementation": corrective,
                "prevention": {
                    "measures": draw(st.lists(_action(text, True), min_size=1, max_size=2)),
                    "effectiveness": proof,
                },
            }
        problems.append(problem)
    case: dict[str, Any] = {
        "structure": structure,
        "language": draw(st.sampled_from(["en", "de", "fr", "es", "it"])),
        "date": "2026-11-20",
        "notice": {
            "marketplace": "amazon.de",
            "date": "2026-10-01",
            "scope": "listing" if structure == "4d" else "account",
            "reason": "product-safety",
            "asins": [],
        },
        "seller": {
            "legal_name": draw(text),
            "store_name": draw(text),
            "merchant_token": "A1B2C3D4E5F6G7",
        },
        "problems": problems,
    }
    if structure == "8d":
        case["team"] = [{"name": draw(text), "role": "leader", "function": draw(text)}]
        case["lessons_learned"] = [draw(text)]
    return case


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    class NoAliases(yaml.SafeDumper):  # case files take no aliases; write repeats out
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(data, Dumper=NoAliases, allow_unicode=True, sort_keys=False, width=1000)


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            s
            for key, value in node.items()
            if key
            not in (
                "id",
                "status",
                "structure",
                "language",
                "date",
                "marketplace",
                "scope",
                "reason",
                "merchant_token",
                "role",
                "addresses",
            )
            for s in _strings(value)
        ]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


def _paragraphs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            s
            for key, value in node.items()
            for s in (
                [value]
                if key in ("summary", "cause", "method", "why") and isinstance(value, str)
                else _paragraphs(value)
            )
        ]
    if isinstance(node, list):
        return [s for item in node for s in _paragraphs(item)]
    return []


@given(st.binary(max_size=400))
def test_random_bytes_give_diagnostics_never_an_exception(raw: bytes) -> None:
    checked = pipeline.check_case(_write(raw))
    assert checked.case is not None or checked.diagnostics


@given(ANY_TEXT)
def test_random_text_as_a_case_gives_diagnostics_never_an_exception(text: str) -> None:
    checked = pipeline.check_case(_write(text.encode("utf-8")))
    assert checked.case is not None or checked.diagnostics


# Rendering a PDF takes a tenth of a second: these run a third as many examples as the profile.
RENDERS = max(8, settings.default.max_examples // 3)


@given(cases(ANY_TEXT))
@settings(max_examples=RENDERS)
def test_valid_cases_with_any_text_validate_and_render(data: dict[str, Any]) -> None:
    case = parse_case("random.yaml", _yaml(data))
    assert validate_case(case) == []
    lint.lint_case(case, lint.load_settings(Path("/nonexistent")))
    outputs = pipeline.render_outputs(case, [], ("md", "html", "txt", "pdf"))
    assert outputs["pdf"].startswith(b"%PDF-")


@given(cases(PLAIN))
@settings(max_examples=RENDERS)
def test_every_text_field_appears_in_html_text_and_pdf(data: dict[str, Any]) -> None:
    case = parse_case("random.yaml", _yaml(data))
    assert validate_case(case) == []
    outputs = pipeline.render_outputs(case, [], ("html", "txt", "pdf"))
    page = html.unescape(re.sub(r"<[^>]+>", " ", outputs["html"].decode("utf-8")))
    page = " ".join(page.split())
    text = " ".join(outputs["txt"].decode("utf-8").split())
    pdf = re.sub(r"[\s\-\u00ad]", "", pdf_text(outputs["pdf"]))
    for field in _strings(data):
        assert field in page, field
        assert field in text, field
    # In the PDF, text in table cells wraps within its column and extraction interleaves the
    # columns' lines, so only paragraph fields can be looked for as a whole.
    for field in _paragraphs(data):
        assert re.sub(r"\s", "", field) in pdf, field


_TMP = Path(os.environ.get("TMPDIR", "/tmp")) / f"actionplan-properties-{os.getpid()}"


def _write(raw: bytes) -> Path:
    _TMP.mkdir(exist_ok=True)
    path = _TMP / "case.yaml"
    path.write_bytes(raw)
    return path
