"""Convert the plan's Markdown: pandoc for HTML, plain text, Word and Typst; Typst for the PDF.

Pandoc reads one Markdown dialect for every output, so a field reads the same in HTML and PDF.
Raw HTML, TeX, math and citations are off: user text is data, never markup.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from generator.resources import TEMPLATES

READER = (
    "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
    "-tex_math_double_backslash-citations-yaml_metadata_block-pandoc_title_block"
    "-implicit_figures-fenced_divs-bracketed_spans-native_divs-native_spans-link_attributes"
    "-inline_notes-footnotes-example_lists"
)
PANDOC_TIMEOUT = 60


class ConversionError(Exception):
    """A tool we call failed: which step, and what it said."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step} failed: {detail}")
        self.step = step
        self.detail = detail


@cache
def pandoc_path() -> str:
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:
        raise ConversionError(
            "pandoc", f"pandoc was not found ({exc}); run `make setup` to install pypandoc-binary"
        ) from None


def pandoc(
    source: bytes,
    to: str,
    filters: tuple[str, ...],
    step: str,
    extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> bytes:
    """Run pandoc on the plan's Markdown and return its output; `step` names it in errors."""
    command = [pandoc_path(), "--from", READER, "--to", to, "--sandbox", "--wrap=none", *extra]
    for name in filters:
        command += ["--lua-filter", str(TEMPLATES / "filters" / name)]
    try:
        result = subprocess.run(
            command, input=source, capture_output=True, timeout=PANDOC_TIMEOUT, check=False, env=env
        )
    except FileNotFoundError:
        raise ConversionError(
            step, "the pandoc program is missing; run `make setup` to reinstall pypandoc-binary"
        ) from None
    except subprocess.TimeoutExpired:
        raise ConversionError(step, f"no answer within {PANDOC_TIMEOUT} s") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
        raise ConversionError(step, message)
    return result.stdout


def write_texts(markdown: str, asins: list[str], formats: tuple[str, ...]) -> dict[str, str]:
    """HTML, plain text and Typst from one pandoc run (templates/filters/outputs.lua).

    safety.lua drops unsafe links and images as the Markdown is read; layout.lua then lays the
    tree out for each format.
    """
    output = pandoc(
        markdown.encode("utf-8"),
        str(TEMPLATES / "filters" / "outputs.lua"),
        ("safety.lua",),
        f"pandoc ({', '.join(formats)})",
        ("--metadata", f"asins={','.join(asins)}", "--metadata", f"formats={','.join(formats)}"),
    )
    texts: dict[str, str] = json.loads(output)
    return texts


def to_docx(markdown: str, asins: list[str], date: str) -> bytes:
    """Word document; its internal dates come from the plan's date, so the bytes repeat."""
    epoch = int(datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.UTC).timestamp())
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    return pandoc(
        markdown.encode("utf-8"),
        "docx",
        ("safety.lua", "plan.lua"),
        "pandoc (docx)",
        ("--metadata", f"asins={','.join(asins)}", "--output", "-"),
        env,
    )


@cache
def _compiler() -> Any:
    import typst

    # Only the fonts inside the typst package: the same PDF on every machine.
    return typst.Compiler(ignore_system_fonts=True)


def typst_to_pdf(
    body: str, meta: dict[str, Any], date: str, folder: Path, appendix: bool = False
) -> bytes:
    """Compile the Typst body with the page template into PDF bytes, reproducibly.

    `folder` is the case's own folder: the only files Typst may read (evidence, for the
    appendix). With `appendix`, templates/evidence.typ adds every evidence file after the plan.
    """
    import typst

    source = (TEMPLATES / "plan.typ").read_text(encoding="utf-8") + "\n" + body
    if appendix:
        source += "\n" + (TEMPLATES / "evidence.typ").read_text(encoding="utf-8")
    root = folder if folder.is_dir() else TEMPLATES / "filters"  # nothing there to read
    stamp = datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.UTC)
    try:
        pdf = _compiler().compile(
            input=source.encode("utf-8"),
            format="pdf",
            root=str(root),
            sys_inputs={"meta": json.dumps(meta, ensure_ascii=False)},
            timestamp=stamp,
        )
    except typst.TypstError as exc:
        message = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
        detail = f"{message} {getattr(exc, 'diagnostic', '')}".strip()
        raise ConversionError("typst (PDF)", detail or "the PDF engine failed") from None
    assert isinstance(pdf, bytes)
    return pdf
