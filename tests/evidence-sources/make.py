"""Compile the example cases' made-up evidence documents from their Typst sources, reproducibly.

    .venv/bin/python tests/evidence-sources/make.py

Each <case>--<file>.typ here becomes cases/<case>/evidence/<file>.pdf. The text is real text in
the PDF (not an image), so the submission PDF can find and highlight ASINs, supplier names and
invoice numbers in it. tests/test_evidence_checks.py checks that the committed files are what
these sources compile to.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import typst

HERE = Path(__file__).resolve().parent
CASES = HERE.parent.parent / "cases"
STAMP = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def targets() -> dict[Path, Path]:
    """Each source and the evidence file it compiles to."""
    out = {}
    for source in sorted(HERE.glob("*--*.typ")):  # the others are shared parts
        case, _, name = source.stem.partition("--")
        # name.png.typ is a page rendered as an image (a scan); anything else becomes a PDF.
        out[source] = CASES / case / "evidence" / (name if name.endswith(".png") else f"{name}.pdf")
    return out


def compile_source(source: Path) -> bytes:
    compiler = typst.Compiler(ignore_system_fonts=True)
    image = source.stem.endswith(".png")
    out = compiler.compile(
        input=source.read_bytes(),
        format="png" if image else "pdf",
        ppi=110 if image else None,
        root=str(HERE),
        timestamp=STAMP,
    )
    assert isinstance(out, bytes)
    return out


if __name__ == "__main__":
    for source, target in targets().items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compile_source(source))
        print(f"wrote {target.relative_to(CASES.parent)}", file=sys.stderr)
