"""The build of one case, top to bottom: load → validate → lint → check evidence → render →
convert → write (build_case), and the check alone (check_case). batch.py runs either for many
cases at once."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import convert, evidence, evidence_checks, highlight, lint, render, repository
from generator.diagnostics import Diagnostic, Severity, UserError, has_errors, write_error
from generator.loader import LoadedCase, parse_bytes, parse_case, read_case_bytes
from generator.validate import validate_case
from generator.write import write_all

FORMATS = ("md", "html", "pdf", "txt")
# What goes to Amazon, and Word for agencies that exchange drafts: `bundle` adds these.
BUNDLE = ("docx", "submission", "zip")
# The file name of each output in build/<case>/, after the case's name.
SUFFIXES = {
    **{fmt: f".{fmt}" for fmt in ("md", "html", "pdf", "txt", "docx")},
    **{"counts": "-counts.txt", "submission": "-submission.pdf", "zip": "-evidence.zip"},
}
# Beside the outputs: the fingerprint of the inputs they were built from.
STAMP = ".inputs.sha256"


@dataclass(frozen=True)
class Options:
    """How to build: where to, which formats, and how findings are graded."""

    out_dir: Path
    formats: tuple[str, ...]
    strict: bool = False  # every warning is an error
    allow_lint_errors: bool = False  # a lint error is printed but does not stop the build
    force: bool = False  # build even if the inputs did not change


@dataclass
class Result:
    """What became of one case."""

    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    failed: bool = False
    skipped: bool = False  # up to date: nothing rendered or written
    notes: list[str] = field(default_factory=list)  # what this machine could not do


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
        source = read_case_bytes(file)
    except UserError as exc:
        return Checked(None, exc.diagnostics)
    return check_source(file, source, settings)


def check_source(
    file: str | Path, source: bytes, settings: lint.Settings | None = None, decode: bool = True
) -> Checked:
    """check_case for a case's bytes already read (the lint cache reads them for its key).
    Without `decode`, as `lint` does, images are checked for their structure only (see
    filecheck.damage)."""
    try:
        case = parse_bytes(str(file), source)
    except UserError as exc:
        return Checked(None, exc.diagnostics)
    return check_loaded(case, settings, decode)


def check_text(file: str | Path, text: str, settings: lint.Settings | None = None) -> Checked:
    """check_case for a case's text that is not saved yet (an editor's buffer)."""
    try:
        case = parse_case(str(file), text)
    except UserError as exc:
        return Checked(None, exc.diagnostics)
    return check_loaded(case, settings)


def check_loaded(
    case: LoadedCase, settings: lint.Settings | None = None, decode: bool = True
) -> Checked:
    """The checks after loading: validation, then with settings lint and evidence."""
    diagnostics = validate_case(case)
    if settings is None or diagnostics:
        return Checked(case, diagnostics)
    files, problems = evidence.check_evidence(case, decode)
    problems += evidence_checks.check_case(case, settings)
    return Checked(case, sorted(lint.lint_case(case, settings) + problems), files)


# Where sellers print on US Letter (the United States, Canada and Mexico); A4 everywhere else.
LETTER_MARKETPLACES = frozenset({"amazon.com", "amazon.ca", "amazon.com.mx"})


def pdf_meta(data: dict[str, Any]) -> dict[str, Any]:
    """The facts the PDF page template needs, in the plan's language."""
    words = render.locale(data["language"])
    seller, notice = data["seller"], data["notice"]
    return {
        "title": render.title_line(data),
        "author": seller["legal_name"],
        "asins": list(notice.get("asins", [])),
        "lang": data["language"],
        "paper": "us-letter" if notice["marketplace"] in LETTER_MARKETPLACES else "a4",
        "header-left": f"{words['title']}{words['colon']} {seller['legal_name']}",
        "header-right": render.format_date(data["date"], words["date"]),
        "page": words["labels"]["page"],
        "page-of": words["labels"]["page_of"],
    }


# Where a plan's language is written as in the marketplace's country (Word checks spelling by
# region); elsewhere each language's own tag (templates/i18n: locale).
REGIONS = {
    ("en", "amazon.co.uk"): "en-GB",
    ("en", "amazon.ca"): "en-CA",
    ("en", "amazon.com.au"): "en-AU",
    ("en", "amazon.in"): "en-IN",
    ("en", "amazon.sg"): "en-SG",
    ("fr", "amazon.ca"): "fr-CA",
    ("fr", "amazon.com.be"): "fr-BE",
    ("es", "amazon.com.mx"): "es-MX",
}


def text_marks(data: dict[str, Any]) -> dict[str, Any]:
    """The plan language's punctuation for pandoc: colon, semicolon and no-break spaces."""
    words = render.locale(data["language"])
    return {"colon": words["colon"], "semicolon": words["semicolon"], "spaces": words["spaces"]}


