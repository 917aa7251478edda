"""Diagnostics: one problem a user can act on, reported as file:line:col."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


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

    def format(self) -> str:
        where = f"{self.path}: " if self.path else ""
        hint = f": {self.hint}" if self.hint else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value} [{self.code}] "
            f"{where}{self.message}{hint}"
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
