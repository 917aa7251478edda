"""Evidence files: each checked to be a real file of an allowed type inside the case's folder.

The path is checked as text first, so a path that leaves the folder is refused before anything
is opened. Limits are documented in docs/security.md.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator import catalogue, filecheck, i18n
from generator.diagnostics import Diagnostic
from generator.filecheck import Problem
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
    # The bytes checked and hashed: the zip, the PDF and the preview use these, never the path.
    content: bytes = field(repr=False, compare=False)
    page_count: int = 1  # counted when the file was checked (filecheck.damage)

    def pages(self) -> int:
        """Pages of a PDF, else 1, as counted when the file was checked: a build parses the PDF
        there once, and the submission PDF uses the count."""
        return self.page_count


def check_evidence(
    case: LoadedCase, decode: bool = True
) -> tuple[list[EvidenceFile], list[Diagnostic]]:
    """Check every evidence item of a valid case; return the good files and the problems.
    Without `decode`, images are checked for their structure only (filecheck.damage)."""
    files: list[EvidenceFile] = []
    problems: list[Diagnostic] = []
    folder = case.folder
    units = i18n.locale(case.data["language"])["size"]
    budget = _Budget(units)
    for index, item in enumerate(case.data.get("evidence", [])):
        path = ("evidence", index, "file")
        written = item["file"]

        def problem(found: Problem, path: tuple[Any, ...] = path, written: str = written) -> None:
            problems.append(_diagnostic(case, found, path, file=written, folder=str(folder)))

        parts = PurePosixPath(written).parts
        if (
            PurePosixPath(written).is_absolute()
            or ".." in parts
            or "\\" in written
            or ":" in (parts[0] if parts else "")
        ):
            problem(("evidence.path", "outside", {}))
            continue
        target = folder.joinpath(*parts)
        try:
            opened = _read_inside(folder, parts)
        except _Refused as refused:
            problem(refused.problem)
            continue
        if isinstance(opened, int):  # a size over the limit, known before reading
            sizes = {"size": file_size(opened, units), "limit": file_size(MAX_BYTES, units)}
            problem(("evidence.size", "", sizes))
            continue
        content, identity = opened
        kind = TYPES.get(target.suffix.lower())
        if kind is None:
            problem(("evidence.type", "", {}))
            continue
        size = len(content)
        if size == 0:
            problem(("evidence.empty", "", {}))
            continue
        mime, magic = kind
        if not _looks_like(content, magic):
            problem(("evidence.type", "content", {"type": target.suffix.lower()[1:].upper()}))
            continue
        digest = hashlib.sha256(content).hexdigest()
        rejected, pages = budget.refuse(identity, digest, mime, content, decode)
        if rejected:
            problem(rejected)
            continue
        files.append(EvidenceFile(item["id"], target, written, mime, size, digest, content, pages))
        budget.add(item["id"], written, identity, digest)
    return files, problems


def _diagnostic(
    case: LoadedCase, found: Problem, path: tuple[Any, ...], **names: str
) -> Diagnostic:
    """A file's problem as an error, in the plan's language (rules/rules.yaml words it)."""
    code, variant, values = found
    message, fix = catalogue.file_problem(code).wording(case.data["language"], variant)
    values = {**names, **values}
    return Diagnostic.error(
        case.file,
        code,
        message.format_map(values),
        fix.format_map(values),
        at=case.locate(path),
        path=path,
    )


MAX_CASE_BYTES = 60_000_000  # all evidence files of a case together


class _Budget:
    """What a case's evidence adds up to, so many files cannot do what one may not: each file is
    counted once (a second citation, a hard link or a copy is a diagnostic), and the bytes and
    pixels of all of them are bounded."""

    def __init__(self, units: dict[str, str]) -> None:
        self.units = units  # how the plan's language writes sizes
        self.seen: dict[object, tuple[str, str]] = {}  # identity or digest -> (id, path)
        self.bytes = 0
        self.pixels = 0
        self.pages = 0

    def refuse(
        self, identity: tuple[int, int], digest: str, mime: str, data: bytes, decode: bool
    ) -> tuple[Problem | None, int]:
        """Why a file is refused (None: it is taken), and the pages it takes (a PDF's, else 1),
        counted once here for the case's budget and for the submission PDF."""
        first = self.seen.get(identity) or self.seen.get(digest)
        if first:
            how = "" if identity in self.seen else "copy"  # the same file, or a copy of it
            return ("evidence.duplicate", how, {"first": first[0], "first_file": first[1]}), 0
        if self.bytes + len(data) > MAX_CASE_BYTES:
            total = file_size(self.bytes + len(data), self.units)
            limit = file_size(MAX_CASE_BYTES, self.units)
            return ("evidence.size", "case", {"size": total, "limit": limit}), 0
        size = filecheck.pixels(mime, data)
        if size is not None:
            width, height, _ = size
            cost = filecheck.cost(size)
            if cost > filecheck.MAX_PIXELS:
                deep = "deep" if cost > width * height else ""  # 16-bit colour, counted 4 times
                megapixels = filecheck.MAX_PIXELS // 1_000_000
                sizes = {"width": width, "height": height, "limit": megapixels}
                return ("evidence.pixels", deep, sizes), 0
            if self.pixels + cost > filecheck.MAX_CASE_PIXELS:
                most = filecheck.MAX_CASE_PIXELS // 1_000_000
                return ("evidence.pixels", "case", {"limit": most}), 0
        damaged, pages = filecheck.damage(mime, data, decode)
        if damaged:
            return damaged, 0
        if mime == "application/pdf" and self.pages + pages > filecheck.MAX_CASE_PAGES:
            return ("evidence.pages", "", {"pages": pages, "limit": filecheck.MAX_CASE_PAGES}), 0
        self.bytes += len(data)
        self.pixels += filecheck.cost(size) if size else 0
        self.pages += pages if mime == "application/pdf" else 0
        return None, pages if mime == "application/pdf" else 1

    def add(self, id_: str, written: str, identity: tuple[int, int], digest: str) -> None:
        self.seen[identity] = self.seen[digest] = (id_, written)


class _Refused(Exception):
    """An evidence file that cannot be used, and why (filecheck.Problem)."""

    def __init__(self, code: str, variant: str = "", **values: object) -> None:
        super().__init__(code, variant)
        self.problem: Problem = (code, variant, values)


_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _read_inside(folder: Path, parts: tuple[str, ...]) -> tuple[bytes, tuple[int, int]] | int:
    """The bytes of folder/parts and the file's (device, inode), read once through one open
    descriptor: no symbolic link is followed (not the case's folder, not a folder inside it,
    not the file), so what is checked is what is used even if the path changes meanwhile.
    An int is the size of a file over MAX_BYTES, which is not read."""
    descriptors: list[int] = []
    try:
        try:
            descriptors.append(os.open(folder, _FOLDER_FLAGS))
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR) and folder.is_symlink():
                raise _Refused("evidence.path", "folder-link") from None
            raise _Refused("evidence.missing") from None
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            try:
                status = os.stat(part, dir_fd=descriptors[-1], follow_symlinks=False)
            except FileNotFoundError:
                raise _Refused("evidence.missing") from None
            except OSError as exc:
                raise _Refused("evidence.missing", "unreadable", reason=exc.strerror) from None
            if stat.S_ISLNK(status.st_mode):
                raise _link_problem(folder, parts)
            if not last and not stat.S_ISDIR(status.st_mode):
                raise _Refused("evidence.missing")
            if last and not stat.S_ISREG(status.st_mode):
                raise _Refused("evidence.missing", "not-a-file")
            try:
                descriptors.append(
                    os.open(part, _FILE_FLAGS if last else _FOLDER_FLAGS, dir_fd=descriptors[-1])
                )
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):  # replaced by a link meanwhile
                    raise _link_problem(folder, parts) from None
                raise _Refused("evidence.missing", "unreadable", reason=exc.strerror) from None
        status = os.fstat(descriptors[-1])
        if not stat.S_ISREG(status.st_mode):  # replaced meanwhile
            raise _Refused("evidence.missing", "not-a-file")
        if status.st_size > MAX_BYTES:
            return status.st_size
        with os.fdopen(os.dup(descriptors[-1]), "rb") as handle:
            content = handle.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:  # it grew after fstat
            return len(content)
        return content, (status.st_dev, status.st_ino)
    finally:
        for descriptor in descriptors:
            os.close(descriptor)