def word_properties(data: dict[str, Any]) -> dict[str, str]:
    """What Word shows of a plan in its properties: language, title, author and subject."""
    words = render.locale(data["language"])
    notice = data["notice"]
    meta = pdf_meta(data)
    lang = REGIONS.get((data["language"], notice["marketplace"]), words["locale"])
    structure, reason = words["structure"][data["structure"]], words["reason"][notice["reason"]]
    subject = f"{structure}{words['colon']} {reason}"
    return {"lang": lang, "title": meta["title"], "author": meta["author"], "subject": subject}


def render_outputs(
    case: LoadedCase,
    files: list[evidence.EvidenceFile],
    formats: tuple[str, ...] = FORMATS,
    notes: list[str] | None = None,
) -> dict[str, bytes]:
    """Every requested output of a valid case, in memory: nothing is written yet.

    `notes` hears what the build could not do on this machine (said once per run by the CLI).
    """
    data = case.data
    asins = list(data["notice"].get("asins", []))
    markdown = render.render_markdown(data, {f.id: f for f in files})
    outputs: dict[str, bytes] = {}
    if "md" in formats:
        outputs["md"] = markdown.encode("utf-8")
    wanted = {"html": "html5", "txt": "plain", "pdf": "typst", "submission": "typst"}
    writers = tuple(dict.fromkeys(wanted[fmt] for fmt in formats if fmt in wanted))
    words = render.locale(data["language"])
    texts = convert.write_texts(markdown, asins, writers, text_marks(data)) if writers else {}
    if "html" in formats:
        outputs["html"] = render.render_html_page(data, texts["html5"]).encode("utf-8")
    if "txt" in formats:
        outputs["txt"] = texts["plain"].encode("utf-8")
        outputs["counts"] = render.render_counts(data, markdown, texts["plain"]).encode("utf-8")
    if "docx" in formats:
        properties, marks = word_properties(data), text_marks(data)
        outputs["docx"] = convert.to_docx(markdown, asins, data["date"], properties, marks)
    if {"pdf", "submission"} & set(formats):
        typst_body = texts["typst"]
        meta = pdf_meta(data)
        if "pdf" in formats:
            with evidence.staged([]) as nothing:  # the plan itself reads no file
                outputs["pdf"] = convert.typst_to_pdf(typst_body, meta, data["date"], nothing)
        if "submission" in formats:
            labels = {**words["table"], **words["labels"], "colon": words["colon"]}
            appendix = {
                "evidence": render.evidence_appendix(data, files),
                "evidence-labels": labels,
            }
            with evidence.staged(files) as folder:
                submission = convert.typst_to_pdf(
                    typst_body, {**meta, **appendix}, data["date"], folder, appendix=True
                )
            marked = highlight.highlight_pdf(submission, highlight.needles(data))
            outputs["submission"] = marked.pdf
            if marked.unsearched_images and notes is not None:
                notes.append(highlight.UNSEARCHED)
            if marked.oversized_images and notes is not None:
                notes.append(highlight.OVERSIZED.format(count=marked.oversized_images))
    if "zip" in formats:
        outputs["zip"] = evidence.evidence_zip(data, files)
    return outputs


def output_paths(
    name: str, out_dir: Path, formats: Collection[str], key: str | None = None
) -> dict[str, Path]:
    """Where each output of the case `name` goes: out_dir/<key>/<name>.<suffix>, the key being
    the case's path below cases/ (repository.output_key; default the name). The text comes with
    its counts file."""
    outputs = [*formats, *(["counts"] if "txt" in formats else [])]
    folder = out_dir / (key or name)
    return {fmt: folder / f"{name}{SUFFIXES[fmt]}" for fmt in dict.fromkeys(outputs)}


