"""`actionplan lsp`: a language server over stdio for case files, on pygls.

It publishes what `actionplan lint` finds (schema, content rules, evidence) as the user types,
and offers hovers, certain fixes and id completion (generator/editor.py). It leaves schema
completion and formatting to the YAML language server that runs beside it, and ignores YAML
files that are not cases.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from generator import __version__, about, editor, lint, pipeline, repository
from generator.diagnostics import Diagnostic, Severity, UserError
from generator.loader import LoadedCase
from generator.resources import RULES

# Typing pauses shorter than this do not start a check; a save checks at once.
DEBOUNCE = 0.25
SOURCE = "actionplan"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
_MODELINE = re.compile(r"\$schema=\S*plan-(4d|8d)\.schema\.json")
_STRUCTURE = re.compile(r"^structure:", re.MULTILINE)


@dataclass
class _Checked:
    """The last check of one document: its text, its case (if it parsed) and what was found."""

    text: str
    case: LoadedCase | None
    diagnostics: list[Diagnostic]


class CaseServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full
        )
        self.checked: dict[str, _Checked] = {}
        self.last_case: dict[str, LoadedCase] = {}  # the last text that parsed, for completion
        self.pending: dict[str, asyncio.Task[None]] = {}


server = CaseServer()


def is_case(uri: str, text: str) -> bool:
    """A YAML file in a cases/ folder or one of its subfolders (cases/clients/acme/), or with a
    root `structure:` key or the case schema's modeline."""
    path = Path(to_fs_path(uri) or uri)
    if path.suffix not in (".yaml", ".yml") or path.name == lint.CONFIG_FILE:
        return False
    return bool(
        repository.in_cases(path) or _MODELINE.search(text[:500]) or _STRUCTURE.search(text)
    )


def _settings_folder(file: Path) -> Path:
    """Where the plans repository's actionplan.yaml is, found as `actionplan lint` finds it."""
    config = repository.find_config(file)
    return config.parent if config is not None else file.parent


def check(uri: str, text: str) -> _Checked:
    """The full pipeline check of the text: the same findings as `actionplan lint`."""
    path = Path(to_fs_path(uri) or uri)
    folder = _settings_folder(path)
    config_problems: list[Diagnostic] = []
    settings: lint.Settings | None
    try:
        settings = lint.load_settings(folder)
    except UserError as exc:
        settings, config_problems = None, exc.diagnostics
    result = pipeline.check_text(str(path), text, settings)
    found = list(result.diagnostics)
    if config_problems:
        found.append(
            Diagnostic(
                str(path),
                1,
                1,
                Severity.WARNING,
                "config.schema",
                "",
                f"{folder / lint.CONFIG_FILE} has errors, so the content rules did not run",
                config_problems[0].format(),
            )
        )
    return _Checked(text, result.case, found)


def rule_link(code: str) -> str | None:
    """The rule's section of docs/rules.md: in this checkout of actionplan if it is one, else on
    the project's site."""
    if code not in lint.rules():
        return None
    rule = lint.rules()[code]
    # The anchor of the heading "`lint.x`: Title", as Markdown renderers make it.
    anchor = re.sub(r"[^a-z0-9 -]", "", f"{code}: {rule.title}".lower()).replace(" ", "-")
    docs = RULES.parent / "docs" / "rules.md"
    if docs.is_file():
        return f"{from_fs_path(str(docs))}#{anchor}"
    return f"{about.url('Source')}/blob/main/docs/rules.md#{anchor}"


def _position(document: TextDocument, offset: int) -> types.Position:
    """A character offset as the editor counts (UTF-16 units unless agreed otherwise); pygls's
    own conversion fails on an empty document."""
    text = document.source
    line_start = text.rfind("\n", 0, offset) + 1
    units = document.position_codec.client_num_units(text[line_start:offset])
    return types.Position(line=text.count("\n", 0, offset), character=units)


def _range(document: TextDocument, start: int, end: int) -> types.Range:
    return types.Range(start=_position(document, start), end=_position(document, end))


def to_lsp(document: TextDocument, checked: _Checked, diagnostic: Diagnostic) -> types.Diagnostic:
    start, end = editor.span(checked.text, checked.case, diagnostic)
    link = rule_link(diagnostic.code)
    message = diagnostic.message + (f": {diagnostic.hint}" if diagnostic.hint else "")
    return types.Diagnostic(
        range=_range(document, start, end),
        message=message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=link) if link else None,
        source=SOURCE,
    )


def publish(ls: CaseServer, uri: str) -> None:
    """Check the document as it is now and publish everything found."""
    document = ls.workspace.get_text_document(uri)
    text = document.source
    if not is_case(uri, text):
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
        return
    checked = check(uri, text)
    ls.checked[uri] = checked
    if checked.case is not None:
        ls.last_case[uri] = checked.case
    here = Path(to_fs_path(uri) or uri)
    own = [d for d in checked.diagnostics if Path(d.file) == here]
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(
            uri=uri,
            diagnostics=[to_lsp(document, checked, d) for d in own],
            version=document.version,
        )
    )


