"""Evidence files: each checked to be a real file of an allowed type inside the case's folder.

The path is checked as text first, so a path that leaves the folder is refused before anything
is opened. Limits are documented in docs/security.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from generator.diagnostics import Diagnostic, Severity, json_path
from generator.loader import LoadedCase

MAX_BYTES = 20_000_000
# Type by extension, and the bytes a real file of that type starts with (None: UTF-8 text).
TYPES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".csv": ("text/csv", None),
    ".txt": ("text/plain", None),
}


ENGLISH_UNITS = {"decimal": ".", "b": "B", "kb": "KB", "mb": "MB"}


def file_size(size: int, units: dict[str, str] = ENGLISH_UNITS) -> str:
    """A byte count for people: 812 B, 19.2 KB, 3.4 MB (units and decimal mark per language)."""
    if size < 1000:
        return f"{size} {units['b']}"
    value, unit = (size / 1000, units["kb"]) if size < 1_000_000 else (size / 1e6, units["mb"])
    return f"{value:.1f}".replace(".", units["decimal"]) + f" {unit}"


@dataclass(frozen=True)
class EvidenceFile:
    """One checked evidence file: where it is, what it is, and its fingerprint."""

    id: str
    path: Path  # on disk
    relative: str  # as written in the case, inside the case's folder
    mime: str
    size: int
    sha256: str

    def pages(self) -> int:
        """Pages of a PDF (0 if unreadable), else 1; read only for the submission PDF."""
        return _pages(self.path.read_bytes(), self.mime)


def check_evidence(case: LoadedCase) -> tuple[list[EvidenceFile], list[Diagnostic]]:
    """Check every evidence item of a valid case; return the good files and the problems."""
    files: list[EvidenceFile] = []
    problems: list[Diagnostic] = []
    folder = case.folder
    for index, item in enumerate(case.data.get("evidence", [])):
        path = ("evidence", index, "file")

        def problem(code: str, message: str, hint: str, path: tuple[Any, ...] = path) -> None:
            line, column = case.locate(path)
            problems.append(
                Diagnostic(
                    case.file,
                    line,
                    column,
                    Severity.ERROR,
                    f"evidence.{code}",
                    json_path(path),
                    message,
                    hint,
                )
            )

        written = item["file"]
        parts = PurePosixPath(written).parts
        if (
            PurePosixPath(written).is_absolute()
            or ".." in parts
            or "\\" in written
            or ":" in (parts[0] if parts else "")
        ):
            problem(
                "path",
                f"'{written}' points outside the case's folder",
                f"put the file in {folder}/ and write its path from there, "
                "e.g. evidence/invoice.pdf",
            )
            continue
        target = folder.joinpath(*parts)
        try:
            inside = target.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError):  # a symlink loop
            inside = False
        if not inside:
            problem(
                "path",
                f"'{written}' is a link that leads outside the case's folder",
                "copy the file into the folder instead of linking to it",
            )
            continue
        if not target.exists():
            problem(
                "missing",
                f"'{written}' does not exist in {folder}/",
                "check the file name, or add the file",
            )
            continue
        if not target.is_file():
            problem("missing", f"'{written}' is not a file", "name a file, not a folder")
            continue
        kind = TYPES.get(target.suffix.lower())
        if kind is None:
            problem(
                "type",
                f"'{written}' is not an allowed type",
                "convert it to PDF, PNG, JPEG, CSV or TXT",
            )
            continue
        size = target.stat().st_size
        if size > MAX_BYTES:
            problem(
                "size",
                f"'{written}' is {file_size(size)}, over the limit of {file_size(MAX_BYTES)}",
                "compress it or split it into parts",
            )
            continue
        if size == 0:
            problem("empty", f"'{written}' is empty", "replace it with the real document")
            continue
        content = target.read_bytes()
        mime, magic = kind
        if not _looks_like(content, magic):
            problem(
                "type",
                f"'{written}' is not really a {target.suffix.lower()[1:].upper()} file",
                "save or export it again in that format",
            )
            continue
        files.append(
            EvidenceFile(
                item["id"],
                target,
                written,
                mime,
                size,
                hashlib.sha256(content).hexdigest(),
            )
        )
    return files, problems


def _looks_like(content: bytes, magic: bytes | None) -> bool:
    if magic is not None:
        return content.startswith(magic)
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _pages(content: bytes, mime: str) -> int:
    if mime != "application/pdf":
        return 1
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(io.BytesIO(content)).pages)
    except (PdfReadError, ValueError, KeyError, OSError):
        return 0  # unreadable: the bundle lists it and attaches it, but shows no pages


def manifest(data: dict[str, Any], files: list[EvidenceFile]) -> list[dict[str, Any]]:
    """The evidence list with each file's name in the zip, size and SHA-256."""
    checked = {f.id: f for f in files}
    out = []
    for item in data.get("evidence", []):
        found = checked.get(item["id"])
        if found is None:
            continue
        out.append(
            {**item, "zip_name": zip_name(found), "size": found.size, "sha256": found.sha256}
        )
    return out


def zip_name(item: EvidenceFile) -> str:
    """A stable name in the zip: the id first, so files sort as the plan cites them."""
    return f"{item.id}-{PurePosixPath(item.relative).name}"


def evidence_zip(data: dict[str, Any], files: list[EvidenceFile]) -> bytes:
    """The evidence files and manifest.json in a zip whose bytes depend only on the inputs."""
    import io
    import json
    import zipfile

    year, month, day = (int(part) for part in data["date"].split("-"))
    stamp = (year, month, day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(zip_name(f), f.path.read_bytes()) for f in files]
        listing = json.dumps(manifest(data, files), indent=2, ensure_ascii=False) + "\n"
        entries.append(("manifest.json", listing.encode("utf-8")))
        for name, content in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