def _link_problem(folder: Path, parts: tuple[str, ...]) -> _Refused:
    try:
        inside = folder.joinpath(*parts).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    return _Refused("evidence.path", "" if inside else "link-outside")


_STAGING = "actionplan-evidence-"


def _remove_staging_leftovers() -> None:
    """Staging folders of builds that were killed: this user's, whose process is gone."""
    import shutil

    from generator.write import is_running

    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{_STAGING}*-*"):
        pid = folder.name[len(_STAGING) :].split("-", 1)[0]
        with contextlib.suppress(OSError):
            mine = folder.lstat().st_uid == os.getuid() and stat.S_ISDIR(folder.lstat().st_mode)
            if mine and pid.isdigit() and not is_running(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def staged(files: list[EvidenceFile]) -> Iterator[Path]:
    """A private folder holding exactly the checked bytes of each file at its written path: the
    PDF engine reads evidence from there, never from the case's folder, which may have changed."""
    _remove_staging_leftovers()
    with tempfile.TemporaryDirectory(prefix=f"{_STAGING}{os.getpid()}-") as folder:
        for item in files:
            target = Path(folder).joinpath(*PurePosixPath(item.relative).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.content)
        yield Path(folder)


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


# Characters no file system or unzip tool takes in a name: control characters, and what Windows
# refuses. The id in front keeps names unique however much of them is replaced or cut.
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
ZIP_NAME_BYTES = 255  # the longest file name most file systems can create


def zip_name(item: EvidenceFile) -> str:
    """A stable name in the zip: the id first, so files sort as the plan cites them; unsafe
    characters replaced and the name cut to ZIP_NAME_BYTES (its extension kept), so every entry
    can be extracted."""
    name = _UNSAFE_IN_NAMES.sub("_", f"{item.id}-{PurePosixPath(item.relative).name}")
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = name, ""
    tail = f".{extension}" if extension else ""
    room = ZIP_NAME_BYTES - len(tail.encode("utf-8"))
    while len(stem.encode("utf-8")) > room:
        stem = stem[:-1]
    return stem + tail


def evidence_zip(data: dict[str, Any], files: list[EvidenceFile]) -> bytes:
    """The evidence files and manifest.json in a zip whose bytes depend only on the inputs."""
    import io
    import json
    import zipfile

    year, month, day = (int(part) for part in data["date"].split("-"))
    stamp = (year, month, day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(zip_name(f), f.content) for f in files]
        listing = json.dumps(manifest(data, files), indent=2, ensure_ascii=False) + "\n"
        entries.append(("manifest.json", listing.encode("utf-8")))
        for name, content in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
