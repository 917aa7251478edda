"""`actionplan serve` in a real headless Chromium (Debian's, driven by Playwright): the page
follows every save without a reload, and a broken save keeps the last good plan under its errors.
"""

from __future__ import annotations

import dataclasses
import http.client
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import catalogue, serve
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CASE = ROOT / "cases" / "asin-recall.yaml"
WAIT_MS = 15_000  # a generous bound for a loaded machine; the speed is measured by make bench


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A plans repository with one example case and its evidence."""
    cases = tmp_path / "cases"
    shutil.copytree(CASE.with_suffix(""), cases / CASE.stem)
    shutil.copy(CASE, cases / CASE.name)
    return tmp_path


@pytest.fixture
def server(repo: Path) -> Iterator[serve.Server]:
    running = serve.Server(repo / "cases", repo)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: serve.Server) -> Iterator[Any]:
    opened = browser.new_page()
    outside: list[str] = []
    opened.on(
        "request",
        lambda request: None if request.url.startswith(server.url) else outside.append(request.url),
    )
    opened.goto(f"{server.url}case/{CASE.stem}/")
    opened.evaluate("window.marker = 'still the same page'")
    yield opened
    opened.close()
    assert outside == [], "the page asked for something outside the preview"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _wait_until(page: Any, script: str) -> None:
    """Poll a condition from outside the page (its CSP forbids Playwright's in-page eval)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still not true: {script}"
        time.sleep(0.05)


# A promise's default severity in English follows its measured precision (rules/quality.json).
_PROMISE = catalogue.severity(catalogue.rules()["lint.promise"], "en")


def _same_page(page: Any) -> None:
    assert page.evaluate("window.marker") == "still the same page"


def test_a_save_updates_the_plan_and_its_findings_without_a_reload(page: Any, repo: Path) -> None:
    assert "0 error(s), 0 warning(s)" in page.text_content("#findings")
    case = repo / "cases" / CASE.name
    _edit(case, "Closed the listing", "We will close the listing")
    _wait_until(page, "document.querySelector('#findings').textContent.includes('lint.promise')")
    _same_page(page)
    assert "We will close the listing" in page.text_content("#plan")
    # The finding links to its words in the plan.
    href = page.get_attribute("#findings a.place", "href")
    assert href == "#finding-0"
    following = page.evaluate(
        "(() => { const a = document.getElementById('finding-0');"
        " const r = document.createRange(); r.setStartAfter(a);"
        " r.setEnd(a.parentNode, a.parentNode.childNodes.length); return r.toString(); })()"
    )
    assert following.startswith("We will close the listing")
    assert page.evaluate(f"CSS.highlights.get('finding-{_PROMISE}').size") == 1
    # Fixed: the finding goes, still on the same page.
    _edit(case, "We will close the listing", "Closed the listing")
    _wait_until(page, "!document.querySelector('#findings').textContent.includes('lint.promise')")
    _same_page(page)


def test_a_broken_save_keeps_the_last_good_plan_under_its_error(page: Any, repo: Path) -> None:
    case = repo / "cases" / CASE.name
    _edit(case, "Closed the listing", "Shut the listing")
    _wait_until(page, "document.querySelector('#plan').textContent.includes('Shut the listing')")
    _edit(case, "    title: Overheating", "    title: [Overheating")
    page.wait_for_selector("#errors .broken", timeout=WAIT_MS)
    _same_page(page)
    errors = page.text_content("#errors")
    assert "The last save cannot be shown" in errors and "[yaml.syntax]" in errors
    assert f"{CASE.name}:" in errors
    assert "Shut the listing" in page.text_content("#plan")  # the last good version
    assert "stale" in (page.get_attribute("#plan", "class") or "")
    assert "run again once the errors above are fixed" in page.text_content("#findings")
    _edit(case, "    title: [Overheating", "    title: Overheating")
    page.wait_for_selector("#errors .broken", state="detached", timeout=WAIT_MS)
    assert "stale" not in (page.get_attribute("#plan", "class") or "")


def test_evidence_and_settings_changes_update_the_page(page: Any, repo: Path) -> None:
    evidence = repo / "cases" / CASE.stem / "evidence"
    removed = sorted(evidence.iterdir())[0]
    kept = removed.read_bytes()
    removed.unlink()
    page.wait_for_selector("#errors .broken", timeout=WAIT_MS)
    assert "[evidence.missing]" in page.text_content("#errors")
    removed.write_bytes(kept)
    page.wait_for_selector("#errors .broken", state="detached", timeout=WAIT_MS)
    _edit(repo / "cases" / CASE.name, "Closed the listing", "We will close the listing")
    _wait_until(page, f"document.querySelector('#findings li.{_PROMISE}') !== null")
    other = "warning" if _PROMISE == "error" else "error"
    (repo / "actionplan.yaml").write_text(
        f"lint:\n  severity:\n    lint.promise: {other}\n", encoding="utf-8"
    )
    _wait_until(page, f"document.querySelector('#findings li.{other}') !== null")
    _same_page(page)


def test_the_index_lists_every_case_and_links_its_pdfs(browser: Any, server: serve.Server) -> None:
    opened = browser.new_page()
    opened.goto(server.url)
    links = opened.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert links == [
        "/case/asin-recall/",
        "/case/asin-recall/asin-recall.pdf",
        "/case/asin-recall/asin-recall-submission.pdf",
    ]
    opened.close()


def _get(server: serve.Server, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Host": host} if host else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_only_local_hosts_and_only_the_outputs_are_served(server: serve.Server) -> None:
    assert _get(server, "/")[0] == 200
    assert _get(server, "/", host=f"localhost:{server.port}")[0] == 200
    status, body = _get(server, "/", host=f"attacker.example:{server.port}")
    assert status == 403 and b"127.0.0.1" in body
    assert _get(server, "/", host="127.0.0.1:1")[0] == 403
    for path in (
        "/case/asin-recall/asin-recall.yaml",
        "/case/asin-recall/evidence/",
        "/case/asin-recall/../../etc/passwd",
        "/case/..%2f..%2fetc/",
        "/cases/asin-recall.yaml",
        "/case/nothing-here/",
    ):
        assert _get(server, path)[0] == 404, path
    assert _get(server, "/case/asin-recall")[0] == 301  # to /case/asin-recall/
    status, body = _get(server, "/case/asin-recall/asin-recall.pdf")
    assert status == 200 and body.startswith(b"%PDF-")
    status, body = _get(server, "/case/asin-recall/asin-recall-submission.pdf")
    assert status == 200 and body.startswith(b"%PDF-")


def test_it_binds_to_the_loopback_address_only(server: serve.Server) -> None:
    assert server.http.server_address[0] == "127.0.0.1"


def test_a_change_to_the_templates_renders_the_open_cases_again(server: serve.Server) -> None:
    from generator.resources import TEMPLATES

    preview = server.site.preview(CASE.stem)
    assert preview is not None
    before = preview.state.version
    server.site.changed({str((TEMPLATES / "plan.css").resolve())})
    assert preview.state.version == before + 1 and not preview.state.errors
    # Another case's file changes nothing here.
    server.site.changed({str((server.site.cases / "other.yaml").resolve())})
    assert preview.state.version == before + 1


def test_the_command_serves_until_stopped_and_says_where(repo: Path) -> None:
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "generator", "serve", "cases/asin-recall.yaml", "--port", "0"]
    process = subprocess.Popen(command, cwd=repo, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("serving http://127.0.0.1:") and line.rstrip().endswith(
            "/case/asin-recall/ (Ctrl-C to stop)"
        )
        port = int(line.split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/case/asin-recall/")
        response = connection.getresponse()
        assert response.status == 200 and b"Weber Power" in response.read()
        connection.close()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "stopped" in process.stderr.read()
    finally:
        process.kill()


def test_a_port_in_use_is_an_error_to_act_on(repo: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--port", str(port)],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_a_finding_is_looked_for_by_its_words_inside_the_nearest_text() -> None:
    from generator import lint, pipeline

    text = CASE.read_text(encoding="utf-8").replace("Closed the listing", "We will close it", 1)
    checked = pipeline.check_text(str(CASE), text, lint.load_settings())
    assert checked.case is not None
    (promise,) = checked.diagnostics
    found = serve._finding(checked.case, 0, promise)
    assert found.words == "We will"
    assert found.places[0].startswith("We will close it for ASIN B07XYZ1234")
    # A finding on a value that is no prose (a date) is looked for by the text beside it.
    owner = dataclasses.replace(promise, path="$.problems[0].immediate_actions[0].date", end=None)
    assert serve._finding(checked.case, 1, owner).places[0].startswith("We will close it")


def test_a_case_broken_from_the_start_shows_its_plan_once_fixed(
    browser: Any, server: serve.Server, repo: Path
) -> None:
    case = repo / "cases" / CASE.name
    _edit(case, "structure: 4d", "structure: 4d\nlanguage: [en")
    opened = browser.new_page()
    opened.goto(f"{server.url}case/{CASE.stem}/")
    assert "[yaml.syntax]" in opened.text_content("#errors")
    assert "Below is the last good version" not in opened.text_content("#errors")
    assert opened.text_content("#plan").strip() == ""
    _edit(case, "structure: 4d\nlanguage: [en", "structure: 4d")
    _wait_until(opened, "document.querySelector('#plan').textContent.includes('Weber Power')")
    assert opened.text_content("#errors").strip() == ""
    opened.close()


def test_a_page_follows_a_restarted_server(browser: Any, repo: Path) -> None:
    first = serve.Server(repo / "cases", repo)
    first.start()
    opened = browser.new_page()
    opened.goto(f"{first.url}case/{CASE.stem}/")
    opened.evaluate("window.marker = 'still the same page'")
    first.stop()
    _edit(repo / "cases" / CASE.name, "Closed the listing", "Shut the listing")
    second = serve.Server(repo / "cases", repo, first.port)
    second.start()
    try:
        # The page reconnects by itself and gets the plan as it is now, not only later changes.
        _wait_until(opened, "document.querySelector('#plan').textContent.includes('Shut the')")
        _same_page(opened)
    finally:
        opened.close()
        second.stop()


def test_the_panel_counts_errors_warnings_and_notes_apart() -> None:
    from generator.diagnostics import Diagnostic, Severity

    found = [
        Diagnostic("c.yaml", line, 1, severity, code, "$.date", "message")
        for line, severity, code in (
            (1, Severity.ERROR, "lint.promise"),
            (2, Severity.WARNING, "lint.filler"),
            (3, Severity.NOTE, "evidence.older"),
        )
    ]
    state = serve.State(findings=[serve.Finding(n, d, "", []) for n, d in enumerate(found)])
    panel = serve._template("findings.html.j2").render(state=state)
    assert "1 error(s), 1 warning(s), 1 note(s)" in panel
    assert panel.count('<li class="note"') == 1


def test_a_saved_template_updates_the_page(page: Any) -> None:
    """The preview's own stylesheet saved again, unchanged (its time put back after)."""
    import os

    from generator.resources import TEMPLATES

    css = TEMPLATES / "preview" / "preview.css"
    before, content = css.stat(), css.read_bytes()
    version = int(page.get_attribute("body", "data-version"))
    try:
        css.write_bytes(content)
        _wait_until(page, f"Number(document.body.dataset.version) > {version}")
    finally:
        os.utime(css, ns=(before.st_atime_ns, before.st_mtime_ns))
    _same_page(page)


def test_the_pages_pass_axe(browser: Any, server: serve.Server) -> None:
    """axe-core (installed by make test, as for the plan's HTML) finds no accessibility fault."""
    import os

    tools = Path(os.environ.get("ACTIONPLAN_TOOLS", ROOT / ".tools")) / "node_modules"
    axe = tools / "axe-core" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed (make test installs it into .tools/)")
    context = browser.new_context(bypass_csp=True)  # to add axe to the page
    opened = context.new_page()
    for url in (server.url, f"{server.url}case/{CASE.stem}/"):
        opened.goto(url)
        opened.evaluate(axe.read_text(encoding="utf-8"))
        found = opened.evaluate("axe.run().then(r => r.violations.map(v => v.id))")
        assert found == [], url
    context.close()


def test_cases_in_folders_are_listed_and_served(browser: Any, repo: Path) -> None:
    nested = repo / "cases" / "clients" / "weber"
    shutil.copytree(CASE.with_suffix(""), nested / CASE.stem)
    shutil.copy(CASE, nested / CASE.name)
    # A YAML file inside a case's own folder is no case: the index must not list it.
    (nested / CASE.stem / "evidence" / "notes.yaml").write_text("a: 1\n")
    running = serve.Server(repo / "cases", repo)
    running.start()
    try:
        opened = browser.new_page()
        opened.goto(running.url)
        links = opened.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
        assert "/case/clients/weber/asin-recall/" in links
        assert "/case/clients/weber/asin-recall/asin-recall-submission.pdf" in links
        assert not any("/evidence/" in (link or "") for link in links)  # evidence is no case
        opened.goto(f"{running.url}case/clients/weber/asin-recall/")
        assert "Weber Power" in opened.text_content("#plan")
        opened.close()
        status, body = _get(running, "/case/clients/weber/asin-recall/asin-recall.pdf")
        assert status == 200 and body.startswith(b"%PDF-")
        assert _get(running, "/case/clients/weber/")[0] == 404
    finally:
        running.stop()


def test_the_command_names_a_case_in_a_folder_by_its_path(repo: Path) -> None:
    import subprocess
    import sys

    nested = repo / "cases" / "clients"
    nested.mkdir()
    shutil.copy(CASE, nested / CASE.name)
    command = [sys.executable, "-m", "generator", "serve", "cases/clients/asin-recall.yaml"]
    process = subprocess.Popen(
        [*command, "--port", "0"], cwd=repo, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        assert (
            process.stderr.readline()
            .rstrip()
            .endswith("/case/clients/asin-recall/ (Ctrl-C to stop)")
        )
    finally:
        process.kill()
        process.wait(timeout=30)
