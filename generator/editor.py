"""What an editor needs from a case beyond its diagnostics: the exact span of each finding, the
path and schema under the cursor, the ids that fit where the cursor is, and the fixes that are
certain (as text edits). Pure functions over the text and its node tree; generator/lsp.py speaks
the protocol.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from generator import catalogue
from generator.diagnostics import Diagnostic, UserError
from generator.loader import LoadedCase, parse_case
from generator.resources import SCHEMAS, schema_file
from generator.structures import STRUCTURES

Path_ = tuple[str | int, ...]
INDENT = "  "
MAX_SKELETON_DEPTH = 8  # the schemas nest less deeply; a guard, not a limit that is reached


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False


def offset(text: str, line: int, column: int) -> int:
    """The index in `text` of a 1-based line and column."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    end = text.find("\n", start)
    return min(start + column - 1, len(text) if end < 0 else end)


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield from _nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nodes(item)


def span(text: str, case: LoadedCase | None, diagnostic: Diagnostic) -> tuple[int, int]:
    """The characters a diagnostic is about: the words it names, the key or value it starts at,
    or else the rest of its line."""
    start = offset(text, diagnostic.line, diagnostic.column)
    if diagnostic.end is not None:
        return start, max(start, offset(text, *diagnostic.end))
    if case is not None and case.source == text:
        found = _scalar_at(case, start)
        if found is not None:
            node, value = found
            # A finding about a whole entry starts at its first key: take `key: value`.
            whole = diagnostic.code != "schema.unknown-key" and isinstance(value, yaml.ScalarNode)
            last = value if whole and value is not None else node
            return start, max(last.end_mark.index, start)
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    end = len(text[:line_end].rstrip())
    return start, end if end > start else line_end


def _scalar_at(case: LoadedCase, start: int) -> tuple[yaml.Node, yaml.Node | None] | None:
    """The scalar that starts at an offset, and its value if it is a mapping's key."""
    for node in _nodes(case.root):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.start_mark.index == start:
                    return key, value
        elif isinstance(node, yaml.ScalarNode) and node.start_mark.index == start:
            return node, None
    return None


def parse_json_path(path: str) -> Path_:
    """$.a.b[0].c as ("a", "b", 0, "c"); the inverse of diagnostics.json_path."""
    return tuple(
        int(index) if index else key for key, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)
    )


def path_at(case: LoadedCase, index: int) -> tuple[Path_, bool] | None:
    """The path of the key or value at a character offset, and whether it is on a key."""
    node: yaml.Node = case.root
    path: Path_ = ()
    while True:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.start_mark.index <= index <= key.end_mark.index:
                    return (*path, key.value), True
                if _contains(value, index):
                    node, path = value, (*path, key.value)
                    break
            else:
                return (path, False) if path else None
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                if _contains(item, index):
                    node, path = item, (*path, number)
                    break
            else:
                return path, False
        else:
            return path, False


def _contains(node: yaml.Node, index: int) -> bool:
    return bool(node.start_mark.index <= index <= node.end_mark.index)


# The schemas, read as documents: the validator's job is checking, this one's is explaining.
@cache
def _schema_document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = _absolute(
        json.loads((SCHEMAS / name).read_text(encoding="utf-8")), name
    )
    return document


def _absolute(node: Any, name: str) -> Any:
    """Every "$ref": "#/..." of a document as "<its file>#/...", so a part taken out of it still
    says where its references lead."""
    if isinstance(node, dict):
        return {
            key: f"{name}{value}"
            if key == "$ref" and isinstance(value, str) and value.startswith("#")
            else _absolute(value, name)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute(item, name) for item in node]
    return node


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its $ref followed and its allOf merged; its own keywords (a description)
    win over the target's."""
    schema = dict(schema)  # the documents are cached: never changed here
    for _ in range(20):
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        target_file, _, pointer = ref.partition("#")
        target: Any = _schema_document(target_file)
        for step in pointer.strip("/").split("/") if pointer.strip("/") else []:
            target = target[step]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    for branch in schema.pop("allOf", []):
        part = _resolve(branch)
        schema["properties"] = {**part.get("properties", {}), **schema.get("properties", {})}
        schema["required"] = [*schema.get("required", []), *part.get("required", [])]
        schema = {**part, **schema}
    return schema


