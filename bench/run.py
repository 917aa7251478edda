"""Benchmarks of actionplan on a generated corpus (make bench). Prints a table and writes JSON.

Measures, on this machine:
  1. validate + lint of 1000 cases in one command: cold (empty per-user cache), then again with
     the lint results of the first run cached
  2. one cold `make build CASE=x` (all formats) after set-up
  3. `make -j2 all` for 100 cases from clean
  4. a no-op `make all`, and a rebuild after touching one case
  5. the peak memory of each: resident memory summed over the process tree (workers, pandoc)
  6. the same 100 cases by a reference route (pandoc -> HTML -> WeasyPrint, one case after the
     other), as a ratio to 3. (timed before and after the reference, and averaged)
  7. from a save to the editor's diagnostics (actionplan lsp) and to the preview in Chromium
     (actionplan serve), for each example case (bench/editing.py)
Targets (docs/performance.md) are reported, not asserted.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
VENV = ROOT / ".venv"
SEED = 20261126
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
TARGETS = {"lint_1000": 3.0, "lint_1000_cached": 3.0, "cold_build_one": 0.5,
           "make_j2_all_100": 10.0, "noop_make_all_100": 0.3}


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (workers, pandoc, the fork server)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue  # it ended meanwhile
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry)] = int(statm[1]) * PAGE_KIB
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree)


def measure(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall time in seconds, peak memory in MiB, exit code.

    The memory is the largest sum of resident memory over the whole process tree, sampled every
    0.1 s, or the largest single process (`time -f %M`) if that is more, for runs too short to
    sample.
    """
    report = WORK / ".time"
    start = time.perf_counter()
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(report), *command],
                               cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while True:
        try:
            process.wait(timeout=0.1)  # returns the moment it ends: the time stays exact
            break
        except subprocess.TimeoutExpired:
            peak = max(peak, _tree_rss_kib(process.pid))
    seconds = time.perf_counter() - start
    largest = int(report.read_text().split()[-1] or 0)
    return seconds, max(peak, largest) // 1024, process.returncode


def make_corpus(folder: Path, count: int, with_evidence: bool) -> list[str]:
    """`count` varied cases from the examples: 4D and 8D, five languages, one to four problems."""
    rng = random.Random(SEED + count)
    sources = {path.stem: yaml.safe_load(path.read_text())
               for path in sorted((ROOT / "cases").glob("*.yaml"))}
    cases = folder / "cases"
    shutil.rmtree(folder, ignore_errors=True)
    cases.mkdir(parents=True)
    # A repository of plans that uses this checkout's Makefile, package and virtual environment.
    for name in ("Makefile", "pyproject.toml", "requirements.lock", ".venv", "schemas",
                 "templates", "rules", "generator"):
        (folder / name).symlink_to(ROOT / name)
    names = []
    for index in range(count):
        source = rng.choice(list(sources))
        data = copy.deepcopy(sources[source])
        _stringify_dates(data)
        problems = data["problems"]
        extra = rng.choices([0, 1, 2], weights=[6, 3, 1])[0]  # most plans have one or two
        for n in range(extra):
            twin = copy.deepcopy(rng.choice(problems[: len(sources[source]["problems"])]))
            twin["id"] = f"P{len(problems) + 1}"
            twin["title"] = f"{twin['title']} (site {n + 2})"
            problems.append(twin)
        data["seller"]["store_name"] = f"{data['seller']['store_name']} {index}"
        data.setdefault("lint", {})["max_words"] = 5000
        name = f"case-{index:04d}"
        names.append(name)
        (cases / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False,
                                                           allow_unicode=True))
        if with_evidence:
            for path in (ROOT / "cases" / source).rglob("*"):
                if path.is_file():
                    target = cases / name / path.relative_to(ROOT / "cases" / source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path, target)
    return names


def _stringify_dates(node: object) -> None:
    import datetime

    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, datetime.date):
                node[key] = value.isoformat()
            else:
                _stringify_dates(value)
    elif isinstance(node, list):
        for item in node:
            _stringify_dates(item)


