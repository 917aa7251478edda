"""actionplan diff: plan-level changes between two versions, from files or git revisions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.helpers import run

DIFF = Path("tests/diff")


def diff_of_the_fixtures(out: Path) -> tuple[int, str, str]:
    """`actionplan diff` from the v1 fixture to the v2 one, outputs in `out`."""
    v1, v2 = str(DIFF / "asin-recall-v1.yaml"), str(DIFF / "asin-recall-v2.yaml")
    return run("diff", v2, "--from", v1, "--no-color", "--out", str(out))


def test_diff_between_two_files_lists_the_plan_changes(tmp_path: Path, golden) -> None:  # type: ignore[no-untyped-def]
    code, out, err = diff_of_the_fixtures(tmp_path)
    assert code == 0, err
    golden(DIFF / "v1-to-v2.expected", out)
    page = (tmp_path / "asin-recall-v2" / "asin-recall-v2-diff.html").read_text()
    assert "<ins>" in page and "<del>" in page and "RC2" in page


def _repository(repo: Path):  # type: ignore[no-untyped-def]
    """A git repository of `repo` with everything in it added; returns a git runner."""

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    return git


def test_diff_reads_git_revisions_and_tags(tmp_path: Path) -> None:
    repo = tmp_path / "plans"
    (repo / "cases").mkdir(parents=True)
    case = repo / "cases" / "asin-recall.yaml"
    shutil.copy(DIFF / "asin-recall-v1.yaml", case)

    git = _repository(repo)
    git("commit", "-qm", "v1")
    git("tag", "asin-recall/submitted-1")
    shutil.copy(DIFF / "asin-recall-v2.yaml", case)
    git("commit", "-qam", "v2")
    from_files = diff_of_the_fixtures(tmp_path)[1]
    code, out, err = run(
        "diff",
        str(case),
        "--from",
        "asin-recall/submitted-1",
        "--to",
        "HEAD",
        "--no-color",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    assert out.splitlines()[1:] == from_files.splitlines()[1:]
    code, _, err = run("diff", str(case), "--from", "no-such-tag", "--out", str(tmp_path))
    assert code == 1 and "error [diff.revision]" in err and "Traceback" not in err


def test_no_changes_says_so(tmp_path: Path) -> None:
    path = str(DIFF / "asin-recall-v2.yaml")
    code, out, _ = run("diff", path, "--from", path, "--no-color", "--out", str(tmp_path))
    assert code == 0 and out.splitlines()[-1] == "0 added, 0 removed, 0 changed"


def test_resubmitting_a_rejected_version_unchanged_is_flagged(tmp_path: Path) -> None:
    repo = tmp_path / "plans"
    shutil.copytree("tests/minimal-4d", repo / "cases" / "x")
    case = repo / "cases" / "x.yaml"
    case.write_text(Path("tests/minimal-4d.yaml").read_text())

    git = _repository(repo)
    git("commit", "-qm", "sent")
    git("tag", "x/submitted-1")
    case.write_text(
        case.read_text().replace("date: 2026-11-20", "date: 2026-11-25", 1)
        + "submissions:\n  - date: 2026-11-20\n    version: x/submitted-1\n"
        "    outcome: rejected\n"
    )
    _, _, err = run("lint", str(case))
    assert "lint.resubmission" not in err  # the date changed, so the plan changed
    case.write_text(case.read_text().replace("date: 2026-11-25", "date: 2026-11-20", 1))
    _, _, err = run("lint", str(case))
    # One fact, one finding: it is the rejected version itself (and so also dated no later).
    assert err.count("[lint.resubmission]") == 1
    assert (
        "warning [lint.resubmission] $.submissions[0]: the plan is unchanged since "
        "'x/submitted-1', which was rejected" in err
    )


def test_a_revision_in_another_encoding_is_a_diagnostic(tmp_path: Path) -> None:
    """Old versions come from git as bytes: read as a file is, not as a traceback."""
    repo = tmp_path / "plans"
    (repo / "cases").mkdir(parents=True)
    case = repo / "cases" / "asin-recall.yaml"
    text = (DIFF / "asin-recall-v1.yaml").read_text(encoding="utf-8")
    case.write_bytes(text.replace("summary:", "summary: Küche", 1).encode("latin-1"))
    git = _repository(repo)
    git("commit", "-qm", "latin-1")
    shutil.copy(DIFF / "asin-recall-v2.yaml", case)
    code, _, err = run("diff", str(case), "--from", "HEAD", "--no-color", "--out", str(tmp_path))
    assert code == 1 and "Traceback" not in err
    assert f"HEAD:{case}:" in err and "[yaml.encoding]" in err, err


def test_an_8d_diff_shows_the_team_first_and_the_lessons_last() -> None:
    import copy

    from generator import diff, scaffold
    from generator.loader import load_case

    old = load_case("tests/minimal-8d.yaml").data
    new = copy.deepcopy(old)
    new["team"][0]["function"] = "Head of Operations"
    new["lessons_learned"].append("Carrier changes are reviewed by two people.")
    new["problems"][0]["prevention"]["effectiveness"]["summary"] += " Still 0 late in week 6."
    titles = [section.title for section in diff.diff_cases(old, new)]
    assert titles == [
        "D1 Team",
        "Problem P1: Late shipment rate above 4 % · D7 Prevention of recurrence",
        "D8 Lessons learned",
    ]
    # A 4D plan grown into 8D: the new team and lessons show as added, around the problems.
    four = load_case("tests/minimal-4d.yaml").data
    grown = diff.diff_cases(four, scaffold.to_8d(four))
    assert grown[1].title == "D1 Team" and grown[-1].title == "D8 Lessons learned"
    assert [change.kind for change in grown[1].changes] == ["added"]


def test_a_changed_supplier_is_listed() -> None:
    from generator.diff import diff_cases
    from generator.loader import load_case

    new = load_case(Path("cases/inauthentic-two-suppliers.yaml")).data
    old = {**new, "suppliers": [{**new["suppliers"][0], "phone": "+44 1782 555 000"}]}
    (section,) = [s for s in diff_cases(old, new) if s.title == "Suppliers"]
    kinds = sorted((c.kind, c.label) for c in section.changes)
    assert kinds == [("added", "S2"), ("changed", "S1")]


def test_quotes_and_5_whys_read_as_text_in_a_diff() -> None:
    """A quoted message is named by its source and a 5-Whys chain reads as its steps, not as
    'source: …; quote: …' or 'question: …; answer: …'."""
    import copy

    from generator.diff import diff_cases
    from generator.loader import load_case

    old = load_case("cases/asin-recall.yaml").data
    new = copy.deepcopy(old)
    quote = {"source": "Buyer message, order 112-4810273-5539201", "quote": "It got too hot!"}
    new["problems"][0]["problem"]["quotes"] = [quote]
    whys = [
        {"question": "Why did it overheat?", "answer": "The capacitor was undersized."},
        {"question": "Why was it undersized?", "answer": "The part changed without notice."},
    ]
    new["problems"][0]["root_causes"][0]["whys"] = whys
    changes = [c for section in diff_cases(old, new) for c in section.changes]
    added = next(c for c in changes if c.kind == "added")
    assert added.text == "It got too hot! · Buyer message, order 112-4810273-5539201"
    (whys_field,) = [f for c in changes if c.label == "RC1" for f in c.fields if f[0] == "whys"]
    assert "".join(text for _, text in whys_field[1]) == (
        "Why did it overheat? The capacitor was undersized. / "
        "Why was it undersized? The part changed without notice."
    )
    edited = copy.deepcopy(new)
    edited["problems"][0]["problem"]["quotes"][0]["quote"] = "It got far too hot!"
    (changed,) = [c for s in diff_cases(new, edited) for c in s.changes]
    assert changed.label == "Buyer message, order 112-4810273-5539201"