def schema_at(structure: str, path: Path_) -> dict[str, Any] | None:
    """The schema of the value at `path` in a case of this structure, or None if there is none."""
    if structure not in STRUCTURES:
        return None
    schema = _resolve(_schema_document(schema_file(structure).name))
    for part in path:
        found = schema.get("properties", {}).get(part) if isinstance(part, str) else None
        if isinstance(part, int):
            found = schema.get("items")
        if not isinstance(found, dict):
            return None
        schema = _resolve(found)
    return schema


def describe(key: str, schema: dict[str, Any]) -> str:
    """Markdown for a hover on a field: its description, choices and an example."""
    lines = [f"**{key}**", "", str(schema.get("description", "")).strip()]
    if "enum" in schema:
        lines += ["", "One of: " + ", ".join(f"`{option}`" for option in schema["enum"])]
    examples = schema.get("examples") or []
    if examples:
        lines += ["", f"Example: `{json.dumps(examples[0], ensure_ascii=False)}`"]
    return "\n".join(lines).strip()


# --- completion -----------------------------------------------------------------------------

_ID_LIST_KEY = re.compile(r"^(\s*)(?:-\s+)?(evidence|addresses):\s*(\[[^\]]*)?$")
_ITEM = re.compile(r"^(\s*)-\s*[\"']?[A-Za-z0-9]*$")
_KEY_ALONE = re.compile(r"^(\s*)(?:-\s+)?(evidence|addresses):\s*(#.*)?$")


def id_list_at(text: str, index: int) -> str | None:
    """'evidence' or 'addresses' if the cursor is where an id of that list is written."""
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index]
    inline = _ID_LIST_KEY.match(before)
    if inline:
        # A top-level `evidence:` is the list of files, not a list of ids.
        return inline.group(2) if inline.group(1) or before.lstrip().startswith("-") else None
    item = _ITEM.match(before)
    if not item:
        return None
    indent = len(item.group(1))
    for line in reversed(text[:line_start].splitlines()):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        own = len(line) - len(line.lstrip())
        if own > indent:
            return None  # inside some other structure
        if _ITEM.match(line) and own == indent:
            continue  # an earlier item of the same list
        parent = _KEY_ALONE.match(line)
        if parent and (parent.group(1) or line.lstrip().startswith("-")):
            return parent.group(2)
        return None
    return None


_IDS = {"evidence": r"E[0-9]{1,3}", "addresses": r"RC[0-9]{1,3}"}


def id_choices(text: str, index: int, kind: str, case: LoadedCase | None) -> list[tuple[str, str]]:
    """The ids that fit: (id, what it is), evidence items of the case or root causes of the
    problem around the cursor."""
    if case is not None:
        if kind == "evidence":
            return [
                (str(item.get("id")), str(item.get("description", "")))
                for item in case.data.get("evidence", [])
                if isinstance(item, dict) and "id" in item
            ]
        return _root_causes(case, index)
    # The text does not parse while it is being typed: the ids as written.
    pattern = re.compile(rf"^\s*-?\s*id:\s*[\"']?({_IDS[kind]})\b", re.MULTILINE)
    return [(found, "") for found in dict.fromkeys(pattern.findall(text))]


def _root_causes(case: LoadedCase, index: int) -> list[tuple[str, str]]:
    holders = [
        node
        for node in _nodes(case.root)
        if isinstance(node, yaml.MappingNode)
        and any(key.value == "root_causes" for key, _ in node.value)
    ]
    around = [node for node in holders if _contains(node, index)] or holders
    out: dict[str, str] = {}
    for holder in around:
        for key, value in holder.value:
            if key.value != "root_causes" or not isinstance(value, yaml.SequenceNode):
                continue
            for item in value.value:
                fields = {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)}
                if "id" in fields:
                    out.setdefault(fields["id"], str(fields.get("cause", fields.get("text", ""))))
    return list(out.items())


# --- fixes that are certain -----------------------------------------------------------------