def reference_route(folder: Path, names: list[str]) -> float | None:
    """pandoc -> standalone HTML -> WeasyPrint PDF for each case, one after the other."""
    try:
        import weasyprint
    except Exception as exc:  # noqa: BLE001 - missing system libraries show up as any error
        print(f"reference route skipped: WeasyPrint unavailable ({exc})", file=sys.stderr)
        return None
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    start = time.perf_counter()
    for name in names:
        markdown = folder / "build" / name / f"{name}.md"
        html = subprocess.run([pandoc, "--standalone", "--metadata", f"title={name}",
                               "-t", "html5", str(markdown)], capture_output=True, check=True)
        weasyprint.HTML(string=html.stdout.decode()).write_pdf(folder / f"{name}.ref.pdf")
    return time.perf_counter() - start


def main() -> None:
    actionplan = str(VENV / "bin" / "actionplan")
    make = ["make", "--no-print-directory"]
    results: dict[str, dict[str, Any]] = {}

    def record(key: str, label: str, seconds: float, peak: int, code: int) -> None:
        results[key] = {"seconds": round(seconds, 3), "peak_mib": peak, "exit": code,
                        "target": TARGETS.get(key, 0.0)}
        print(f"  {label:<50} {seconds:8.3f} s {peak:6d} MiB", file=sys.stderr)

    # The bench's own per-user cache, empty at the start: nothing carried over from earlier runs.
    user_cache = WORK / "cache"
    shutil.rmtree(user_cache, ignore_errors=True)
    os.environ["ACTIONPLAN_CACHE"] = str(user_cache)

    # The editing loop (bench/editing.py): `python bench/run.py editing` measures only this.
    from editing import measure as measure_editing

    for key, figures in measure_editing(WORK).items():
        results[key] = figures
        print(f"  {key.replace('_', ' '):<50} {figures['median_seconds']:8.3f} s median, "
              f"{figures['max_seconds']:.3f} s worst of {figures['saves']}", file=sys.stderr)
    if sys.argv[1:] == ["editing"]:
        print(json.dumps(results, indent=2))
        return

    big = WORK / "lint-1000"
    names = make_corpus(big, 1000, with_evidence=True)
    files = [f"cases/{name}.yaml" for name in names]
    record("lint_1000", "validate + lint, 1000 cases, one command",
           *measure([actionplan, "lint", *files], big))
    record("lint_1000_cached", "  the same again, lint results cached",
           *measure([actionplan, "lint", *files], big))

    small = WORK / "build-100"
    names = make_corpus(small, 100, with_evidence=True)
    record("make_j2_all_100", "make -j2 all, 100 cases, from clean",
           *measure([*make, "-j2", "all"], small))
    record("noop_make_all_100", "make all, 100 cases, nothing changed",
           *measure([*make, "all"], small))
    (small / "cases" / f"{names[0]}.yaml").touch()
    record("touch_one_make_all_100", "make all, 100 cases, one touched",
           *measure([*make, "all"], small))
    (small / "cases" / f"{names[1]}.yaml").touch()
    record("cold_build_one", "make build CASE=x (all formats, after set-up)",
           *measure([*make, "build", f"CASE={names[1]}"], small))
    reference = reference_route(small, names)
    if reference is not None:
        # This machine's speed drifts by 10-30 % over minutes: our build is timed again after
        # the reference route, and the ratio is taken against the mean of the two.
        shutil.rmtree(small / "build")
        record("make_j2_all_100_after", "make -j2 all, 100 cases, again after the reference",
               *measure([*make, "-j2", "all"], small))
        ours = (results["make_j2_all_100"]["seconds"]
                + results["make_j2_all_100_after"]["seconds"]) / 2
        results["reference_route_100"] = {"seconds": round(reference, 3),
                                          "ours_mean_seconds": round(ours, 3),
                                          "ratio": round(reference / ours, 1)}
        print(f"  {'reference: pandoc -> HTML -> WeasyPrint, 100 cases':<50} "
              f"{reference:8.3f} s   ratio {reference / ours:.1f}x (to the mean of our two runs)",
              file=sys.stderr)
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps({"machine": {"cores": os.cpu_count()}, "results": results},
                              indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
