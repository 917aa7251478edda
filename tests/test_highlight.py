"""Highlights in the submission PDF: ASINs, supplier names and invoice numbers in the evidence."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from generator import highlight, lint, pipeline
from tests.helpers import run

EXAMPLE = Path("cases/inauthentic-two-suppliers.yaml")
HAS_TESSERACT = highlight.ocr_available()


@pytest.fixture(scope="module")
def submission() -> tuple[bytes, list[str]]:
    """The example's submission PDF as Typst writes it, before any highlight, and what to mark."""
    checked = pipeline.check_case(EXAMPLE, lint.load_settings())
    assert checked.case is not None and checked.diagnostics == []
    with pytest.MonkeyPatch.context() as patch:  # the PDF as Typst writes it
        patch.setattr(highlight, "highlight_pdf", lambda pdf, _: highlight.Highlighted(pdf))
        outputs = pipeline.render_outputs(checked.case, checked.evidence, ("submission",))
    pdf = outputs["submission"]
    assert _highlights(pdf) == {}
    with_none = highlight.highlight_pdf(pdf, [])
    assert with_none.pdf == pdf  # nothing to mark: the PDF is left as it was
    return pdf, highlight.needles(checked.case.data)


def _highlights(pdf: bytes) -> dict[int, list[dict[str, object]]]:
    """Every /Highlight annotation by page number (from 1), with its text and boxes."""
    found: dict[int, list[dict[str, object]]] = {}
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation["/Subtype"] == "/Highlight":
                quads = [float(v) for v in annotation["/QuadPoints"]]
                found.setdefault(number, []).append(
                    {
                        "text": str(annotation["/Contents"]),
                        "quads": quads,
                        "ap": "/AP" in annotation,
                    }
                )
    return found


def test_what_is_marked_comes_from_the_case() -> None:
    from generator.loader import load_case

    assert highlight.needles(load_case(EXAMPLE).data) == [
        "Thermora Distribution UK Ltd",
        "Northbridge Wholesale Ltd",
        "NBW-2026-3307",
        "B0CX4T7KQ2",
        "B0CX4T9WM5",
        "TDU-24518",
    ]


def test_the_evidence_pdfs_of_the_example_are_highlighted(
    submission: tuple[bytes, list[str]],
) -> None:
    pdf, wanted = submission
    marked = highlight.highlight_pdf(pdf, wanted, ocr=False)
    assert marked.unsearched_images == 1  # the scanned delivery note
    found = _highlights(marked.pdf)
    texts = {page: sorted(str(h["text"]) for h in marks) for page, marks in found.items()}
    # Pages 1-3 are the plan itself: its ASINs are not marked. 4 and 5 are the two invoices,
    # 6 the letter of authorisation.
    assert texts == {
        4: [
            "B0CX4T7KQ2",
            "TDU-24518",
            "Thermora Distribution UK Ltd",
            "Thermora Distribution UK Ltd",
        ],
        5: [
            "B0CX4T9WM5",
            "NBW-2026-3307",
            "Northbridge Wholesale Ltd",
            "Northbridge Wholesale Ltd",
        ],
        6: [
            "B0CX4T7KQ2",
            "B0CX4T9WM5",
            "Northbridge Wholesale Ltd",
            "Thermora Distribution UK Ltd",
        ],
    }
    assert sum(len(marks) for marks in found.values()) == 12
    assert all(h["ap"] for marks in found.values() for h in marks)