_DID_YOU_MEAN = re.compile(r"^did you mean '(.+)'\?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # DD.MM.YYYY
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # MM/DD/YYYY


def fixes(text: str, case: LoadedCase | None, diagnostic: Diagnostic) -> list[Fix]:
    """The certain fixes of one diagnostic, as edits to `text`."""
    found: list[Fix] = []
    start, end = span(text, case, diagnostic)
    code = diagnostic.code
    suggestion = _DID_YOU_MEAN.match(diagnostic.hint)
    if code == "evidence.unknown-supplier":  # worded in the plan's language
        suggestion = _supplier_meant(diagnostic.hint)
    if code == "schema.unknown-key" and suggestion:
        name = suggestion.group(1)
        found.append(Fix(f"Rename to '{name}'", (Edit(start, end, name),), preferred=True))
    if code in ("schema.enum", "schema.unknown-rule", "evidence.unknown-supplier") and suggestion:
        value = suggestion.group(1)
        found.append(Fix(f"Change to '{value}'", (Edit(start, end, _scalar(value)),), True))
    if code == "schema.format":
        iso = iso_date(text[start:end].strip("\"'"))
        if iso:
            found.append(Fix(f"Write the date as {iso}", (Edit(start, end, iso),), preferred=True))
    if case is None or case.source != text:
        return found
    if code == "schema.required":
        fix = _insert_required(case, diagnostic)
        found += [fix] if fix else []
    if code in catalogue.rules():  # a content or evidence rule, which an exception may waive
        fix = _exception(case, diagnostic)
        found += [fix] if fix else []
    return found


def _supplier_meant(hint: str) -> re.Match[str] | None:
    """The supplier an undefined one's hint suggests ("did you mean 'S1'?"), read back from
    the wording rules/rules.yaml gives it in each language."""
    rule = catalogue.rules()["evidence.unknown-supplier"]
    for language in ("en", *rule.hints):
        before, _, after = rule.wording(language, "close")[1].partition("{close}")
        found = re.fullmatch(f"{re.escape(before)}(.+){re.escape(after)}", hint)
        if found:
            return found
    return None


def _scalar(value: str) -> str:
    """A string as YAML that reads back as that string (quoted where it would not), here and
    in YAML 1.1 tools, which read no, off and yes as booleans."""
    try:
        plain = parse_case("", f"value: {value}\n").data.get("value") == value
        plain = plain and not isinstance(yaml.safe_load(f"value: {value}\n")["value"], bool)
    except (UserError, yaml.YAMLError):
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def iso_date(written: str) -> str | None:
    """20.11.2026 (DD.MM.YYYY) or 11/20/2026 (MM/DD/YYYY) as 2026-11-20, if it is a real date."""
    dotted, slashed = _DOTTED.match(written), _SLASHED.match(written)
    if dotted:
        day, month, year = (int(part) for part in dotted.groups())
    elif slashed:
        month, day, year = (int(part) for part in slashed.groups())
    else:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _insert_required(case: LoadedCase, diagnostic: Diagnostic) -> Fix | None:
    match = re.match(r"^required property '(.+)' is missing$", diagnostic.message)
    path = parse_json_path(diagnostic.path)
    node, _ = case.node_at(path)
    schema = schema_at(str(case.data.get("structure")), (*path, match.group(1))) if match else None
    if match is None or schema is None or not _is_block_mapping(case, node):
        return None
    assert isinstance(node, yaml.MappingNode)
    name = match.group(1)
    lines = _skeleton(name, schema, str(case.data.get("structure")), (*path, name))
    indent = " " * node.start_mark.column
    at = _after(case, node)
    body = "".join(f"{indent}{line}\n" for line in lines)
    return Fix(f"Add '{name}' (to fill in)", (Edit(at, at, _newline_before(case, at) + body),))


def _skeleton(
    name: str, schema: dict[str, Any], structure: str, path: Path_, depth: int = 0
) -> list[str]:
    """`name:` and what to fill in, as lines: the required keys of an object, one item of a
    list, TODOs (which the lint reports until they are replaced) for the rest."""
    block, lines = _fill(schema, structure, path, depth)
    return [f"{name}:", *(INDENT + line for line in lines)] if block else [f"{name}: {lines[0]}"]


def _fill(
    schema: dict[str, Any], structure: str, path: Path_, depth: int
) -> tuple[bool, list[str]]:
    """What to write for a value: (whether it is a block of lines, the lines)."""
    what = str(schema.get("description", "")).split(". ")[0].rstrip(".")
    kind = schema.get("type")
    if kind == "object" and depth < MAX_SKELETON_DEPTH:
        if not schema.get("required"):
            return False, ["{}"]
        lines = []
        for key in schema["required"]:
            sub = schema_at(structure, (*path, key)) or {}
            lines += _skeleton(key, sub, structure, (*path, key), depth + 1)  # objects nest too
        return True, lines
    if kind == "array" and depth < MAX_SKELETON_DEPTH:
        item = schema_at(structure, (*path, 0)) or {}
        _, inner = _fill(item, structure, (*path, 0), depth + 1)
        return True, [f"- {inner[0]}", *(f"  {line}" for line in inner[1:])]
    if "enum" in schema:
        options = [str(option) for option in schema["enum"]]
        shown = ", ".join(options[:6]) + (", ..." if len(options) > 6 else "")
        return False, [f"TODO  # one of: {shown}"]
    free_text = schema.get("pattern", "\\S") == "\\S" and "format" not in schema
    if kind == "string" and free_text:
        return False, [json.dumps("TODO: " + what if what else "TODO", ensure_ascii=False)]
    return False, ["TODO" + (f"  # {what}" if what else "")]


def _is_block_mapping(case: LoadedCase, node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.MappingNode)
        and bool(node.value)
        and not case.source[node.start_mark.index :].startswith("{")
    )


