"""Small helpers shared by tests."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The PDF's extracted text with whitespace folded, for 'contains' checks."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    # Typst sets apostrophes typographically; long words carry zero-width break points.
    return text.replace("\u2019", "'").replace("\u200b", "")


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def unhyphenate(text: str) -> str:
    """Undo line-end hyphenation in extracted text ("pro- cess" → "process")."""
    return re.sub(r"(\w)- (\w)", r"\1\2", text)


def run(*args: str) -> tuple[int, str, str]:
    """The actionplan command through click's runner: exit code, stdout, stderr."""
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, list(args), prog_name="actionplan")
    return result.exit_code, result.stdout, result.stderr


def fake_pandoc(folder: Path, script: str, monkeypatch: Any) -> Path:
    """A shell script that actionplan runs instead of pandoc, for the rest of the test."""
    from generator import convert

    fake = folder / "pandoc"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "pandoc_path", lambda: str(fake))
    return fake