def test_each_highlight_covers_the_words_it_names(submission: tuple[bytes, list[str]]) -> None:
    """The text under each quadrilateral, as pdfminer reads it, is the marked text."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTFigure

    pdf, wanted = submission
    marked = highlight.highlight_pdf(pdf, wanted, ocr=False).pdf
    found = _highlights(marked)
    pages = list(extract_pages(io.BytesIO(marked), laparams=LAParams()))

    def chars(node: object) -> list[LTChar]:
        out: list[LTChar] = []
        for item in node:  # type: ignore[attr-defined]
            if isinstance(item, LTChar):
                out.append(item)
            elif isinstance(item, LTFigure):
                out += chars(item)
        return out

    checked = 0
    for number, marks in found.items():
        page_chars = chars(pages[number - 1])
        for mark in marks:
            quads = mark["quads"]
            assert isinstance(quads, list)
            under = ""
            for q in range(0, len(quads), 8):
                x0, y1, x1, _, _, y0, _, _ = quads[q : q + 8]
                line = [
                    c
                    for c in page_chars
                    if x0 - 0.5 <= (c.x0 + c.x1) / 2 <= x1 + 0.5
                    and y0 - 0.5 <= (c.y0 + c.y1) / 2 <= y1 + 0.5
                ]
                under += "".join(c.get_text() for c in line)
            assert "".join(under.split()) == "".join(str(mark["text"]).split())
            checked += 1
    assert checked == 12


def test_the_highlighted_pdf_is_sound_and_keeps_what_typst_wrote(
    submission: tuple[bytes, list[str]],
) -> None:
    pdf, wanted = submission
    marked = highlight.highlight_pdf(pdf, wanted, ocr=False).pdf
    assert marked.startswith(pdf)  # an incremental update: the original bytes stay
    with pikepdf.open(io.BytesIO(marked)) as document:
        assert document.check_pdf_syntax() == []
        assert "/StructTreeRoot" in document.Root
        assert len(document.attachments) == 6  # every evidence file still attached
    assert highlight.highlight_pdf(pdf, wanted, ocr=False).pdf == marked  # reproducible


@pytest.mark.skipif(not HAS_TESSERACT, reason="tesseract is not installed (make test installs it)")
def test_the_scanned_delivery_note_is_read_and_highlighted(
    submission: tuple[bytes, list[str]],
) -> None:
    pdf, wanted = submission
    marked = highlight.highlight_pdf(pdf, wanted, ocr=True)
    assert marked.unsearched_images == 0
    found = _highlights(marked.pdf)
    assert sorted(str(h["text"]) for h in found[8]) == [
        "B0CX4T9WM5",  # read as BOCX4T9WM5: the look-alikes are merged before comparing
        "NBW-2026-3307",
        "Northbridge Wholesale Ltd",
    ]
    # The boxes lie inside the image as placed on the page.
    reader = PdfReader(io.BytesIO(marked.pdf))
    width, height = (float(v) for v in reader.pages[7].mediabox[2:])
    for mark in found[8]:
        quads = mark["quads"]
        assert isinstance(quads, list)
        assert all(0 < x < width for x in quads[0::2]) and all(0 < y < height for y in quads[1::2])


def test_without_tesseract_a_build_says_once_that_images_were_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(highlight, "ocr_available", lambda: False)
    cases = [str(EXAMPLE), "cases/asin-recall.yaml"]  # both have images among their evidence
    code, _, err = run("bundle", "--jobs", "1", "--out", str(tmp_path), *cases)
    assert code == 0, err
    assert err.count("note: Tesseract is not installed") == 1
    submission = tmp_path / "inauthentic-two-suppliers" / "inauthentic-two-suppliers-submission.pdf"
    assert sum(len(m) for m in _highlights(submission.read_bytes()).values()) == 12


@pytest.mark.skipif(not HAS_TESSERACT, reason="tesseract is not installed (make test installs it)")
def test_an_image_is_read_once_and_then_from_the_cache(
    submission: tuple[bytes, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf, wanted = submission
    first = highlight.highlight_pdf(pdf, wanted, ocr=True).pdf
    calls: list[object] = []
    monkeypatch.setattr(highlight.subprocess, "run", lambda *a, **k: calls.append(a))
    assert highlight.highlight_pdf(pdf, wanted, ocr=True).pdf == first
    assert calls == []


@pytest.mark.skipif(not HAS_TESSERACT, reason="tesseract is not installed (make test installs it)")
def test_a_jpeg_scan_is_read_as_embedded(tmp_path: Path) -> None:
    """A JPEG stays JPEG inside the PDF (DCTDecode); Tesseract reads those bytes as they are.

    tests/scans/delivery-note.jpg is the example's delivery note as a greyscale JPEG (cjpeg
    -grayscale -quality 70), 21 KB.
    """
    import shutil

    shutil.copytree(EXAMPLE.with_suffix(""), tmp_path / "case")
    scan = tmp_path / "case" / "evidence" / "delivery-note.jpg"
    shutil.copy("tests/scans/delivery-note.jpg", scan)
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "evidence/delivery-note-northbridge-2026-10-03.png", "evidence/delivery-note.jpg"
    )
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    checked = pipeline.check_case(tmp_path / "case.yaml", lint.load_settings())
    assert checked.case is not None and checked.diagnostics == []
    pdf = pipeline.render_outputs(checked.case, checked.evidence, ("submission",))["submission"]
    page = PdfReader(io.BytesIO(pdf)).pages[7]
    filters = []
    for xobject in page["/Resources"]["/XObject"].values():
        for inner in xobject.get_object().get("/Resources", {}).get("/XObject", {}).values():
            filters.append(inner.get_object().get("/Filter"))
        filters.append(xobject.get_object().get("/Filter"))
    assert "/DCTDecode" in [str(f) for f in filters if f is not None]
    assert sorted(str(h["text"]) for h in _highlights(pdf)[8]) == [
        "B0CX4T9WM5",
        "NBW-2026-3307",
        "Northbridge Wholesale Ltd",
    ]
