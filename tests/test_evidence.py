"""Evidence: checked files, the submission bundle, the zip and its manifest."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import pathlib
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from generator import evidence
from tests.helpers import run

MINIMAL = Path("tests/minimal-4d.yaml").read_text()
EVIDENCE = """evidence:
  - id: E1
    file: evidence/lab-report.pdf
    kind: report
    date: 2026-11-12
    description: Lab test report of the new batch
    asins: [B07XYZ1234]
  - id: E2
    file: evidence/photo.png
    kind: photo
    date: 2026-11-01
    description: Photo of the new label
  - id: E3
    file: evidence/removals.csv
    kind: report
    date: 2026-10-29
    description: Removal order list
"""


def png(width: int = 40, height: int = 20) -> bytes:
    """A small valid PNG (grey), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def two_page_pdf() -> bytes:
    pdf = typst.compile(
        b"= Lab report\nPage one.\n#pagebreak()\nPage two.",
        format="pdf",
        timestamp=datetime.datetime(2026, 11, 12, tzinfo=datetime.UTC),
    )
    assert isinstance(pdf, bytes)
    return pdf


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A 4D case with a two-page PDF, a PNG and a CSV as evidence."""
    folder = tmp_path / "with-evidence" / "evidence"
    folder.mkdir(parents=True)
    (folder / "lab-report.pdf").write_bytes(two_page_pdf())
    (folder / "photo.png").write_bytes(png())
    (folder / "removals.csv").write_text("order,units\nRMV-1,38\n")
    text = MINIMAL[: MINIMAL.index("evidence:\n  - id: E1")] + EVIDENCE
    text = text.replace("      evidence: [E1]\n", "      evidence: [E1, E2, E3]\n")
    path = tmp_path / "with-evidence.yaml"
    path.write_text(text)
    return path


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def test_bundle_appends_every_evidence_file_with_bookmarks(case: Path, tmp_path: Path) -> None:
    code, _, err = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert code == 0, err
    folder = tmp_path / "out" / "with-evidence"
    plan = PdfReader(folder / "with-evidence.pdf")
    submission = PdfReader(folder / "with-evidence-submission.pdf")
    plan_pages = len(plan.pages)
    # The plan, then 2 PDF pages, 1 image page, 1 page for the CSV.
    assert len(submission.pages) == plan_pages + 4
    marks = outline(submission)
    titles = [title for _, title, _ in marks]
    assert titles[-4:] == [
        "Evidence",
        "E1: Lab test report of the new batch",
        "E2: Photo of the new label",
        "E3: Removal order list",
    ]
    assert "D1 Problem description" in titles and "D4 Proof of effectiveness" in titles
    pages = {title: page for _, title, page in marks}
    assert pages["E1: Lab test report of the new batch"] == plan_pages
    assert pages["E2: Photo of the new label"] == plan_pages + 2
    assert pages["E3: Removal order list"] == plan_pages + 3
    assert "Page one." in submission.pages[plan_pages].extract_text()
    # The CSV file as a table: its header row, then a row of cells.
    assert "order units\nRMV-1 38" in submission.pages[plan_pages + 3].extract_text()
    assert sorted(submission.attachments) == [
        "evidence/lab-report.pdf",
        "evidence/photo.png",
        "evidence/removals.csv",
    ]
    assert submission.attachments["evidence/photo.png"][0] == png()


def test_evidence_zip_has_stable_names_and_a_manifest(case: Path, tmp_path: Path) -> None:
    assert run("bundle", "--out", str(tmp_path / "out"), str(case))[0] == 0
    path = tmp_path / "out" / "with-evidence" / "with-evidence-evidence.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [
            "E1-lab-report.pdf",
            "E2-photo.png",
            "E3-removals.csv",
            "manifest.json",
        ]
        listing = json.loads(archive.read("manifest.json"))
        for entry in listing:
            content = archive.read(entry["zip_name"])
            assert entry["sha256"] == hashlib.sha256(content).hexdigest()
            assert entry["size"] == len(content)
        assert [e["id"] for e in listing] == ["E1", "E2", "E3"]


def test_evidence_index_shows_size_and_checksum(case: Path, tmp_path: Path) -> None:
    assert run("build", "--format", "md", "--out", str(tmp_path / "out"), str(case))[0] == 0
    markdown = (tmp_path / "out" / "with-evidence" / "with-evidence.md").read_text()
    digest = hashlib.sha256(png()).hexdigest()[:12]
    assert (
        f"| E2 | Photo of the new label | Photo | 1\u00a0November\u00a02026 |  |  | "
        f"evidence/photo.png | {len(png())}\u00a0B | {digest} |" in markdown  # kept on one line
    )


def test_docx_is_a_word_document_with_the_plan(case: Path, tmp_path: Path) -> None:
    assert run("bundle", "--out", str(tmp_path / "out"), str(case))[0] == 0
    docx = tmp_path / "out" / "with-evidence" / "with-evidence.docx"
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode()
    assert "B07XYZ1234" in body and "D3 Corrective actions" in body


BAD_FILES = {
    "escape": (
        "../../etc/passwd",
        "evidence.path",
        "'../../etc/passwd' points outside the case's folder",
    ),
    "missing": (
        "evidence/nothing.pdf",
        "evidence.missing",
        "'evidence/nothing.pdf' does not exist in",
    ),
    "type": (
        "evidence/notes.docx",
        "evidence.type",
        "'evidence/notes.docx' is not an allowed type",
    ),
    "fake": ("evidence/fake.pdf", "evidence.type", "'evidence/fake.pdf' is not really a PDF file"),
    "big": (
        "evidence/big.csv",
        "evidence.size",
        "'evidence/big.csv' is 40.0 KB, over the limit of 30.0 KB",
    ),
    "link": (
        "evidence/link.pdf",
        "evidence.path",
        "'evidence/link.pdf' is a link that leads outside the case's folder",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_evidence_file_gives_its_own_diagnostic(
    name: str, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written, code, message = BAD_FILES[name]
    folder = case.parent / "with-evidence" / "evidence"
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / "fake.pdf").write_text("not a pdf")
    (folder / "big.csv").write_text("a,b\n" * 10_000)
    outside = case.parent / "secret.pdf"
    outside.write_bytes(two_page_pdf())
    (folder / "link.pdf").symlink_to(outside)
    monkeypatch.setattr(evidence, "MAX_BYTES", 30_000)
    case.write_text(case.read_text().replace("file: evidence/photo.png", f"file: {written}"))
    code_, _, err = run("lint", str(case))
    assert code_ == 1
    lines = [line for line in err.splitlines() if "[evidence." in line]
    assert len(lines) == 1
    assert f":45:11: error [{code}] $.evidence[1].file: {message}" in lines[0]


def test_path_outside_the_case_is_refused_before_anything_is_read(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched: list[str] = []
    for method in ("exists", "is_file", "stat", "read_bytes", "resolve", "open"):
        original = getattr(pathlib.Path, method)

        def spy(self: pathlib.Path, *args: object, _original=original, **kwargs: object):  # type: ignore[no-untyped-def]
            touched.append(str(self))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, method, spy)
    for function in ("open", "stat"):  # evidence is opened relative to the folder's descriptor
        original_os = getattr(os, function)

        def spy_os(path: object, *args: object, _original=original_os, **kwargs: object):  # type: ignore[no-untyped-def]
            touched.append(str(path))
            return _original(path, *args, **kwargs)

        monkeypatch.setattr(os, function, spy_os)
    case.write_text(case.read_text().replace("file: evidence/photo.png", "file: ../../etc/passwd"))
    code, _, err = run("lint", str(case))
    assert code == 1 and "[evidence.path]" in err
    assert not [path for path in touched if "passwd" in path]
    assert any("lab-report.pdf" in path for path in touched)  # the spy saw the other files


def test_old_invoice_and_uncovered_asin_are_lint_findings(case: Path) -> None:
    text = case.read_text().replace(
        "    kind: report\n    date: 2026-11-12", "    kind: invoice\n    date: 2025-06-01"
    )
    text = text.replace("    asins: [B07XYZ1234]\n", "")
    case.write_text(text)
    _, _, err = run("lint", str(case))
    assert "warning [lint.old-invoice] $.evidence[0].date: invoice E1 is dated more than 365" in err
    assert "error [lint.asin-evidence] $.notice.asins[0]: no evidence item covers ASIN" in err


def test_readable_pdf_page_count_is_recorded(case: Path) -> None:
    from generator.loader import load_case

    files, problems = evidence.check_evidence(load_case(case))
    assert problems == []
    assert [(f.id, f.pages(), f.mime) for f in files] == [
        ("E1", 2, "application/pdf"),
        ("E2", 1, "image/png"),
        ("E3", 1, "text/csv"),
    ]
    assert io.BytesIO(files[0].path.read_bytes()).read(5) == b"%PDF-"


def _example(tmp_path: Path, name: str, edits: dict[str, str]) -> Path:
    """An example case copied with its evidence, its YAML edited."""
    import shutil

    shutil.copytree(Path("cases") / name, tmp_path / name)
    text = (Path("cases") / f"{name}.yaml").read_text(encoding="utf-8")
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path / f"{name}.yaml"


def _cut(file: Path) -> None:
    """A file cut off halfway, as a broken download leaves it."""
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def _lint(case: Path) -> list[str]:
    """The findings of `actionplan lint` on a case with errors, located from its folder."""
    code, _, err = run("lint", str(case))
    assert code == 1, err
    *found, _ = err.replace(f"{case.parent}/", "").splitlines()  # the summary line last
    return found


def test_a_german_plan_hears_of_its_evidence_in_german(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule of the catalogue and problems of the files themselves, sizes written the German
    way."""
    case = _example(tmp_path, "de-marken-beschwerde", {"    supplier: S1\n": ""})
    folder = case.with_suffix("") / "evidence"
    _cut(folder / "angebote-vorher-nachher-2026-10-30.png")
    (folder / "angebotspruefung-2026-11-16.csv").write_text("a,b\n" * 12_500)  # 50 KB
    monkeypatch.setattr(evidence, "MAX_BYTES", 45_000)  # the other files are smaller
    assert _lint(case) == [
        "de-marken-beschwerde.yaml:171:11: error [evidence.damaged] $.evidence[1].file: "
        "'evidence/angebote-vorher-nachher-2026-10-30.png' ist ein beschädigtes oder "
        "abgeschnittenes PNG (das Dateiende fehlt): öffnen Sie die Datei und speichern oder "
        "exportieren Sie sie erneut",
        "de-marken-beschwerde.yaml:177:11: error [evidence.size] $.evidence[2].file: "
        "'evidence/angebotspruefung-2026-11-16.csv' ist 50,0 KB groß, über der Grenze von "
        "45,0 KB: komprimieren Sie die Datei oder teilen Sie sie in mehrere Teile auf",
        "de-marken-beschwerde.yaml:192:5: error [evidence.supplier-missing] $.evidence[5]: die "
        "Rechnung E6 nennt keinen Lieferanten; der Grund der Benachrichtigung "
        "('intellectual-property') verlangt die Angaben des Lieferanten: tragen Sie den "
        "Lieferanten unter `suppliers:` ein und seine ID als `supplier:` der Rechnung",
    ]


