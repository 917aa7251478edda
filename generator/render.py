"""Render a case to Markdown (the one source of every output) and wrap converted HTML in a page."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from generator.evidence import EvidenceFile, file_size
from generator.i18n import locale as locale  # also render.locale, as before
from generator.resources import TEMPLATES

# Each field must read as if parsed on its own: nothing in it may open a block that runs on into
# the next field. So wherever a block can start (at a line's start, or after the markers of a
# block quote or list item) these are escaped: a heading, a rule or setext underline; an HTML
# block (an unclosed <pre>, <script>, <?x or <!-- would take every later line as raw text); a
# code fence (``` or ~~~, left open likewise); and the delimiter row that makes lines a table.
# And `]:` anywhere, which would make a link reference definition: its text would vanish.
# Inline Markdown (emphasis, links, lists) stays.
_CONTAINERS = re.compile(r"(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")
_AUTOLINK = (
    r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*)>"
)
_BLOCK_OPENER = re.compile(r"[#=]|[-*_](?=[-*_ \t]*$)|<(?!" + _AUTOLINK[1:] + ")")
_FENCE = re.compile(r"`{3,}|~{3,}")
_DELIMITER_ROW = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")


_RULE = re.compile(r"[ \t]*[-*_=][-*_= \t]*$")  # a rule or setext underline, list markers or not


def _block_escaped(line: str) -> str:
    if _RULE.match(line):
        at = len(line) - len(line.lstrip())
        return line[:at] + "\\" + line[at:]
    start = _CONTAINERS.match(line)
    at = start.end() if start else 0
    rest = line[at:]
    if "|" in rest and _DELIMITER_ROW.match(rest):
        return line[:at] + rest.replace("|", "\\|")
    fence = _FENCE.match(rest)
    if fence:
        return line[:at] + "".join("\\" + c for c in fence.group(0)) + rest[fence.end() :]
    if _BLOCK_OPENER.match(rest):
        return line[:at] + "\\" + rest
    return line


# Inline Markdown syntax; citations, math and raw HTML are off in the reader (convert.py).
_LITERAL = re.compile(r"([\\`*_\[\]<>|~^])")
_BLANK_RUNS = re.compile(r"\n{3,}")
# "8,5 %": the sign stays with its number on one line.
_PERCENT = re.compile(r"(?<=\d)[ \t](?=%)")
# A number and a full stop or parenthesis that starts a text ("5. November 2026", German dates)
# would start an ordered list at that number: the mark is escaped so the text stays text.
_ORDINAL_START = re.compile(r"^( {0,3}\d{1,9})([.)])(?=\s|$)")
# A numeric character reference (&#27; &#x1b;) is decoded by every Markdown reader; one that
# names a control character (or none: 0, beyond U+10FFFF) is shown as typed instead.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,9}));")


def _unsafe_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    unsafe = code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)
    unsafe = unsafe or (code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or 0x7F <= code <= 0x9F
    return "\\" + match.group(0) if unsafe else match.group(0)


def _references_as_typed(text: str) -> str:
    return _CHARACTER_REFERENCE.sub(_unsafe_reference, text) if "&#" in text else text


def text_start(text: str) -> str:
    """Text that starts a line, with a leading "5." or "5)" kept from starting a list."""
    return _ORDINAL_START.sub(r"\1\\\2", text)


def markdown_text(text: str, indent: int = 0) -> str:
    """A user's paragraph as Markdown: block syntax escaped, continuation lines indented."""
    lines = _references_as_typed(str(text).strip()).replace("]:", "]\\:").split("\n")
    text = "\n".join(_block_escaped(line) for line in lines)
    text = _PERCENT.sub("\u00a0", text_start(text))
    return text.replace("\n", "\n" + " " * indent) if indent else text


def cell_text(text: str) -> str:
    """A user's text inside one table cell: on one line, pipes escaped."""
    return " ".join(markdown_text(text).split()).replace("|", "\\|")


def literal_text(text: str) -> str:
    """A user's text shown exactly as written (names, file names): every Markdown symbol escaped."""
    text = _PERCENT.sub("\u00a0", " ".join(str(text).split()))  # a title's "1,9 %" too
    return _references_as_typed(_LITERAL.sub(r"\\\1", text))


def title_line(data: dict[str, Any], store: str | None = None) -> str:
    """The plan's title (its first heading, the page title, the PDF's title); `store` is the
    store's name as the output writes it (escaped for Markdown), else as the case has it."""
    words = locale(data["language"])
    store = data["seller"]["store_name"] if store is None else store
    return f"{words['title']}{words['colon']} {store} ({data['notice']['marketplace']})"


def uncited(ids: list[str], text: str) -> list[str]:
    """The evidence ids that a text does not already name, so none is cited twice in a row."""
    return [id_ for id_ in ids if not re.search(rf"(?<![\w-]){re.escape(id_)}(?![\w-])", text)]


