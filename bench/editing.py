"""The editing loop's speed (make bench): from a save to the editor's diagnostics, and to the
preview in the browser, for each example case.

save -> diagnostics: `actionplan lsp` as an editor runs it, over stdio; the editor sends the new
text (didChange) and the save (didSave); timed from the save to the publishDiagnostics that
answers it.
save -> preview: `actionplan serve CASE`, the page open in Debian's headless Chromium (Playwright);
timed from the write of the file to the moment the page's plan shows the new text (a
MutationObserver in the page notes the time). Without Chromium, to the server-sent event instead.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACTIONPLAN = str(ROOT / ".venv" / "bin" / "actionplan")
SAVES = 6  # per case, alternately with and without an unfinished title
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _edits(text: str) -> tuple[str, str]:
    """The case with its first problem's title unfinished (a TODO, found in every language), and
    as it was."""
    found = re.search(r"^(\s+title: )(\S.*)$", text, re.MULTILINE)
    assert found, "an example case without a one-line title"
    unfinished = text[: found.end()] + " TODO" + text[found.end() :]
    return unfinished, text


class _Client:
    """A bare LSP client over a pipe: enough to open, change and save one document."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([ACTIONPLAN, "lsp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.request(1, "initialize", {"processId": os.getpid(), "rootUri": None,
                                       "capabilities": {}})
        self.notify("initialized", {})

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    return
                header += byte
            length = int(re.search(rb"Content-Length: (\d+)", header).group(1))  # type: ignore[union-attr]
            self.messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, number: int, method: str, params: Any) -> dict[str, Any]:
        self._send({"id": number, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == number)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def wait(self, wanted: Any) -> dict[str, Any]:
        while True:
            message = self.messages.get(timeout=30)
            if wanted(message):
                return message

    def close(self) -> None:
        self.request(99, "shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=10)


def _published(version: int) -> Any:
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"].get("version") == version)


def save_to_diagnostics(folder: Path, names: list[str]) -> list[float]:
    client = _Client()
    times = []
    try:
        for name in names:
            path = (folder / "cases" / f"{name}.yaml").resolve()
            uri = path.as_uri()
            texts = _edits(path.read_text(encoding="utf-8"))
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "yaml", "version": 1, "text": texts[1]}})
            client.wait(_published(1))
            for version in range(2, SAVES + 2):
                text = texts[version % 2]
                path.write_text(text, encoding="utf-8")
                client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": text}]})
                start = time.perf_counter()
                client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
                found = client.wait(_published(version))
                times.append(time.perf_counter() - start)
                codes = [d["code"] for d in found["params"]["diagnostics"]]
                assert ("lint.placeholder" in codes) == (version % 2 == 0), (name, codes)
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    finally:
        client.close()
    return times


_OBSERVE = """() => {
  window.seen = [];
  const plan = document.getElementById('plan');
  new MutationObserver(() => {
    window.seen.push([Date.now(), /\\bTODO\\b/.test(plan.textContent)]);
  }).observe(plan, {childList: true, subtree: true, characterData: true});
}"""


def save_to_preview(folder: Path, names: list[str]) -> tuple[list[float], str]:
    """Each case's page open in Chromium (or its event stream read without it)."""
    times: list[float] = []
    browser_used = CHROMIUM.exists()
    for name in names:
        path = (folder / "cases" / f"{name}.yaml").resolve()
        texts = _edits(path.read_text(encoding="utf-8"))
        server = subprocess.Popen([ACTIONPLAN, "serve", str(path), "--port", "0"], cwd=folder,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert server.stderr is not None
            url = re.search(r"serving (\S+)", server.stderr.readline()).group(1)  # type: ignore[union-attr]
            if browser_used:
                times += _in_browser(url, path, texts)
            else:
                times += _by_events(url, path, texts)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return times, "Chromium" if browser_used else "server-sent event"


def _in_browser(url: str, path: Path, texts: tuple[str, str]) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(url)
        page.evaluate(_OBSERVE)
        time.sleep(1.0)  # the browser and the watcher have settled, as before a first save
        for version in range(SAVES):
            promised = version % 2 == 0
            page.evaluate("window.seen = []")
            written = time.time()
            path.write_text(texts[0 if promised else 1], encoding="utf-8")
            deadline = time.monotonic() + 10
            while True:
                seen = [t for t, has in page.evaluate("window.seen") if has == promised]
                if seen:
                    times.append(seen[0] / 1000 - written)
                    break
                assert time.monotonic() < deadline, "the page was not updated"
                time.sleep(0.01)
        browser.close()
    return times


def _by_events(url: str, path: Path, texts: tuple[str, str]) -> list[float]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", parts.path + "events?since=1")
    response = connection.getresponse()
    time.sleep(0.3)
    times = []
    for version in range(SAVES):
        written = time.perf_counter()
        path.write_text(texts[0 if version % 2 == 0 else 1], encoding="utf-8")
        while not response.readline().startswith(b"event: update"):
            pass
        times.append(time.perf_counter() - written)
    connection.close()
    return times


def measure(work: Path) -> dict[str, Any]:
    """Both figures over every example case: median and worst of all saves."""
    folder = work / "editing"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "cases", folder / "cases")
    names = sorted(path.stem for path in (folder / "cases").glob("*.yaml"))
    diagnostics = save_to_diagnostics(folder, names)
    preview, how = save_to_preview(folder, names)
    out = {}
    for key, times in (("save_to_diagnostics", diagnostics), ("save_to_preview", preview)):
        out[key] = {"median_seconds": round(statistics.median(times), 3),
                    "max_seconds": round(max(times), 3), "saves": len(times), "target": 0.5}
    out["save_to_preview"]["measured_in"] = how
    return out


if __name__ == "__main__":
    print(json.dumps(measure(ROOT / "bench" / ".work"), indent=2), file=sys.stdout)