def test_a_french_plan_hears_of_its_evidence_in_french(tmp_path: Path) -> None:
    case = _example(
        tmp_path, "fr-retard-expedition", {"kind: order-report": "kind: report"}
    )  # no problem cites an order report any more
    _cut(case.with_suffix("") / "evidence" / "parametres-connecteur-2026-10-26.png")
    uncovered = (
        "ne cite aucune preuve de type 'order-report' ou 'carrier-report' ; le motif de la "
        "notification ('late-shipment-rate') en exige une pour chaque problème: citez le rapport "
        "dans le problème (liste `evidence` d'une action ou de la preuve d'efficacité, ou son "
        "identifiant dans le texte), et donnez-lui ce type (`kind`)"
    )
    assert _lint(case) == [
        "fr-retard-expedition.yaml:43:9: error [evidence.problem-uncovered] $.problems[0].id: "
        f"le problème P1 {uncovered}",
        "fr-retard-expedition.yaml:184:9: error [evidence.problem-uncovered] $.problems[1].id: "
        f"le problème P2 {uncovered}",
        "fr-retard-expedition.yaml:324:11: error [evidence.damaged] $.evidence[2].file: "
        "'evidence/parametres-connecteur-2026-10-26.png' est un PNG endommagé ou tronqué (il n'a "
        "pas de fin): ouvrez-le et enregistrez-le ou exportez-le de nouveau",
    ]
