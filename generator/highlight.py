"""Mark what a reviewer checks inside the evidence of the submission PDF: ASINs, supplier names and
invoice numbers, as standard PDF highlight annotations (/Subtype /Highlight with QuadPoints).

Text positions come from pdfminer.six (MIT): the evidence pages Typst embeds are form XObjects,
so their characters are the ones inside a figure, already in page coordinates; the plan's own
text is left alone. Images (screenshots, scans) are read by Tesseract where it is installed, from
the pixels embedded in the PDF itself. The annotations are appended as an incremental update, so
the PDF it is given (Typst's, with the attachments marked) stays byte for byte inside the new one.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

OCR_TIMEOUT = 60
# Tesseract's memory grows with the pixels it reads: a 50-megapixel image took over 1 GiB. An A4
# scan at 300 dpi has 8.7 megapixels; larger images are left unmarked and said so. The pixels
# are decoded here first: at 16 megapixels the largest allowed bundle came to 1,010-1,020 MiB,
# at 12 920-940 (tests/test_hostile_files.py holds it under 1 GiB).
OCR_MAX_PIXELS = 12_000_000
# What Tesseract is given at most: a larger image is thinned out to this (on a 2.7-megapixel
# image of noise, the worst case, it took 290 MiB in colour, 61 MiB in grey).
OCR_GIVEN = 3_000_000
COLOUR = (1.0, 0.85, 0.0)  # a highlighter yellow, drawn multiplied so the text stays black
# Characters Tesseract confuses in identifiers, mapped to one of each pair on both sides of a
# comparison (the same length, so positions still hold).
_OCR_SAME = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "Z": "2", "B": "8"})

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, y upwards


@dataclass
class Highlighted:
    """The marked PDF and what was done: marks per page, and images left unsearched."""

    pdf: bytes
    marks: dict[int, list[str]] = field(default_factory=dict)  # page index -> texts marked
    unsearched_images: int = 0
    oversized_images: int = 0


def needles(data: dict[str, Any]) -> list[str]:
    """What to mark for a case: its ASINs, its suppliers' names and its invoice numbers."""
    from generator.checks import covers

    asins = list(data["notice"].get("asins", []))
    for item in data.get("evidence", []):
        asins += covers(item)
    names = [supplier["name"] for supplier in data.get("suppliers", [])]
    numbers = [
        i["number"] for i in data.get("evidence", []) if i["kind"] == "invoice" and "number" in i
    ]
    found = [text for text in dict.fromkeys([*asins, *names, *numbers]) if text.strip()]
    return sorted(found, key=len, reverse=True)  # a longer one wins where two overlap


UNSEARCHED = (
    "Tesseract is not installed, so the images in the submission PDF (screenshots, scans) were "
    "not searched for ASINs, supplier names and invoice numbers to highlight; install "
    "tesseract-ocr to have them marked"
)
OVERSIZED = (
    "{count} image(s) in the evidence have more than "
    f"{OCR_MAX_PIXELS // 1_000_000} megapixels and were not searched for "
    "ASINs, supplier names and invoice numbers to highlight; scale a screenshot or scan down "
    "(300 dpi is enough) to have it marked"
)


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_version() -> str:
    """Which Tesseract would mark the images (it decides a submission PDF too), or none.

    The program's size and time stand for its version: asking it costs a process per run.
    """
    path = shutil.which("tesseract")
    if path is None:
        return "none"
    try:
        stat = os.stat(path)
    except OSError:
        return "none"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def highlight_pdf(pdf: bytes, wanted: list[str], ocr: bool | None = None) -> Highlighted:
    """The PDF with every occurrence of `wanted` inside its embedded evidence highlighted."""
    if ocr is None:
        ocr = ocr_available()
    patterns = [_pattern(text) for text in wanted]
    read = [(text, _pattern(text.upper().translate(_OCR_SAME))) for text in wanted]
    result = Highlighted(pdf)
    marks: list[tuple[int, str, list[Box]]] = []
    for index, page in enumerate(_layout(pdf)):
        for figure in _figures(page):
            chars = [c for c in _walk(figure) if _is_char(c)]
            marks += [(index, text, boxes) for text, boxes in _find_in_chars(chars, patterns)]
            for image in (c for c in _walk(figure) if type(c).__name__ == "LTImage"):
                if not ocr:
                    result.unsearched_images += 1
                    continue
                width, height = image.srcsize
                if (width or 0) * (height or 0) > OCR_MAX_PIXELS:
                    result.oversized_images += 1
                    continue
                marks += [(index, text, boxes) for text, boxes in _find_in_image(image, read)]
    if not marks:
        return result
    result.pdf = _annotate(pdf, marks)
    for index, text, _ in marks:
        result.marks.setdefault(index, []).append(text)
    return result