def format_date(iso: str, words: dict[str, Any]) -> str:
    """An ISO date in the words of a language, e.g. 20 November 2026."""
    year, month, day = (int(part) for part in iso.split("-"))
    shown = words["day_one"] if day == 1 else str(day)  # "1er novembre", "1º dicembre"
    return str(words["format"]).format(day=shown, month=words["months"][month - 1], year=year)


@jinja2.pass_context
def _date_filter(context: Any, iso: str) -> str:
    # No-break spaces: a date is never split over two lines (nor its table cell over two).
    return format_date(iso, context["t"]["date"]).replace(" ", "\u00a0")


@jinja2.pass_context
def _size_filter(context: Any, size: int) -> str:
    return file_size(size, context["t"]["size"]).replace(" ", "\u00a0")  # "26,8 KB" on one line


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, where an entry that cannot be read is a miss."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # damaged: unpickling and unmarshalling can raise anything
            bucket.reset()


@cache
def environment() -> jinja2.Environment:
    from generator import user_cache

    # Jinja compiles filters' calling conventions into its bytecode but keys that bytecode on the
    # template source alone: key the folder on the code that defines the filters as well.
    # Compiled templates kept between runs save 30 to 75 ms a process (measured); loading them
    # runs code, so only from the user's private folder, and a damaged one is compiled anew.
    where = user_cache.private_subfolder("jinja", Path(__file__).read_bytes())
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=_BytecodeCache(str(where)) if where else None,
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html.j2"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["title_line"] = title_line
    env.filters.update(
        md=markdown_text,
        start=text_start,
        uncited=uncited,
        cell=cell_text,
        lit=literal_text,
        date=_date_filter,
        filesize=_size_filter,
    )
    return env


def render_markdown(data: dict[str, Any], files: dict[str, EvidenceFile] | None = None) -> str:
    """The plan as Markdown, in the case's language; `files` adds size and checksum to the index."""
    from generator.evidence_checks import needs

    words = locale(data["language"])
    template = environment().get_template("plan.md.j2")
    wanted = needs(data["notice"]["reason"])
    # The supplier block where the reason asks for supplier details (rules/evidence.yaml).
    show = bool(wanted and wanted.supplier_details and data.get("suppliers"))
    text = template.render(case=data, t=words, files=files or {}, show_suppliers=show)
    return _BLANK_RUNS.sub("\n\n", text).strip() + "\n"


def render_html_page(data: dict[str, Any], body: str) -> str:
    """The standalone HTML page around the converted body."""
    words = locale(data["language"])
    template = environment().get_template("plan.html.j2")
    return template.render(case=data, t=words, body=body)


# A preview line is cut here (two printed lines at most): a 20 MB one-line CSV laid out in full
# took 3.6 GB in the engine.
PREVIEW_WIDTH = 160


def text_preview(content: bytes) -> tuple[str, int]:
    """The first PREVIEW_LINES lines of a text file, each cut to PREVIEW_WIDTH characters, and
    the file's number of lines; only the part shown is decoded."""
    total = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    lines: list[str] = []
    start = 0
    while len(lines) < PREVIEW_LINES and start < len(content):
        end = content.find(b"\n", start)
        end = len(content) if end < 0 else end
        line = content[start : min(end, start + PREVIEW_WIDTH * 4)].decode("utf-8", "ignore")
        line = line.rstrip("\r")
        line = line if len(line) <= PREVIEW_WIDTH else line[: PREVIEW_WIDTH - 1] + "…"
        lines.append(line)
        start = end + 1
    return "\n".join(lines), total


_HEADING = re.compile(r"^#{1,6} (.*)$", re.MULTILINE)
_UNESCAPE = re.compile(r"\\(.)")
PREVIEW_LINES = 150


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _plain(line: str) -> str:
    """A heading as compared: pandoc's plain text makes quotes typographic."""
    return line.strip().translate(_QUOTES)


def render_counts(data: dict[str, Any], markdown: str, text: str) -> str:
    """Characters and words of each section of the paste-ready text, and of the whole."""
    headings = {_plain(_UNESCAPE.sub(r"\1", h)) for h in _HEADING.findall(markdown)}
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] = {"title": "", "lines": []}
    for line in text.splitlines():
        if _plain(line) in headings:
            sections.append(current)
            current = {"title": line.strip(), "lines": []}
        current["lines"].append(line)
    sections.append(current)
    rows = []
    for section in sections:
        body = "\n".join(section["lines"]).strip()
        if section["title"] or body:
            rows.append(
                {
                    "title": section["title"] or "-",
                    "characters": len(body),
                    "words": len(body.split()),
                }
            )
    template = environment().get_template("counts.txt.j2")
    return template.render(
        t=locale(data["language"]),
        rows=rows,
        total={"characters": len(text), "words": len(text.split())},
    )