def build_case(file: str, settings: lint.Settings, options: Options) -> Result:
    """Check one case and, if nothing blocks it and its inputs changed, write its outputs: all
    of them or none. The length of the paste-ready text is graded on every run."""
    checked = check_case(file, settings)
    result = Result(file, _graded(checked.diagnostics, options))
    if checked.case is None or _blocking(result.diagnostics, options):
        result.failed = True
        return result
    case = checked.case
    key = repository.output_key(case.file)  # cases/acme/x.yaml: build/acme/x/
    paths = output_paths(case.name, options.out_dir, options.formats, key)
    stamp = options.out_dir / key / STAMP
    inputs = fingerprint(checked, options.formats)
    outputs: dict[str, bytes] = {}
    standard: list[Diagnostic] = []
    if not options.force and up_to_date(stamp, inputs, paths.values()):
        result.skipped = True
        with contextlib.suppress(OSError):
            # Same inputs, same outputs: only their times move on, so make sees them as current.
            for path in stamp.parent.iterdir():
                os.utime(path)
        if "txt" in paths:
            with contextlib.suppress(OSError):
                outputs["txt"] = paths["txt"].read_bytes()  # its length is graded again
    else:
        try:
            outputs = render_outputs(case, checked.evidence, options.formats, result.notes)
        except convert.ConversionError as exc:
            result.diagnostics.append(conversion_diagnostic(case, exc))
            result.failed = True
            return result
        standard = _graded(standard_diagnostics(case, outputs), options)
        result.diagnostics += standard
    if "txt" in outputs:
        text = outputs["txt"].decode("utf-8", "replace")  # as written (or, if skipped, as read)
        length = _graded(lint.lint_text(case, text, settings), options)
        result.diagnostics += length
        # An over-long text is still written, to be read and cut, but fails the run.
        result.failed = _blocking(length, options)
    result.failed = result.failed or _blocking(standard, options)  # so does a non-archival PDF
    if result.skipped:
        return result
    # The PDF last: the slowest to make, it is the target make waits for.
    files = {paths[fmt]: outputs[fmt] for fmt in sorted(outputs, key=lambda fmt: fmt == "pdf")}
    if not result.failed:
        files[stamp] = inputs.encode() + b"\n"  # written with the outputs, all or none
    try:
        if result.failed:
            stamp.unlink(missing_ok=True)
        write_all(files)
    except OSError as exc:
        result.diagnostics.append(write_diagnostic(case, exc))
        result.failed = True
        return result
    result.written = [path for path in files if path != stamp]
    return result


def _graded(diagnostics: list[Diagnostic], options: Options) -> list[Diagnostic]:
    return lint.strict(diagnostics) if options.strict else list(diagnostics)


def _blocking(diagnostics: list[Diagnostic], options: Options) -> bool:
    """Whether any error stops the build (a lint error does not, if so allowed)."""
    return any(
        d.severity is Severity.ERROR
        and not (options.allow_lint_errors and d.code in lint.rules())  # lint.*, evidence.*
        for d in diagnostics
    )


@functools.cache
def engine_fingerprint() -> str:
    """Everything besides the case that decides its outputs: code, templates, rules, tools."""
    from generator.resources import RULES, SCHEMAS, TEMPLATES

    digest = hashlib.sha256()
    package = Path(__file__).parent
    for root in (package, TEMPLATES, SCHEMAS, RULES):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    digest.update(f"tesseract={highlight.ocr_version()}".encode())
    for name in (
        "pypandoc-binary",
        "typst",
        "jinja2",
        "pyyaml",
        "jsonschema-rs",
        "jsonschema",
        "pdfminer.six",
        "pypdf",
        "pikepdf",
    ):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def fingerprint(checked: Checked, formats: tuple[str, ...]) -> str:
    """The inputs of a checked case's outputs: the engine, the case, the formats, the evidence."""
    assert checked.case is not None
    digest = hashlib.sha256(engine_fingerprint().encode())
    digest.update(checked.case.source.encode("utf-8"))
    digest.update(repr(sorted(formats)).encode())
    for item in checked.evidence:
        digest.update(f"{item.id}:{item.relative}:{item.sha256}".encode())
    return digest.hexdigest()


def up_to_date(stamp: Path, inputs: str, outputs: Collection[Path]) -> bool:
    """Whether the outputs were built from exactly these inputs and are all still there."""
    try:
        recorded = stamp.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return recorded == inputs and all(path.exists() for path in outputs)


def write_diagnostic(case: LoadedCase, error: OSError) -> Diagnostic:
    return write_error(case.file, error, "the previous outputs were kept")


def standard_diagnostics(case: LoadedCase, outputs: dict[str, bytes]) -> list[Diagnostic]:
    """A plan PDF that could not be made archival (convert.typst_to_pdf fell back)."""
    if "pdf" not in outputs or b"<pdfaid:part>2</pdfaid:part>" in outputs["pdf"]:
        return []
    warning = Diagnostic.error(
        case.file,
        "build.pdf-standard",
        "the plan's PDF is not PDF/A-2b: Typst could not make it archival, most often because "
        "a character has no glyph in the PDF's fonts (an emoji, a rare symbol), so it was "
        "written as an ordinary PDF",
        "replace or remove such a character if the PDF must be archival",
    )
    return [replace(warning, severity=Severity.WARNING)]


def conversion_diagnostic(case: LoadedCase, error: convert.ConversionError) -> Diagnostic:
    return Diagnostic.error(
        case.file,
        "build.convert",
        error.step + " failed: " + error.detail.splitlines()[0][:300],
        "the previous outputs were kept; report this with the case file if it persists",
    )