def _after(case: LoadedCase, node: yaml.Node) -> int:
    """The start of the line after the last value of a collection (its deepest last scalar)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark.index
    while end > 0 and case.source[end - 1] in "\r\n":
        end -= 1
    line_end = case.source.find("\n", end)
    return len(case.source) if line_end < 0 else line_end + 1


def _newline_before(case: LoadedCase, at: int) -> str:
    return "\n" if at == len(case.source) and not case.source.endswith("\n") else ""


def _exception(case: LoadedCase, diagnostic: Diagnostic) -> Fix | None:
    """A `lint.exceptions` entry for this finding, with a reason still to be written."""
    entry = [
        f"- rule: {diagnostic.code}",
        f"  path: {json.dumps(diagnostic.path)}",
        '  reason: "TODO: why this finding does not apply to this case"',
    ]
    root = case.root
    assert isinstance(root, yaml.MappingNode)
    lint_node = next((value for key, value in root.value if key.value == "lint"), None)
    title = f"Add a lint exception for {diagnostic.code} here (with its reason)"
    if lint_node is None:
        at = _after(case, root)
        lines = ["lint:", INDENT + "exceptions:", *(INDENT * 2 + line for line in entry)]
        text = "".join(line + "\n" for line in lines)
        return Fix(title, (Edit(at, at, _newline_before(case, at) + text),))
    if not _is_block_mapping(case, lint_node):
        return None
    assert isinstance(lint_node, yaml.MappingNode)
    listed = next((value for key, value in lint_node.value if key.value == "exceptions"), None)
    if listed is None:
        at, indent = _after(case, lint_node), " " * lint_node.start_mark.column
        lines = ["exceptions:", *(INDENT + line for line in entry)]
        text = "".join(indent + line + "\n" for line in lines)
        return Fix(title, (Edit(at, at, _newline_before(case, at) + text),))
    if not isinstance(listed, yaml.SequenceNode):
        return None
    if not listed.value:  # exceptions: [] becomes a block list
        indent = " " * (lint_node.start_mark.column + len(INDENT))
        text = "".join("\n" + indent + line for line in entry)
        return Fix(title, (Edit(listed.start_mark.index, listed.end_mark.index, text),))
    if case.source[listed.start_mark.index] != "-":
        return None  # a flow list [ ... ]: left to the author
    at, indent = _after(case, listed), " " * listed.start_mark.column
    text = "".join(indent + line + "\n" for line in entry)
    return Fix(title, (Edit(at, at, _newline_before(case, at) + text),))