def _pattern(text: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in text.split()]
    return re.compile(r"(?<![0-9A-Za-z])" + r"\s*".join(words) + r"(?![0-9A-Za-z])", re.I)


def _layout(pdf: bytes) -> Iterator[Any]:
    """Each page as pdfminer's layout tree, without its text analysis (characters as drawn)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    for page in PDFPage.get_pages(io.BytesIO(pdf)):
        if not page.resources or not page.resources.get("XObject"):
            yield []  # no embedded page or image: a page of the plan itself
            continue
        try:
            interpreter.process_page(page)
        except Exception:  # an evidence page pdfminer cannot follow: it stays unmarked
            yield []
            continue
        yield device.get_result()


# pdfminer's layout classes are told apart by name: pdfminer is imported only when a submission
# PDF is made, not by every command that imports this module.


def _figures(page: Any) -> Iterator[Any]:
    """The page's outermost figures: the embedded evidence (pages of a PDF, images)."""
    for item in page:
        if type(item).__name__ == "LTFigure":
            yield item


def _walk(node: Any) -> Iterator[Any]:
    for item in node:
        yield item
        if type(item).__name__ == "LTFigure":
            yield from _walk(item)


def _is_char(item: Any) -> bool:
    return type(item).__name__ == "LTChar"


def _find_in_chars(
    chars: list[Any], patterns: list[re.Pattern[str]]
) -> Iterator[tuple[str, list[Box]]]:
    """Matches in the characters of one embedded page, each as one box per line it covers."""
    text, owners = "", []  # owners[i]: the character drawn at text[i], or None for a gap
    previous = None
    for char in chars:
        if previous is not None:
            height = max(char.height, 1.0)
            if abs(char.y0 - previous.y0) > height / 2 or char.x0 < previous.x0 - height:
                text, owners = text + "\n", [*owners, None]
            elif char.x0 - previous.x1 > height / 4:
                text, owners = text + " ", [*owners, None]
        glyphs = char.get_text()
        text += glyphs
        owners += [char] * len(glyphs)
        previous = char
    taken: list[tuple[int, int]] = []
    for pattern in patterns:
        for found in pattern.finditer(text):
            if any(found.start() < end and start < found.end() for start, end in taken):
                continue
            taken.append(found.span())
            lines: list[list[Any]] = [[]]
            for i in range(found.start(), found.end()):
                if text[i] == "\n":
                    lines.append([])
                elif owners[i] is not None:
                    lines[-1].append(owners[i])
            boxes = [_union((c.x0, c.y0, c.x1, c.y1) for c in line) for line in lines if line]
            yield " ".join(found.group(0).split()), boxes


def _union(boxes: Iterable[Box]) -> Box:
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return min(x0), min(y0), max(x1), max(y1)


def _find_in_image(
    image: Any, patterns: list[tuple[str, re.Pattern[str]]]
) -> Iterator[tuple[str, list[Box]]]:
    """Matches in the words Tesseract reads from an embedded image, mapped onto the page.

    Each pattern is written as _OCR_SAME reads it (upper case, look-alikes merged), beside
    the text it stands for.
    """
    given = _image_file(image)
    if given is None:
        return
    picture, width, height = given
    tsv = _read_words(picture)
    if tsv is None:
        return  # an image that cannot be read stays unmarked; the plan is still built
    x0, y0, x1, y1 = image.bbox
    scale_x, scale_y = (x1 - x0) / width, (y1 - y0) / height
    for words in _ocr_lines(tsv):
        text = " ".join(word for word, _ in words)
        starts = [0]
        for word, _ in words:
            starts.append(starts[-1] + len(word) + 1)
        compared = text.upper().translate(_OCR_SAME)
        for wanted, pattern in patterns:
            for found in pattern.finditer(compared):
                hit = [
                    box
                    for (_, box), start, end in zip(words, starts, starts[1:], strict=False)
                    if start < found.end() and found.start() < end - 1
                ]
                left, top, right, bottom = _union(hit)
                page_box = (x0 + left * scale_x, y1 - bottom * scale_y)
                yield wanted, [(*page_box, x0 + right * scale_x, y1 - top * scale_y)]


