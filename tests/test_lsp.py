"""`actionplan lsp` end to end: a real LSP client (pytest-lsp) talks to the server over stdio."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from generator import catalogue
from tests.conftest import ROOT

pytestmark = pytest.mark.asyncio

CASE = ROOT / "cases" / "asin-recall.yaml"
SERVER = [sys.executable, "-m", "generator", "lsp"]


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    """A copy of an example case with its evidence, in a plans repository of its own."""
    cases = tmp_path / "cases"
    shutil.copytree(CASE.with_suffix(""), cases / CASE.stem)
    shutil.copy(CASE, cases / CASE.name)
    return cases / CASE.name


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    lsp_client.registered = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registered += params.registrations  # type: ignore[attr-defined]

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=tmp_path.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _published(client: LanguageClient) -> types.PublishDiagnosticsParams:
    """The next diagnostics the server publishes (a test fails, not hangs, without them)."""
    import asyncio

    waiting = client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    published: types.PublishDiagnosticsParams = await asyncio.wait_for(waiting, 60)
    return published


async def _open(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    await _published(client)
    return list(client.diagnostics[uri])


async def _change(
    client: LanguageClient, path: Path, text: str, version: int
) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await _published(client)
    return list(client.diagnostics[uri])


def _text_in(text: str, where: types.Range) -> str:
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: where.start.line]) + where.start.character
    end = sum(len(line) for line in lines[: where.end.line]) + where.end.character
    return text[start:end]


def _codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diagnostics]


async def test_a_promise_is_reported_where_it_is_and_goes_when_fixed(
    client: LanguageClient, case_file: Path
) -> None:
    clean = case_file.read_text(encoding="utf-8")
    assert _codes(await _open(client, case_file, clean)) == []
    promise = clean.replace("Closed the listing", "We will close the listing", 1)
    found = await _change(client, case_file, promise, 2)
    assert _codes(found) == ["lint.promise"]
    (diagnostic,) = found
    assert _text_in(promise, diagnostic.range) == "We will"
    # A promise's severity follows its measured precision in English (rules/quality.json).
    graded = catalogue.severity(catalogue.rules()["lint.promise"], "en")
    severities = {
        "error": types.DiagnosticSeverity.Error,
        "warning": types.DiagnosticSeverity.Warning,
    }
    assert diagnostic.severity == severities[graded]
    assert diagnostic.source == "actionplan"
    assert "past tense" in diagnostic.message
    assert diagnostic.code_description is not None
    href = diagnostic.code_description.href
    assert href.startswith("file://") and href.endswith("#lintpromise-promises-instead-of-actions")
    assert (
        "## `lint.promise`: Promises instead of actions" in (ROOT / "docs" / "rules.md").read_text()
    )
    # Hover on the words: the rule's why and fix.
    shown = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri()),
            position=diagnostic.range.start,
        )
    )
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert "Why: Amazon asks for the actions you *have taken*" in shown.contents.value
    assert "Fix: report what was done" in shown.contents.value
    # Fixed again: the finding goes.
    assert _codes(await _change(client, case_file, clean, 3)) == []


async def test_a_misspelt_key_is_renamed_by_a_code_action(
    client: LanguageClient, case_file: Path
) -> None:
    text = case_file.read_text(encoding="utf-8").replace("\n    title: ", "\n    titel: ", 1)
    found = await _open(client, case_file, text)
    unknown = next(d for d in found if d.code == "schema.unknown-key")
    assert _text_in(text, unknown.range) == "titel"
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri()),
            range=unknown.range,
            context=types.CodeActionContext(diagnostics=[unknown]),
        )
    )
    assert actions is not None
    rename = next(
        a for a in actions if isinstance(a, types.CodeAction) and a.title == "Rename to 'title'"
    )
    assert rename.edit is not None and rename.edit.changes is not None
    (edit,) = rename.edit.changes[case_file.as_uri()]
    assert edit.range == unknown.range and edit.new_text == "title"
    fixed = text.replace("\n    titel: ", "\n    title: ", 1)
    assert _codes(await _change(client, case_file, fixed, 2)) == []


async def test_a_european_date_is_rewritten_as_iso(client: LanguageClient, case_file: Path) -> None:
    text = case_file.read_text(encoding="utf-8").replace("date: 2026-11-20", "date: 20.11.2026", 1)
    (wrong,) = await _open(client, case_file, text)
    assert wrong.code == "schema.format" and _text_in(text, wrong.range) == "20.11.2026"
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri()),
            range=wrong.range,
            context=types.CodeActionContext(diagnostics=[wrong]),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions]
    assert titles == ["Write the date as 2026-11-20"]


async def test_hover_on_a_field_shows_its_schema_description(
    client: LanguageClient, case_file: Path
) -> None:
    text = case_file.read_text(encoding="utf-8")
    await _open(client, case_file, text)
    line = text[: text.index("merchant_token:")].count("\n")
    shown = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri()),
            position=types.Position(line=line, character=4),
        )
    )
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert shown.contents.value.startswith("**merchant_token**")
    assert "The merchant token (seller ID) from Seller Central" in shown.contents.value


async def test_evidence_ids_are_completed_in_an_evidence_list(
    client: LanguageClient, case_file: Path
) -> None:
    text = case_file.read_text(encoding="utf-8")
    await _open(client, case_file, text)
    at = text.index("evidence: [") + len("evidence: [")
    line = text[:at].count("\n")
    column = at - (text.rfind("\n", 0, at) + 1)
    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri()),
            position=types.Position(line=line, character=column),
        )
    )
    assert isinstance(found, types.CompletionList)
    labels = [item.label for item in found.items]
    assert labels[:3] == ["E1", "E2", "E3"] and len(labels) == 7  # E1 to E7 of asin-recall
    # Not in prose: the YAML language server completes the schema's keys.
    line = text[: text.index("merchant_token:")].count("\n")
    none = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri()),
            position=types.Position(line=line, character=20),
        )
    )
    assert none is None or not none.items


async def test_yaml_that_is_not_a_case_gets_no_diagnostics(
    client: LanguageClient, tmp_path: Path
) -> None:
    other = tmp_path / "docker-compose.yaml"
    assert await _open(client, other, "services:\n  web: {image: nginx}\nwe will: fix it\n") == []


async def test_ranges_count_utf16_units_as_editors_do(
    client: LanguageClient, case_file: Path
) -> None:
    # Characters outside the Basic Multilingual Plane take two UTF-16 units in the editor.
    text = case_file.read_text(encoding="utf-8").replace(
        "Closed the listing", "\U0001f4e6\U0001f4e6 We will close the listing", 1
    )
    (found,) = await _open(client, case_file, text)
    line = text.splitlines()[found.range.start.line]
    units = line.encode("utf-16-le")
    start, end = found.range.start.character * 2, found.range.end.character * 2
    assert units[start:end].decode("utf-16-le") == "We will"


async def test_a_save_checks_the_evidence_on_disk_again(
    client: LanguageClient, case_file: Path
) -> None:
    text = case_file.read_text(encoding="utf-8")
    assert await _open(client, case_file, text) == []
    sorted((case_file.with_suffix("") / "evidence").iterdir())[0].unlink()
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=case_file.as_uri())
        )
    )
    await _published(client)
    assert _codes(list(client.diagnostics[case_file.as_uri()])) == ["evidence.missing"]


async def test_a_changed_evidence_file_is_checked_again_without_an_edit(
    client: LanguageClient, case_file: Path
) -> None:
    text = case_file.read_text(encoding="utf-8")
    assert await _open(client, case_file, text) == []
    (asked,) = client.registered  # type: ignore[attr-defined]
    assert asked.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    patterns = [w["globPattern"] for w in asked.register_options["watchers"]]
    assert patterns == ["**/cases/**", "**/actionplan.yaml"]
    removed = sorted((case_file.with_suffix("") / "evidence").iterdir())[0]
    removed.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=removed.as_uri(), type=types.FileChangeType.Deleted)]
        )
    )
    await _published(client)
    assert _codes(list(client.diagnostics[case_file.as_uri()])) == ["evidence.missing"]


async def test_typing_is_checked_once_it_pauses(client: LanguageClient, case_file: Path) -> None:
    import asyncio

    text = case_file.read_text(encoding="utf-8")
    assert await _open(client, case_file, text) == []
    uri = case_file.as_uri()
    for version, typed in enumerate(("We", "We will", "We will close"), start=2):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangeWholeDocument(
                        text=text.replace("Closed the listing", f"{typed} the listing", 1)
                    )
                ],
            )
        )
    published = await _published(client)
    assert published.version == 4  # only the text as it was when typing paused
    assert _codes(published.diagnostics) == ["lint.promise"]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 1.0
        )


async def test_a_new_empty_file_in_cases_is_a_case(client: LanguageClient, tmp_path: Path) -> None:
    new = tmp_path / "cases" / "new-case.yaml"
    assert _codes(await _open(client, new, "")) == ["yaml.empty"]


async def test_a_new_empty_file_in_a_client_folder_of_cases_is_a_case(
    client: LanguageClient, tmp_path: Path
) -> None:
    """An agency keeps cases/clients/acme/…: the editor checks them as `actionplan lint` does."""
    new = tmp_path / "cases" / "clients" / "acme" / "recall.yaml"
    assert _codes(await _open(client, new, "")) == ["yaml.empty"]
