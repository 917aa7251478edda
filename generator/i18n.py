"""The languages a plan can be written in (the schema's list) and the fixed words of each,
from templates/i18n/<language>.yaml."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from generator.loader import YAML_LOADER
from generator.resources import TEMPLATES, schema_enum


@cache
def languages() -> tuple[str, ...]:
    """Every language a plan can be written in: the schema's `language` enum. rules/ and
    templates/i18n/ have a file for each (tests/test_i18n.py holds them to it)."""
    return tuple(schema_enum("language"))


@cache
def locale(language: str) -> dict[str, Any]:
    """The fixed words of a language, from templates/i18n/<language>.yaml."""
    path = TEMPLATES / "i18n" / f"{language}.yaml"
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.load(handle, Loader=YAML_LOADER)
    return data


def language_name(code: str, language: str = "en") -> str:
    """The name of the language `code`, in `language` (English, Deutsch in German: ...)."""
    return str(locale(language)["languages"][code])