OCR_CACHE_DAYS = 30


def _read_words(picture: bytes) -> str | None:
    """Tesseract's words and boxes (TSV) for an image, kept in the user's cache by its bytes:
    the same screenshot is read once, not at every build."""
    from generator import user_cache

    key = ocr_version().encode() + b"\0" + picture
    name = "ocr/" + hashlib.sha256(key).hexdigest()
    stored = user_cache.load_json(name, key)
    if isinstance(stored, str):
        user_cache.mark_used(name)
        return stored
    _prune_once()
    # One thread: Tesseract's OpenMP start-up costs more than it saves on a page (0.76 -> 0.19 s).
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "tsv"],
            input=picture,
            capture_output=True,
            timeout=OCR_TIMEOUT,
            check=False,
            env=environment,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    tsv = done.stdout.decode("utf-8", "replace")
    user_cache.save_json(name, key, tsv, durable=False)
    return tsv


@functools.cache
def _prune_once() -> None:
    from generator import user_cache

    user_cache.prune("ocr", days=OCR_CACHE_DAYS)


def _ocr_lines(tsv: str) -> Iterator[list[tuple[str, Box]]]:
    """Tesseract's words by line, each with its pixel box (left, top, right, bottom)."""
    lines: dict[tuple[str, ...], list[tuple[str, Box]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (float(cells[i]) for i in (6, 7, 8, 9))
        key = tuple(cells[1:5])
        lines.setdefault(key, []).append((cells[11], (left, top, left + width, top + height)))
    yield from lines.values()


def _image_file(image: Any) -> tuple[bytes, int, int] | None:
    """The embedded image as a file Tesseract reads, and its size in pixels as read: JPEG as it
    is, raw pixels as a grey PNM of at most OCR_GIVEN pixels."""
    if image.bits != 8:
        return None  # Tesseract reads 8-bit pixels; checked before the stream is decoded
    width, height = image.srcsize
    if not width or not height:
        return None
    stream = image.stream
    filters = [name for name, _ in stream.get_filters()]
    if filters and str(filters[-1]).strip("/'") == "DCTDecode":
        return bytes(stream.get_rawdata()), width, height
    try:
        pixels = stream.get_data()
    except Exception:  # pdfminer raises its own types for filters it cannot decode
        return None
    components = len(pixels) // (width * height)
    if components not in (1, 3) or len(pixels) != width * height * components:
        return None
    grey = pixels if components == 1 else pixels[1::3]  # green stands for brightness well enough
    # Every step-th pixel of every step-th row: a 300-dpi page is read at 150 dpi.
    step = math.ceil(math.sqrt(width * height / OCR_GIVEN))
    if step > 1:
        grey = b"".join(
            grey[row * width : (row + 1) * width : step] for row in range(0, height, step)
        )
        width, height = len(range(0, width, step)), len(range(0, height, step))
    elif 4 * width * height <= OCR_GIVEN:
        # A small image twice as large: Tesseract misreads letters a few pixels high
        # ("B0CX4T9WM5S" for B0CX4T9WM5 in the example's 110-ppi scan).
        grey, width, height = _doubled(bytes(grey), width, height), 2 * width, 2 * height
    return b"P5" + f"\n{width} {height}\n255\n".encode() + bytes(grey), width, height


def _doubled(grey: bytes, width: int, height: int) -> bytes:
    """A grey image with each pixel repeated across and each row repeated down."""
    out = bytearray()
    for row in range(height):
        line = bytearray(2 * width)
        line[0::2] = line[1::2] = grey[row * width : (row + 1) * width]
        out += line + line
    return bytes(out)


def _annotate(pdf: bytes, marks: list[tuple[int, str, list[Box]]]) -> bytes:
    """The PDF with one highlight annotation per mark, appended as an incremental update."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    reader = PdfReader(io.BytesIO(pdf))
    size: int = reader.trailer["/Size"]  # type: ignore[assignment]
    objects: dict[int, Any] = {}  # number -> object, written in this update

    def add(obj: Any) -> IndirectObject:
        nonlocal size
        objects[size] = obj
        size += 1
        return IndirectObject(size - 1, 0, reader)

    added: dict[int, list[IndirectObject]] = {}
    for index, text, boxes in marks:
        where = reader.pages[index].indirect_reference
        assert where is not None
        appearance = add(_appearance(boxes))
        added.setdefault(index, []).append(add(_highlight(text, boxes, appearance, where)))
    for index, references in added.items():
        page = reader.pages[index]
        assert page.indirect_reference is not None
        changed = DictionaryObject(dict.items(page))  # the stored values: references stay so
        before = page.get("/Annots")
        changed[NameObject("/Annots")] = ArrayObject([*(before or []), *references])
        objects[page.indirect_reference.idnum] = changed
    return _append(pdf, reader, objects, size)


def _numbers(values: Iterable[float]) -> Any:
    from pypdf.generic import ArrayObject, FloatObject

    return ArrayObject(FloatObject(round(v, 2)) for v in values)


def _appearance(boxes: list[Box]) -> Any:
    """The mark's own appearance, so every viewer (and printer) draws the same: yellow,
    multiplied onto the page so the text stays black."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    drawing = [f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f" for x0, y0, x1, y1 in boxes]
    stream = DecodedStreamObject()
    stream.set_data(
        ("/GS0 gs {:.2f} {:.2f} {:.2f} rg\n".format(*COLOUR) + "\n".join(drawing)).encode()
    )
    multiply = DictionaryObject({NameObject("/BM"): NameObject("/Multiply")})
    resources = {NameObject("/GS0"): multiply}
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _numbers(_union(boxes)),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/ExtGState"): DictionaryObject(resources)}
            ),
        }
    )
    return stream


