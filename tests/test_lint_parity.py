"""The same kind of wording is judged alike in all five languages (tests/lint-parity.yaml).

The corpus measures each language on what its writers happened to write; this table holds the
kinds of wording the rules cover, one claim written natively in each language, so that a
mechanism built in one language and missing in another shows as a failing row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import corpus

ROWS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "lint-parity.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("row", ROWS, ids=[row["kind"] for row in ROWS])
def test_each_kind_of_wording_is_judged_alike_in_every_language(row: dict[str, Any]) -> None:
    want = _families(row)
    wrong = {}
    for language in corpus.LANGUAGES:
        got = corpus.flagged(row[language], row["field"], language) & set(corpus.RULES)
        if got != want:
            wrong[language] = sorted(got)
    assert not wrong, f"expected {sorted(want)}; got {wrong}"


def test_every_row_is_written_in_every_language() -> None:
    for row in ROWS:
        assert set(corpus.LANGUAGES) <= set(row), row["kind"]
        assert _families(row) <= set(corpus.RULES), row["kind"]


def _families(row: dict[str, Any]) -> set[str]:
    """The families a row expects: one, a list (a rhetorical question blames and asks), or none."""
    expect = row["expect"]
    if not expect:
        return set()
    return set(expect) if isinstance(expect, list) else {expect}
