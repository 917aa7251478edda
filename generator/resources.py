"""Where the schemas and templates live: beside the package in a checkout, inside it in a wheel."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

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


@cache
def schema_defs() -> dict[str, Any]:
    """The shared definitions of the case schemas (defs.schema.json `$defs`)."""
    schema = json.loads((SCHEMAS / "defs.schema.json").read_text(encoding="utf-8"))
    return dict(schema["$defs"])


def schema_enum(*path: str) -> list[str]:
    """The allowed values of a field of `$defs` (the one place they are stated)."""
    node: Any = schema_defs()
    for part in path:
        node = node[part]
    return list(node["enum"])
