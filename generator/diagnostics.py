"""Diagnostics: one problem a user can act on, reported as file:line:col."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # worth knowing; never fails a run, not even under --strict


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding: where it is, what rule it breaks, and how to fix it."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    path: str
    message: str
    hint: str = ""
    # Where the words end (line, column), if known: editors underline from line:column to here.
    end: tuple[int, int] | None = field(default=None, compare=False)

    @classmethod
    def error(
        cls,
        file: str,
        code: str,
        message: str,
        hint: str = "",
        *,
        at: tuple[int, int] = (1, 1),
        path: tuple[str | int, ...] | None = None,
    ) -> Diagnostic:
        """An error at line and column `at` (the file's start unless given), at JSON `path`."""
        where = "" if path is None else json_path(path)
        return cls(file, at[0], at[1], Severity.ERROR, code, where, message, hint)

    def format(self) -> str:
        """One line; text from the case is made safe to print (see `printable`)."""
        where = f"{printable(self.path)}: " if self.path else ""
        hint = f": {self.hint}" if self.hint else ""
        return (
            f"{printable(self.file)}:{self.line}:{self.column}: {self.severity.value} "
            f"[{self.code}] {where}{printable(self.message, MAX_MESSAGE)}{hint}"
        )


MAX_MESSAGE = 300
# Control characters (terminal escape sequences) and bidirectional overrides, which could make
# a printed line lie about what it says.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = 0) -> str:
    """Text from a case as it can be printed: unsafe characters escaped, long text cut."""
    safe = _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    if limit and len(safe) > limit:
        safe = safe[: limit - 1] + "…"
    return safe


def write_error(file: str, error: OSError, kept: str) -> Diagnostic:
    """The one wording of a file that could not be written (a full or read-only disk); `kept`
    says what was left as it was."""
    where = error.filename or file
    return Diagnostic.error(
        file,
        "io.write",
        f"cannot write {where}: {error.strerror or error}",
        f"free disk space or make the folder writable; {kept}",
    )


class UserError(Exception):
    """A problem with the user's input or environment; printed without a traceback."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def json_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Render a path of keys and indexes as $.a.b[0].c."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