def _schedule(ls: CaseServer, uri: str, delay: float) -> None:
    previous = ls.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()

    async def later() -> None:
        await asyncio.sleep(delay)
        ls.pending.pop(uri, None)
        publish(ls, uri)

    ls.pending[uri] = asyncio.get_running_loop().create_task(later())


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CaseServer, params: types.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CaseServer, params: types.DidChangeTextDocumentParams) -> None:
    _schedule(ls, params.text_document.uri, DEBOUNCE)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: CaseServer, params: types.DidSaveTextDocumentParams) -> None:
    # Evidence files may have changed on disk too: check now, whatever is pending.
    task = ls.pending.pop(params.text_document.uri, None)
    if task is not None:
        task.cancel()
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CaseServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    with contextlib.suppress(KeyError):
        ls.pending.pop(uri).cancel()
    ls.checked.pop(uri, None)
    ls.last_case.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.INITIALIZED)
def initialized(ls: CaseServer, params: types.InitializedParams) -> None:
    """Ask the editor to say when evidence or settings change on disk, where it can."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if not (watched and watched.dynamic_registration):
        return
    watchers = [
        types.FileSystemWatcher(glob_pattern=pattern)
        for pattern in ("**/cases/**", f"**/{lint.CONFIG_FILE}")
    ]
    registration = types.Registration(
        id="actionplan-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    # Best effort: without it, evidence is checked again on the next change or save.
    ls.client_register_capability(
        types.RegistrationParams(registrations=[registration]), callback=lambda *_: None
    )


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def files_changed(ls: CaseServer, params: types.DidChangeWatchedFilesParams) -> None:
    """An evidence file or actionplan.yaml changed: check the open cases it belongs to."""
    changed = [Path(to_fs_path(change.uri) or change.uri) for change in params.changes]
    for uri in list(ls.checked):
        folder = Path(to_fs_path(uri) or uri).with_suffix("")
        if any(p.name == lint.CONFIG_FILE or p.is_relative_to(folder) for p in changed):
            _schedule(ls, uri, 0.0)


def _current(ls: CaseServer, uri: str) -> tuple[TextDocument, _Checked] | None:
    """The document and its check, if the check is of the text as it is now."""
    checked = ls.checked.get(uri)
    document = ls.workspace.get_text_document(uri)
    if checked is None or checked.text != document.source:
        if not is_case(uri, document.source):
            return None
        checked = check(uri, document.source)
        ls.checked[uri] = checked
    return document, checked


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: CaseServer, params: types.HoverParams) -> types.Hover | None:
    """On a finding: its rule's why and fix; on a field: the schema's description."""
    current = _current(ls, params.text_document.uri)
    if current is None:
        return None
    document, checked = current
    index = document.offset_at_position(params.position)
    parts: list[str] = []
    language = str(checked.case.data.get("language", "en")) if checked.case else "en"
    for diagnostic in checked.diagnostics:
        start, end = editor.span(checked.text, checked.case, diagnostic)
        rule = lint.rules().get(diagnostic.code)
        if rule is not None and start <= index <= end:
            fix = rule.wording(language)[1]  # in the plan's language, as the finding says it
            part = f"**{rule.title}** (`{rule.code}`)\n\nWhy: {rule.why}\n\nFix: {fix}."
            parts += [part] if part not in parts else []  # one rule, once
    if not parts and checked.case is not None:
        found = editor.path_at(checked.case, index)
        structure = str(checked.case.data.get("structure"))
        if found is not None:
            path, _ = found
            names = [part for part in path if isinstance(part, str)]
            schema = editor.schema_at(structure, path)
            if schema is not None and names and schema.get("description"):
                parts.append(editor.describe(names[-1], schema))
    if not parts:
        return None
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
        )
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: CaseServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The certain fixes of the findings in the range asked about."""
    uri = params.text_document.uri
    only = params.context.only
    if only and not any(types.CodeActionKind.QuickFix.startswith(kind) for kind in only):
        return []  # e.g. the editor asks for source actions on save: there are none
    current = _current(ls, uri)
    if current is None:
        return []
    document, checked = current
    first = document.offset_at_position(params.range.start)
    last = document.offset_at_position(params.range.end)
    actions = []
    for diagnostic in checked.diagnostics:
        start, end = editor.span(checked.text, checked.case, diagnostic)
        if end < first or start > last:
            continue
        for fix in editor.fixes(checked.text, checked.case, diagnostic):
            edits = [
                types.TextEdit(range=_range(document, e.start, e.end), new_text=e.text)
                for e in fix.edits
            ]
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[to_lsp(document, checked, diagnostic)],
                    is_preferred=fix.preferred or None,
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                )
            )
    return actions


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["[", ",", " "]),
)
def completion(ls: CaseServer, params: types.CompletionParams) -> types.CompletionList | None:
    """Evidence ids in `evidence:` and root-cause ids in `addresses:`, and nowhere else."""
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    text = document.source
    if not is_case(uri, text):
        return None
    index = document.offset_at_position(params.position)
    kind = editor.id_list_at(text, index)
    if kind is None:
        return None
    case = ls.last_case.get(uri)
    line_start = text.rfind("\n", 0, index) + 1
    written = set(re.findall(r"[A-Z]+[0-9]+", text[line_start:index]))
    items = [
        types.CompletionItem(
            label=found,
            kind=types.CompletionItemKind.Reference,
            detail=about or None,
            sort_text=f"{len(found):02d}{found}",
        )
        for found, about in editor.id_choices(text, index, kind, case)
        if found not in written
    ]
    return types.CompletionList(is_incomplete=False, items=items)


def main() -> None:
    """Serve on standard input and output until the editor stops the server."""
    server.start_io()