def evidence_appendix(data: dict[str, Any], files: list[EvidenceFile]) -> list[dict[str, Any]]:
    """What the submission PDF shows of each evidence file, as data for its Typst template."""
    from generator.checks import covers

    words = locale(data["language"])
    items = {item["id"]: item for item in data.get("evidence", [])}
    suppliers = {s["id"]: s["name"] for s in data.get("suppliers", [])}
    out = []
    for found in files:
        item = items[found.id]
        entry = {
            "id": found.id,
            "description": item["description"],
            "kind": words["kind"][item["kind"]],
            "date": format_date(item["date"], words["date"]),
            "file": found.relative,
            "path": "/" + found.relative,
            "mime": found.mime,
            "size": file_size(found.size, words["size"]),
            "sha256": found.sha256,
            "pages": found.pages(),
            "ratios": page_ratios(found),
            "preview": "",
            "note": "",
            "asins": ", ".join(covers(item)),
            "supplier": suppliers.get(item.get("supplier", ""), item.get("supplier", "")),
            "number": item.get("number", ""),
        }
        if found.mime.startswith("text/"):
            shown, total = text_preview(found.content)
            entry["preview"] = shown
            if found.mime == "text/csv":
                entry["table"], entry["comments"] = csv_table(found.content)
            if total > PREVIEW_LINES:
                entry["note"] = words["labels"]["preview"].format(shown=PREVIEW_LINES, total=total)
        out.append(entry)
    return out


# A page whose shape cannot be read is shown as A4 portrait.
_A4_RATIO = 297 / 210


def page_ratios(found: EvidenceFile) -> list[float]:
    """Height over width of each page of a PDF, or of an image: the appendix scales each to the
    room on its page from this, without laying the picture out twice to measure it."""
    from generator.filecheck import pixels

    if found.mime.startswith("image/"):
        size = pixels(found.mime, found.content)
        return [size[1] / size[0] if size and size[0] else _A4_RATIO]
    if found.mime != "application/pdf":
        return []
    import io

    from pypdf import PdfReader

    ratios = []
    try:
        for page in PdfReader(io.BytesIO(found.content)).pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            if (page.get("/Rotate") or 0) % 180:
                width, height = height, width
            ratios.append(height / width if width > 0 and height > 0 else _A4_RATIO)
    except Exception:  # unreadable: shown as it can be, at the paper's shape
        return [_A4_RATIO] * max(found.pages(), 0)
    return ratios


# Where a long cell value may break in the PDF's table: after these, as Typst finds no spaces in
# names like date_expedition_prevue or 2026-09-26T08:06.
_CELL_BREAKS = re.compile(r"(?<=[_/\-.:;,=&])(?=.)")


# A CSV table in the PDF: as many lines as a text preview, each read up to this many bytes, at
# most this many columns, each cell cut like a preview line (the engine's memory stays bounded).
CSV_LINE_BYTES = PREVIEW_WIDTH * 16
CSV_COLUMNS = 24


def csv_table(content: bytes) -> tuple[list[list[list[str]]], list[str]]:
    """A CSV file's first rows for a table in the PDF, each cell as the pieces between which a
    line may break, every row as long as the header; lines starting with # are comments."""
    import csv

    lines: list[str] = []
    start = 0
    while len(lines) < PREVIEW_LINES and start < len(content):
        end = content.find(b"\n", start)
        end = len(content) if end < 0 else end
        lines.append(content[start : min(end, start + CSV_LINE_BYTES)].decode("utf-8", "ignore"))
        start = end + 1
    lines = [line.rstrip("\r") for line in lines]
    comments = [_cut(line.lstrip("#").strip()) for line in lines if line.startswith("#")]
    data = [line for line in lines if line.strip() and not line.startswith("#")]
    try:
        dialect: Any = csv.Sniffer().sniff("\n".join(data[:20]), delimiters=";,\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [row[:CSV_COLUMNS] for row in csv.reader(data, dialect)]
    width = max((len(row) for row in rows), default=0)
    table = [[_cell_pieces(_cut(cell)) for cell in row + [""] * (width - len(row))] for row in rows]
    return table, comments


def _cut(text: str) -> str:
    return text if len(text) <= PREVIEW_WIDTH else text[: PREVIEW_WIDTH - 1] + "…"


def _cell_pieces(cell: str) -> list[str]:
    """A cell split where a line may break inside a long word (dates and short codes stay)."""
    pieces = [""]
    for word in re.split(r"(\s+)", cell):
        parts = _CELL_BREAKS.split(word) if len(word) > 12 else [word]
        pieces[-1] += parts[0]
        pieces += parts[1:]
    return pieces
