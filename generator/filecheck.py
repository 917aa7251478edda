"""What an evidence file's bytes hold, read from their structure without decoding them: an
image's size in pixels from its header, and whether a PNG, JPEG or PDF is whole and readable.

The PDF engine decodes every image in full: a 3.5 MB PNG of 30000 x 30000 pixels takes gigabytes
there. So the size is read here first, and a file the engine would choke on is a diagnostic at
its line instead of a failed build.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Mapping

# An image is refused above this many pixels (a 50-megapixel photo passes). 16-bit colour counts
# four times: the engine holds it at about that much more memory (measured: 50 MP of 16-bit RGBA
# took 600 MB, 48 MP of 8-bit RGB 170 MB).
MAX_PIXELS = 50_000_000
# And all images of one case together: the engine holds them all while it writes the bundle.
MAX_CASE_PIXELS = 100_000_000
# Pages of all PDFs of one case: each is laid out in the submission PDF (3,000 pages took 420 MB).
MAX_CASE_PAGES = 500

# What is wrong with a file: its code, the variant of the code's wording in rules/rules.yaml
# ("" for the main one), and the values that wording names.
Problem = tuple[str, str, Mapping[str, object]]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# JPEG markers that start a frame (and carry its size): SOF0-3, 5-7, 9-11, 13-15.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def pixels(mime: str, content: bytes) -> tuple[int, int, int] | None:
    """Width, height and bits per sample of a PNG or JPEG, from its header (None if unreadable)."""
    if mime == "image/png":
        if len(content) < 33 or content[12:16] != b"IHDR":
            return None
        width, height, depth = struct.unpack(">IIB", content[16:25])
        return width, height, depth
    if mime == "image/jpeg":
        for marker, start, length in _jpeg_segments(content):
            if marker in _SOF and length >= 8:
                depth, height, width = struct.unpack(">BHH", content[start : start + 5])
                return width, height, depth
    return None


def cost(size: tuple[int, int, int]) -> int:
    """What an image counts against the pixel limits (16-bit samples count four times)."""
    width, height, depth = size
    return width * height * (4 if depth > 8 else 1)


def damage(mime: str, content: bytes, decode: bool = True) -> tuple[Problem | None, int]:
    """Why the PDF engine could not use these bytes (or None: a PNG whose chunks or compressed
    data are broken or cut off, a JPEG without its frame or end, a PDF that is encrypted, has
    no end marker or no readable page), and the pages they take (a PDF's pages, else 1).

    Without `decode` a PNG's chunks, checksums and end are checked but its pixels are not
    inflated, and a plain PDF's pages are counted from its page objects instead of its parsed
    page tree: those were most of the time `lint` spends on a case with evidence, and a file cut
    off or changed after it was written is caught all the same. A build decodes and parses."""
    if mime == "image/png":
        return _png_damage(content, decode), 1
    if mime == "image/jpeg":
        return _jpeg_damage(content), 1
    if mime == "application/pdf":
        pages = None if decode else _plain_pdf_pages(content)
        return (None, pages) if pages else _pdf_damage(content)
    return None, 1


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def _plain_pdf_pages(content: bytes) -> int | None:
    """The page objects of an unencrypted PDF whose objects all stand uncompressed, with its
    end marker (None for any other PDF, which is parsed)."""
    if b"%%EOF" not in content[-2048:] or b"/Encrypt" in content or b"/ObjStm" in content:
        return None
    return len(_PAGE_OBJECT.findall(content)) or None


def _damaged(variant: str = "", **values: object) -> Problem:
    return "evidence.damaged", variant, values


def _png_damage(content: bytes, decode: bool) -> Problem | None:
    position, chunks, inflater, produced = len(_PNG_SIGNATURE), 0, zlib.decompressobj(), 0
    header: tuple[int, ...] = ()
    palette = False
    while position + 12 <= len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        data = content[position + 8 : position + 8 + length]
        end = position + 12 + length
        if end > len(content):
            break
        (crc,) = struct.unpack(">I", content[end - 4 : end])
        if zlib.crc32(kind + data) & 0xFFFFFFFF != crc:
            return _damaged("png-part", part=kind.decode("latin-1"))
        chunks += 1
        if chunks == 1:
            if kind != b"IHDR" or length != 13:
                return _damaged("png-start")
            header = struct.unpack(">IIBBBBB", data)
            if header[0] == 0 or header[1] == 0 or header[3] not in _PNG_CHANNELS:
                return _damaged("png-header")
        elif kind == b"PLTE":
            palette = True
        elif kind == b"IDAT":
            if header[3] == 3 and not palette:
                return _damaged("png-palette")
            try:
                # The pixels are inflated and thrown away piece by piece: memory stays small.
                while decode and data:
                    produced += len(inflater.decompress(data, 1 << 20))
                    data = inflater.unconsumed_tail
            except zlib.error:
                return _damaged("png-data")
        elif kind == b"IEND":
            if decode and not inflater.eof:
                return _damaged("png-cut")
            if decode and produced < _png_raw_size(header):
                return _damaged("png-short")
            return None
        position = end
    return _damaged("png-end")


def _png_raw_size(header: tuple[int, ...]) -> int:
    """Bytes of filtered scan lines a PNG's data must inflate to (interlaced: a lower bound)."""
    width, height, depth, colour, _, _, interlace = header
    bits = width * _PNG_CHANNELS[colour] * depth
    return 0 if interlace else height * (1 + (bits + 7) // 8)


def _jpeg_segments(content: bytes) -> list[tuple[int, int, int]]:
    """(marker, start of its data, length) of each header segment up to the first scan."""
    out: list[tuple[int, int, int]] = []
    position = 2
    while position + 4 <= len(content) and content[position] == 0xFF:
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        out.append((marker, position + 4, length))
        if marker == 0xDA:
            break
        position += 2 + length
    return out


def _jpeg_damage(content: bytes) -> Problem | None:
    segments = _jpeg_segments(content)
    if not any(marker in _SOF for marker, _, _ in segments):
        return _damaged("jpeg-frame")
    size = pixels("image/jpeg", content)
    if size is None or size[0] == 0 or size[1] == 0:
        return _damaged("jpeg-size")
    if not segments or segments[-1][0] != 0xDA:
        return _damaged("jpeg-data")
    if b"\xff\xd9" not in content[segments[-1][1] :]:
        return _damaged("jpeg-end")
    return None


def _pdf_damage(content: bytes) -> tuple[Problem | None, int]:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in content[-2048:]:
        return _damaged("pdf-end"), 0
    # pypdf reports what it repairs through logging: the diagnostic says it instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    failures = (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError)

    def read(strict: bool) -> int | None:
        """The page count, or None for an encrypted file."""
        reader = PdfReader(io.BytesIO(content), strict=strict)
        return None if reader.is_encrypted else len(reader.pages)

    try:
        try:
            # Strict reading skips pypdf's check of every cross-reference entry, a third of the
            # time on a well-formed file; a file that needs repair is read again leniently.
            pages = read(strict=True)
        except failures:
            pages = read(strict=False)
    except failures:
        return _damaged(), 0  # the main sentence: a PDF that cannot be read
    if pages is None:
        return ("evidence.encrypted", "", {}), 0
    if pages == 0:
        return _damaged("pdf-pages"), 0
    return None, pages
