"""The build, top to bottom: load → validate → render → convert → write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import convert, lint, render
from generator.diagnostics import Diagnostic, Severity, UserError, has_errors
from generator.loader import LoadedCase, load_case
from generator.validate import validate_case
from generator.write import write_atomic

FORMATS = ("md", "html", "pdf")


@dataclass
class Checked:
    """A case after load and validation, with everything found on the way."""

    case: LoadedCase | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.case is not None and not has_errors(self.diagnostics)


def check_case(file: str | Path, settings: lint.Settings | None = None) -> Checked:
    """Load, validate and (given settings) lint one case; never raises for a user's mistake."""
    try:
        case = load_case(file)
    except UserError as exc:
        return Checked(None, exc.diagnostics)
    diagnostics = validate_case(case)
    if settings is not None and not diagnostics:
        diagnostics = lint.lint_case(case, settings)
    return Checked(case, diagnostics)


def pdf_meta(data: dict[str, Any]) -> dict[str, Any]:
    """The facts the PDF page template needs, in the plan's language."""
    words = render.locale(data["language"])
    seller, notice = data["seller"], data["notice"]
    return {
        "title": f"{words['title']}: {seller['store_name']} ({notice['marketplace']})",
        "author": seller["legal_name"],
        "asins": list(notice.get("asins", [])),
        "lang": data["language"],
        "header-left": f"{words['title']}: {seller['legal_name']}",
        "header-right": render.format_date(data["date"], words["date"]),
        "page": words["labels"]["page"],
        "page-of": words["labels"]["page_of"],
    }


def render_outputs(case: LoadedCase, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """Every requested output of a valid case, in memory: nothing is written yet."""
    data = case.data
    asins = list(data["notice"].get("asins", []))
    markdown = render.render_markdown(data)
    outputs: dict[str, bytes] = {}
    if "md" in formats:
        outputs["md"] = markdown.encode("utf-8")
    if "html" in formats:
        body = convert.markdown_to_html(markdown, asins)
        outputs["html"] = render.render_html_page(data, body).encode("utf-8")
    if "pdf" in formats:
        typst_body = convert.markdown_to_typst(markdown, asins)
        outputs["pdf"] = convert.typst_to_pdf(
            typst_body, pdf_meta(data), data["date"], root=case.folder.parent
        )
    return outputs


def output_paths(case: LoadedCase, out_dir: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    folder = out_dir / case.name
    return {fmt: folder / f"{case.name}.{fmt}" for fmt in formats}


def write_outputs(outputs: dict[str, bytes], paths: dict[str, Path]) -> list[Path]:
    """Write the outputs, each atomically; the PDF last, as the sign that the build finished."""
    order = sorted(outputs, key=lambda fmt: fmt == "pdf")
    for fmt in order:
        write_atomic(paths[fmt], outputs[fmt])
    return [paths[fmt] for fmt in order]


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
