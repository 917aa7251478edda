"""Render a case to Markdown (the one source of every output) and wrap converted HTML in a page."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator.evidence import EvidenceFile, file_size
from generator.loader import YAML_LOADER
from generator.resources import TEMPLATES

# Lines that would start a block (heading, rule, setext underline) in a user's text: escaped so a
# field cannot restructure the document. So is a line that reads as a link reference definition
# ([note]: text), which would vanish from every output. Inline Markdown (emphasis, links, lists)
# stays.
_BLOCK_START = re.compile(r"^( {0,3})([#=]|[-*_](?=[-*_ ]*$)|\[(?=[^\]\n]*\]:))", re.MULTILINE)
# Inline Markdown syntax; citations, math and raw HTML are off in the reader (convert.py).
_LITERAL = re.compile(r"([\\`*_\[\]<>|~^])")
_BLANK_RUNS = re.compile(r"\n{3,}")


@cache
def locale(language: str) -> dict[str, Any]:
    """The fixed words of a language, from templates/i18n/<language>.yaml."""
    path = TEMPLATES / "i18n" / f"{language}.yaml"
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.load(handle, Loader=YAML_LOADER)
    return data


def markdown_text(text: str, indent: int = 0) -> str:
    """A user's paragraph as Markdown: block syntax escaped, continuation lines indented."""
    text = _BLOCK_START.sub(r"\1\\\2", str(text).strip())
    return text.replace("\n", "\n" + " " * indent) if indent else text


def cell_text(text: str) -> str:
    """A user's text inside one table cell: on one line, pipes escaped."""
    return " ".join(markdown_text(text).split()).replace("|", "\\|")


def literal_text(text: str) -> str:
    """A user's text shown exactly as written (names, file names): every Markdown symbol escaped."""
    return _LITERAL.sub(r"\\\1", " ".join(str(text).split()))


def format_date(iso: str, words: dict[str, Any]) -> str:
    """An ISO date in the words of a language, e.g. 20 November 2026."""
    year, month, day = (int(part) for part in iso.split("-"))
    shown = words["day_one"] if day == 1 else str(day)  # French writes "1er novembre"
    return str(words["format"]).format(day=shown, month=words["months"][month - 1], year=year)


@jinja2.pass_context
def _date_filter(context: Any, iso: str) -> str:
    return format_date(iso, context["t"]["date"])


@jinja2.pass_context
def _size_filter(context: Any, size: int) -> str:
    return file_size(size, context["t"]["size"])


@cache
def environment() -> jinja2.Environment:
    from generator import cache as user_cache

    # Jinja compiles filters' calling conventions into its bytecode but keys that bytecode on the
    # template source alone: key the folder on the code that defines the filters as well.
    where = user_cache.subfolder("jinja", Path(__file__).read_bytes())
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Compiled templates kept between runs (Jinja checks them against the template files).
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(where)) if where else None,
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html.j2"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=markdown_text, cell=cell_text, lit=literal_text, date=_date_filter, filesize=_size_filter
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
            "preview": "",
            "note": "",
            "asins": ", ".join(_covered(item)),
            "supplier": suppliers.get(item.get("supplier", ""), item.get("supplier", "")),
            "number": item.get("number", ""),
        }
        if found.mime.startswith("text/"):
            lines = found.path.read_text(encoding="utf-8").splitlines()
            entry["preview"] = "\n".join(lines[:PREVIEW_LINES])
            if len(lines) > PREVIEW_LINES:
                entry["note"] = words["labels"]["preview"].format(
                    shown=PREVIEW_LINES, total=len(lines)
                )
        out.append(entry)
    return out


def _covered(item: dict[str, Any]) -> list[str]:
    """The ASINs an evidence item covers: its own list and its invoice lines."""
    lines = [line["asin"] for line in item.get("quantities", [])]
    return list(dict.fromkeys([*item.get("asins", []), *lines]))
