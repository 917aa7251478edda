"""Load a case file: bytes → text → YAML node tree → plain data, keeping every position.

PyYAML's own constructors are not used for documents: they drop duplicate keys, turn dates into
`datetime.date` (JSON Schema wants strings), expand aliases without limit and accept any tag. We
compose the node tree with libyaml and build the data ourselves, so every value keeps its line and
column for diagnostics.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, UserError

# Limits for untrusted input; docs/security.md explains them.
# 128 KiB is some 50 pages; the largest case it allows, with the largest evidence, bundles in
# about 710 MiB (at 2 MiB of text the PDF engine and pandoc took 2.5 GiB, at 256 KiB 850 MiB).
MAX_BYTES = 128 * 1024
MAX_NODES = 50_000  # two bytes a value ("1,"): still reachable within MAX_BYTES
MAX_DEPTH = 64

_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """libyaml's loader where PyYAML has it (ten times faster than the pure-Python one), which
    works out each scalar's implicit tag in Python: cases repeat their keys and values, so each
    is worked out once per process (the safe loader's tag depends on nothing else)."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or type(implicit) is not tuple:
            return super().resolve(kind, value, implicit)
        tag = _TAGS.get((value, implicit))
        if tag is None:
            if len(_TAGS) > 100_000:  # not a plan's vocabulary
                _TAGS.clear()
            tag = _TAGS[(value, implicit)] = super().resolve(kind, value, implicit)
        return tag


YAML_LOADER: type = _Loader
_scalar = yaml.constructor.SafeConstructor()


def _yaml12_bool(value: str) -> bool | str:
    """As YAML 1.2 and the editor's YAML language server read it: only true and false are
    booleans; on, off, yes and no stay words (`lint.length: off` is the severity "off")."""
    return value.lower() == "true" if value.lower() in ("true", "false") else value


_TAG = "tag:yaml.org,2002:"
_SCALAR_BUILDERS = {
    _TAG + "str": lambda node: node.value,
    _TAG + "timestamp": lambda node: node.value,  # dates stay strings; the schema checks them
    _TAG + "int": _scalar.construct_yaml_int,
    _TAG + "float": _scalar.construct_yaml_float,
    _TAG + "bool": lambda node: _yaml12_bool(node.value),
    _TAG + "null": _scalar.construct_yaml_null,
}

Path_ = tuple[str | int, ...]
# What YAML refuses in raw text (C0 but tab and line breaks, DEL, C1 but NEL, U+FFFE/U+FFFF),
# and so also in a quoted value once its escapes are decoded.
_DECODED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


@dataclass
class LoadedCase:
    """A case as data, with the source text and node tree for locating any value."""

    file: str
    data: dict[str, Any]
    source: str
    root: yaml.Node
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        return Path(self.file).stem

    @property
    def folder(self) -> Path:
        """The case's own folder, cases/<name>/, where its evidence lives."""
        return Path(self.file).with_suffix("")

    def node_at(self, path: Path_) -> tuple[yaml.Node, yaml.Node | None]:
        """The deepest node along `path`, and the key node of its last step if it is a mapping."""
        node, key_node = self.root, None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next((kv for kv in node.value if kv[0].value == part), None)
                if found is None:
                    break
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                key_node, node = None, node.value[part]
            else:
                break
        return node, key_node

    def locate(self, path: Path_, key: str | None = None) -> tuple[int, int]:
        """Line and column (1-based) of the value at `path`, or of its key `key`."""
        node, _ = self.node_at(path)
        if key is not None and isinstance(node, yaml.MappingNode):
            for key_node, _value in node.value:
                if key_node.value == key:
                    node = key_node
                    break
        return node.start_mark.line + 1, node.start_mark.column + 1

    def position(self, index: int) -> tuple[int, int]:
        """Line and column (1-based) of a character offset in the source."""
        if not self._line_starts:
            self._line_starts = [0] + [i + 1 for i, c in enumerate(self.source) if c == "\n"]
        line = bisect.bisect_right(self._line_starts, index) - 1
        return line + 1, index - self._line_starts[line] + 1

    def span(self, path: Path_) -> tuple[int, int]:
        """Character offsets of the value at `path` in the source."""
        node, _ = self.node_at(path)
        return node.start_mark.index, node.end_mark.index


def _code(character: str | int) -> int:
    return character if isinstance(character, int) else ord(character)


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _error(file: str, line: int, column: int, code: str, message: str, hint: str) -> UserError:
    return UserError([Diagnostic.error(file, code, message, hint, at=(line, column))])


def decode(file: str, raw: bytes) -> str:
    """UTF-8 text from bytes (a UTF-8 byte-order mark is fine), or a diagnostic at the bad byte."""
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(bom):
            raise _error(
                file,
                1,
                1,
                "yaml.encoding",
                f"the file is saved as {name}",
                "save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
            )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise _error(
            file,
            line,
            column,
            "yaml.encoding",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            "save the file as UTF-8 (it looks like Latin-1 or Windows-1252)",
        ) from None


def load_case(file: str | Path) -> LoadedCase:
    """Read and parse a case file; raise UserError with positions for any problem."""
    return parse_bytes(str(file), read_case_bytes(file))


def read_case_bytes(file: str | Path) -> bytes:
    """The bytes of a case file, through the one guarded open every command uses: a folder, a
    pipe or a device is refused before it is read (a pipe would block, /dev/zero never ends),
    and no more than MAX_BYTES + 1 bytes are read (a 3 GB file costs no more than a small one).
    Raise UserError for anything that is not a readable regular file."""
    name = str(file)
    try:
        # Refused before opening where possible; the open does not block on a pipe swapped in
        # meanwhile, and the opened file is checked again.
        if not stat.S_ISREG(os.stat(file).st_mode):
            raise _not_a_file(name, os.stat(file).st_mode)
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(descriptor, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise _not_a_file(name, mode)
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _error(
            name,
            1,
            1,
            "io.missing",
            "file not found",
            "check the path; cases live in cases/<name>.yaml",
        ) from None
    except OSError as exc:
        raise _error(
            name, 1, 1, "io.read", f"cannot read the file: {exc.strerror}", "check its permissions"
        ) from None


def _not_a_file(name: str, mode: int) -> UserError:
    if stat.S_ISDIR(mode):
        return _error(
            name,
            1,
            1,
            "io.directory",
            "this is a folder, not a case file",
            "name the YAML file, e.g. cases/asin-recall.yaml",
        )
    return _error(
        name,
        1,
        1,
        "io.not-a-file",
        "this is not a regular file",
        "name a YAML file; pipes and devices are not read",
    )


def parse_bytes(name: str, raw: bytes) -> LoadedCase:
    """A case from the bytes of its file (read from disk, or from git): size, encoding, YAML."""
    if len(raw) > MAX_BYTES:
        raise _error(
            name,
            1,
            1,
            "yaml.size",
            f"the file is larger than {MAX_BYTES // 1024} KiB",
            "a plan is a few pages; keep evidence in separate files",
        )
    return parse_case(name, decode(name, raw))


def parse_case(file: str, text: str) -> LoadedCase:
    """Parse YAML text into a LoadedCase."""
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        raise _error(
            file,
            line,
            1,
            "yaml.encoding",
            "the file contains a NUL byte",
            "this is not a text file; save the case as UTF-8 text",
        )
    try:
        if "&" in text:  # anchors: refuse their aliases before anything is expanded
            _refuse_aliases(file, text)
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark, problem = exc.problem_mark or exc.context_mark, exc.problem or "invalid YAML"
        if exc.context and exc.context_mark:
            # "end of stream" is rarely where the mistake is: point at what was left open.
            start = exc.context_mark
            if mark is None or mark.index >= len(text.rstrip()):
                mark, problem = start, f"{problem} {exc.context} that starts here"
            else:
                problem += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = "check indentation, colons and quotes on this line or the one before"
        at = mark.index if mark else -1
        if "\t" in problem or "tab" in problem or (0 <= at < len(text) and text[at] == "\t"):
            hint = "indent with spaces, not tabs"
        raise _error(file, line, column, "yaml.syntax", problem, hint) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise _error(
            file,
            line,
            column,
            "yaml.character",
            f"the character U+{_code(exc.character):04X} is not allowed in YAML",
            "remove it; it often comes from copying text out of another program",
        ) from None
    except yaml.YAMLError as exc:
        raise _error(
            file,
            1,
            1,
            "yaml.syntax",
            str(exc).splitlines()[0],
            "check that the file is a YAML mapping",
        ) from None
    except RecursionError:
        raise _error(
            file,
            1,
            1,
            "yaml.depth",
            "the YAML is nested too deeply",
            f"a case needs no more than {MAX_DEPTH} levels",
        ) from None
    if root is None:
        raise _error(
            file,
            1,
            1,
            "yaml.empty",
            "the file is empty",
            "start from an example: actionplan new <name> --structure 4d",
        )
    if not isinstance(root, yaml.MappingNode):
        line, column = root.start_mark.line + 1, root.start_mark.column + 1
        raise _error(
            file,
            line,
            column,
            "yaml.root",
            "a case must be a mapping of keys to values",
            "begin with `structure: 4d` or `structure: 8d` at the start of a line",
        )
    builder = _Builder(file)
    data = builder.build(root, (), 0)
    if builder.errors:
        raise UserError(builder.errors)
    return LoadedCase(file, data, text, root)


MAX_REPORTED_ALIASES = 20


def _refuse_aliases(file: str, text: str) -> None:
    """Report every alias (*name) where it is written; they could expand without bound."""
    marks = [
        event.start_mark
        for event in yaml.parse(text, Loader=YAML_LOADER)
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None
    ]
    if not marks:
        return
    diagnostics = [
        Diagnostic.error(
            file,
            "yaml.alias",
            "aliases (*name) are not supported in case files",
            "write the value out in full where the alias stands",
            at=(mark.line + 1, mark.column + 1),
        )
        for mark in marks[:MAX_REPORTED_ALIASES]
    ]
    if len(marks) > MAX_REPORTED_ALIASES:
        last = marks[MAX_REPORTED_ALIASES]
        diagnostics.append(
            Diagnostic.error(
                file,
                "yaml.alias",
                f"{len(marks) - MAX_REPORTED_ALIASES} more aliases",
                "write every value out in full",
                at=(last.line + 1, last.column + 1),
            )
        )
    raise UserError(diagnostics)


class _Builder:
    """Turns a node tree into plain data, collecting every problem instead of stopping at one."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Diagnostic] = []
        self.count = 0

    def _report(self, node: yaml.Node, path: Path_, code: str, message: str, hint: str) -> None:
        mark = node.start_mark
        self.errors.append(
            Diagnostic.error(
                self.file, code, message, hint, at=(mark.line + 1, mark.column + 1), path=path
            )
        )

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            what = "too many values" if self.count > MAX_NODES else "nesting too deep"
            self._report(
                node,
                path,
                "yaml.size",
                what,
                "a case is a few hundred values",
            )
            raise UserError(self.errors)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._plain_tag(node, path, "seq")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, path, depth)

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        builder = _SCALAR_BUILDERS.get(node.tag)
        if builder is None:
            self._report(
                node,
                path,
                "yaml.tag",
                f"unsupported tag {_tag_name(node.tag)}",
                "remove the tag; a case uses plain YAML"
                if node.tag.startswith("!")
                else "write the value as plain text, a number, true/false or a date",
            )
            return None
        if node.tag == _TAG + "str" and node.style in ('"', "'"):
            # A double-quoted scalar decodes escapes (\e, \0, \x9b) after libyaml's check of the
            # raw text: the decoded text is checked again.
            bad = _DECODED_CONTROL.search(node.value)
            if bad:
                self._report(
                    node,
                    path,
                    "yaml.character",
                    f"the text contains the control character U+{ord(bad.group(0)):04X}",
                    "remove the escape sequence; text needs no control characters",
                )
                return node.value
        try:
            return builder(node)
        except (ValueError, OverflowError):
            self._report(
                node,
                path,
                "yaml.value",
                f"cannot read {node.value!r}",
                "quote it to keep it as text",
            )
            return node.value

    def _plain_tag(self, node: yaml.Node, path: Path_, kind: str) -> None:
        if node.tag != _TAG + kind:
            self._report(
                node,
                path,
                "yaml.tag",
                f"unsupported tag {_tag_name(node.tag)}",
                "remove the tag; a case uses plain YAML",
            )

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        self._plain_tag(node, path, "map")
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _TAG + "merge":
                self._report(
                    key_node,
                    path,
                    "yaml.key",
                    "keys must be plain names",
                    "write `name: value`; merge keys (<<) are not supported",
                )
                continue
            key = str(key_node.value)
            if key in first:
                line = first[key].start_mark.line + 1
                self._report(
                    key_node,
                    (*path, key),
                    "yaml.duplicate-key",
                    f"duplicate key '{key}' (first defined on line {line})",
                    "remove one of them or merge their contents",
                )
                continue
            first[key] = key_node
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out