def _highlight(text: str, boxes: list[Box], appearance: Any, page: Any) -> Any:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, TextStringObject

    quads: list[float] = []
    for x0, y0, x1, y1 in boxes:  # top left, top right, bottom left, bottom right
        quads += [x0, y1, x1, y1, x0, y0, x1, y0]
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Highlight"),
            NameObject("/Rect"): _numbers(_union(boxes)),
            NameObject("/QuadPoints"): _numbers(quads),
            NameObject("/C"): _numbers(COLOUR),
            NameObject("/F"): NumberObject(4),  # printed
            NameObject("/P"): page,
            NameObject("/Contents"): TextStringObject(text),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): appearance}),
        }
    )


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _append(pdf: bytes, reader: Any, objects: dict[int, Any], size: int) -> bytes:
    """`pdf` followed by an update holding `objects`, with its cross-reference table."""
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    previous = _STARTXREF.search(pdf[-1024:])
    assert previous is not None, "Typst ends every PDF with startxref"
    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode())
        objects[number].write_to_stream(out)
        out.write(b"\nendobj\n")
    table = out.tell()
    out.write(b"xref\n")
    numbers = sorted(offsets)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        out.write(f"{run[0]} {len(run)}\n".encode())
        out.write(b"".join(f"{offsets[n]:010d} 00000 n\r\n".encode() for n in run))
    trailer = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(size),
            NameObject("/Prev"): NumberObject(int(previous.group(1))),
        }
    )
    for key in ("/Root", "/Info", "/ID"):
        if key in reader.trailer:
            trailer[NameObject(key)] = reader.trailer.raw_get(key)
    out.write(b"trailer\n")
    trailer.write_to_stream(out)
    out.write(f"\nstartxref\n{table}\n%%EOF\n".encode())
    return out.getvalue()
