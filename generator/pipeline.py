"""The build, top to bottom: load → validate → lint → check evidence → render → convert → write."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import checks, convert, diff, evidence, lint, render
from generator.diagnostics import Diagnostic, Severity, UserError, has_errors
from generator.loader import LoadedCase, load_case, parse_case
from generator.validate import validate_case

FORMATS = ("md", "html", "pdf", "txt")
# What goes to Amazon, and Word for agencies that exchange drafts: `bundle` adds these.
BUNDLE = ("docx", "submission", "zip")
# The file name of each output in build/<case>/, after the case's name.
SUFFIXES = {
    "md": ".md",
    "html": ".html",
    "pdf": ".pdf",
    "txt": ".txt",
    "counts": "-counts.txt",
    "docx": ".docx",
    "submission": "-submission.pdf",
    "zip": "-evidence.zip",
}


@dataclass
class Checked:
    """A case after load, validation, lint and the evidence check, with all that was found."""

    case: LoadedCase | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    evidence: list[evidence.EvidenceFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.case is not None and not has_errors(self.diagnostics)


def check_case(file: str | Path, settings: lint.Settings | None = None) -> Checked:
    """Load and validate one case, and with settings lint it and check its evidence files.

    Never raises for a user's mistake: every problem is a diagnostic.
    """
    try:
        case = load_case(file)
    except UserError as exc:
        return Checked(None, exc.diagnostics)
    return check_loaded(case, settings)


def check_text(file: str | Path, text: str, settings: lint.Settings | None = None) -> Checked:
    """check_case for a case's text that is not saved yet (an editor's buffer)."""
    try:
        case = parse_case(str(file), text)
    except UserError as exc:
        return Checked(None, exc.diagnostics)
    return check_loaded(case, settings)


def check_loaded(case: LoadedCase, settings: lint.Settings | None = None) -> Checked:
    """The checks after loading: validation, then with settings lint and evidence."""
    diagnostics = validate_case(case)
    if settings is None or diagnostics:
        return Checked(case, diagnostics)
    files, problems = evidence.check_evidence(case)
    unchanged = diff.unchanged_since_rejection(case)
    if unchanged:
        graded = lint.grade(
            case, checks.Finding("lint.resubmission", ("submissions",), unchanged), settings
        )
        problems += [graded] if graded else []
    return Checked(case, sorted(lint.lint_case(case, settings) + problems), files)


def pdf_meta(data: dict[str, Any]) -> dict[str, Any]:
    """The facts the PDF page template needs, in the plan's language."""
    words = render.locale(data["language"])
    seller, notice = data["seller"], data["notice"]
    return {
        "title": f"{words['title']}{words['colon']} {seller['store_name']} "
        f"({notice['marketplace']})",
        "author": seller["legal_name"],
        "asins": list(notice.get("asins", [])),
        "lang": data["language"],
        "header-left": f"{words['title']}{words['colon']} {seller['legal_name']}",
        "header-right": render.format_date(data["date"], words["date"]),
        "page": words["labels"]["page"],
        "page-of": words["labels"]["page_of"],
    }


def render_outputs(
    case: LoadedCase, files: list[evidence.EvidenceFile], formats: tuple[str, ...] = FORMATS
) -> dict[str, bytes]:
    """Every requested output of a valid case, in memory: nothing is written yet."""
    data = case.data
    asins = list(data["notice"].get("asins", []))
    markdown = render.render_markdown(data, {f.id: f for f in files})
    outputs: dict[str, bytes] = {}
    if "md" in formats:
        outputs["md"] = markdown.encode("utf-8")
    wanted = {"html": "html5", "txt": "plain", "pdf": "typst", "submission": "typst"}
    writers = tuple(dict.fromkeys(wanted[fmt] for fmt in formats if fmt in wanted))
    texts = convert.write_texts(markdown, asins, writers) if writers else {}
    if "html" in formats:
        outputs["html"] = render.render_html_page(data, texts["html5"]).encode("utf-8")
    if "txt" in formats:
        outputs["txt"] = texts["plain"].encode("utf-8")
        outputs["counts"] = render.render_counts(data, markdown, texts["plain"]).encode("utf-8")
    if "docx" in formats:
        outputs["docx"] = convert.to_docx(markdown, asins, data["date"])
    if {"pdf", "submission"} & set(formats):
        typst_body = texts["typst"]
        meta = pdf_meta(data)
        if "pdf" in formats:
            with evidence.staged([]) as nothing:  # the plan itself reads no file
                outputs["pdf"] = convert.typst_to_pdf(typst_body, meta, data["date"], nothing)
        if "submission" in formats:
            words = render.locale(data["language"])
            labels = {**words["table"], **words["labels"]}
            appendix = {
                "evidence": render.evidence_appendix(data, files),
                "evidence-labels": labels,
            }
            with evidence.staged(files) as folder:
                outputs["submission"] = convert.typst_to_pdf(
                    typst_body, {**meta, **appendix}, data["date"], folder, appendix=True
                )
    if "zip" in formats:
        outputs["zip"] = evidence.evidence_zip(data, files)
    return outputs


def text_length(case: LoadedCase, text: bytes, settings: lint.Settings) -> list[Diagnostic]:
    """The paste-ready text against the character limit (lint.length)."""
    count = len(text.decode("utf-8"))
    limit = case.data.get("lint", {}).get("max_chars", settings.max_chars)
    if count <= limit:
        return []
    finding = checks.Finding(
        "lint.length", ("problems",), f"the paste-ready text has {count} characters, over {limit}"
    )
    graded = lint.grade(case, finding, settings)
    return [graded] if graded else []


def output_paths(
    name: str, out_dir: Path, formats: Collection[str], key: str | None = None
) -> dict[str, Path]:
    """Where each output of the case `name` goes: out_dir/<key>/<name>.<suffix>, the key being
    the case's path below cases/ (repository.output_key; default the name). The text comes with
    its counts file."""
    outputs = [*formats, *(["counts"] if "txt" in formats else [])]
    folder = out_dir / (key or name)
    return {fmt: folder / f"{name}{SUFFIXES[fmt]}" for fmt in dict.fromkeys(outputs)}


def write_diagnostic(case: LoadedCase, error: OSError) -> Diagnostic:
    where = f" {error.filename}" if error.filename else ""
    return Diagnostic(
        case.file,
        1,
        1,
        Severity.ERROR,
        "io.write",
        "",
        f"cannot write{where}: {error.strerror or error}",
        "free disk space or make the output folder writable; the previous outputs were kept",
    )


def conversion_diagnostic(case: LoadedCase, error: convert.ConversionError) -> Diagnostic:
    return Diagnostic(
        case.file,
        1,
        1,
        Severity.ERROR,
        "build.convert",
        "",
        error.step + " failed: " + error.detail.splitlines()[0][:300],
        "the previous outputs were kept; report this with the case file if it persists",
    )
