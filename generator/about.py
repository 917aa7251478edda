"""Where actionplan lives: its project addresses, read from the installed package's metadata
(pyproject.toml's [project.urls]), so they are written down once."""

from __future__ import annotations

from functools import cache
from importlib import metadata

# Only for a checkout that was never installed (no metadata); the same as pyproject.toml.
_FALLBACK = "https://github.com/actionplan/actionplan"


@cache
def urls() -> dict[str, str]:
    """The project's addresses by label (Homepage, Documentation, Issues, Source, Changelog)."""
    try:
        entries = metadata.metadata("actionplan").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    found = {}
    for entry in entries:
        label, _, address = entry.partition(",")
        found[label.strip()] = address.strip()
    return found


def url(label: str) -> str:
    """One address of the project, e.g. url("Issues")."""
    address = urls().get(label)
    if address:
        return address
    return _FALLBACK + ("/issues" if label == "Issues" else "")
