"""Where the schemas and templates live: beside the package in a checkout, inside it in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"actionplan is installed without its {name}/ folder")


SCHEMAS = _find("schemas")
TEMPLATES = _find("templates")
RULES = _find("rules")


def schema_file(structure: str) -> Path:
    """The schema file of a report structure (4d or 8d)."""
    return SCHEMAS / f"plan-{structure}.schema.json"
