"""`actionplan serve`: a live preview of the plans on 127.0.0.1.

Each case's page shows the plan as HTML with a panel of findings, each linked to its place in
the plan. Whenever the case, its evidence, actionplan.yaml or the engine's templates, schemas
or rules change on disk, the case is checked and rendered again (the same pipeline as `build`)
and the page is sent the new plan by server-sent events, so it changes without a reload. A save
that cannot be built keeps the last good plan on the page, with the errors above it.

Only this computer is served: the socket is bound to 127.0.0.1, a request whose Host header
names anything else is refused (DNS rebinding), and the only things served are the pages, their
events and each case's PDF and submission PDF, rendered from its last good version.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator import (
    catalogue,
    checks,
    convert,
    editor,
    evidence,
    lint,
    pipeline,
    render,
    repository,
    validate,
)
from generator.diagnostics import Diagnostic, Severity, UserError
from generator.loader import LoadedCase
from generator.resources import RULES, SCHEMAS, TEMPLATES, schema_defs

HOST = "127.0.0.1"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so proxies keep it open
# One pipeline run at a time: the running pandoc and the caches are shared.
_PIPELINE = threading.Lock()
PDFS = {"pdf": "", "submission": "-submission"}


@dataclass
class Finding:
    """A diagnostic as the page shows it, with the texts that find its place in the plan."""

    number: int
    diagnostic: Diagnostic
    words: str  # the words the finding is about, if it names some
    places: list[str]  # texts of the plan near it, the closest first

    @property
    def rule(self) -> lint.Rule | None:
        return lint.rules().get(self.diagnostic.code)


@dataclass
class State:
    """What the page of a case shows: the last good plan and what the last check found."""

    version: int = 0
    plan: str = ""  # the HTML body of the last good plan
    good: tuple[LoadedCase, list[evidence.EvidenceFile]] | None = None
    errors: list[Diagnostic] = field(default_factory=list)  # why the last save was not shown
    findings: list[Finding] = field(default_factory=list)
    checked_at: str = ""


class Preview:
    """One case: checked and rendered on demand and on every change of what it is made of."""

    def __init__(self, file: Path, settings_folder: Path, name: str = "") -> None:
        self.file = file
        self.name = name or file.stem  # its path in the folder served, without .yaml
        self.settings_folder = settings_folder
        self.state = State()
        self.changed = threading.Condition()
        self._pdfs: dict[tuple[int, str], bytes] = {}

    def refresh(self) -> None:
        """Check and render the case as it is on disk now, and tell every open page."""
        with _PIPELINE:
            state = self._render()
        with self.changed:
            state.version = self.state.version + 1
            self.state = state
            self._pdfs.clear()
            self.changed.notify_all()

    def _render(self) -> State:
        previous = self.state
        kept = State(plan=previous.plan, good=previous.good, checked_at=_now())
        try:
            settings = lint.load_settings(self.settings_folder)
        except UserError as exc:
            kept.errors = exc.diagnostics
            return kept
        checked = pipeline.check_case(str(self.file), settings)
        blocking = [
            d
            for d in checked.diagnostics
            if d.severity is Severity.ERROR and d.code not in lint.rules()  # lint.*, evidence.*
        ]
        if checked.case is None or blocking:
            kept.errors = blocking or checked.diagnostics
            return kept
        case = checked.case
        try:
            markdown = render.render_markdown(case.data, {f.id: f for f in checked.evidence})
            asins = list(case.data["notice"].get("asins", []))
            marks = pipeline.text_marks(case.data)
            texts = convert.write_texts(markdown, asins, ("html5", "plain"), marks)
        except convert.ConversionError as exc:
            kept.errors = [pipeline.conversion_diagnostic(case, exc)]
            return kept
        found = checked.diagnostics + lint.lint_text(case, texts["plain"], settings)
        return State(
            plan=texts["html5"],
            good=(case, checked.evidence),
            findings=[_finding(case, number, d) for number, d in enumerate(sorted(found))],
            checked_at=kept.checked_at,
        )

    def wait(self, since: int, timeout: float, stop: threading.Event) -> State | None:
        """The state once it is newer than `since`, or None after `timeout` seconds or once the
        server stops."""
        with self.changed:
            self.changed.wait_for(lambda: self.state.version > since or stop.is_set(), timeout)
            return self.state if self.state.version > since and not stop.is_set() else None

    def pdf(self, kind: str) -> bytes | None:
        """The PDF (or the submission PDF) of the last good version, made when first asked."""
        with self.changed:
            state = self.state
        if state.good is None:
            return None
        key = (state.version, kind)
        if key not in self._pdfs:
            case, files = state.good
            with _PIPELINE:
                made = pipeline.render_outputs(case, files, (kind,))
            self._pdfs[key] = made[kind]
        return self._pdfs[key]


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _value(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _prose(value: Any) -> bool:
    return isinstance(value, str) and len(value.split()) >= 3


def _finding(case: LoadedCase, number: int, diagnostic: Diagnostic) -> Finding:
    """Where the page looks for the finding: its words, inside the nearest text of the plan."""
    path = editor.parse_json_path(diagnostic.path)
    words = ""
    if diagnostic.end is not None:
        start, end = editor.span(case.source, case, diagnostic)
        words = case.source[start:end]
    places: list[str] = []
    for depth in range(len(path), 0, -1):
        value = _value(case.data, path[:depth])
        if _prose(value):
            places.append(value)
        elif isinstance(value, dict):
            places += [text for text in value.values() if _prose(text)]
    value = _value(case.data, path)
    if not places and isinstance(value, str) and len(re.sub(r"\W", "", value)) >= 6:
        places.append(value)  # an identifier the plan shows as it is, such as an ASIN
    return Finding(number, diagnostic, words, places[:4])


def _forget_engine() -> None:
    """After a change to the templates, schemas or rules: read them again (Jinja itself sees a
    changed template)."""
    for cached in (
        render.locale,
        catalogue.rules,
        checks._raw_phrases,
        checks.phrases,
        checks.stopwords,
        validate.validator,
        validate.config_validator,
        schema_defs,
        validate.fast_validator,
        validate._registry,
        editor._schema_document,
    ):
        cached.cache_clear()


class Site:
    """The cases of one plans repository, and the watcher that refreshes the open ones."""

    def __init__(self, cases: Path, settings_folder: Path) -> None:
        self.cases = cases
        self.settings_folder = settings_folder
        self.previews: dict[str, Preview] = {}
        self.stop = threading.Event()
        self.nonce = secrets.token_urlsafe(16)
        self.instance = secrets.token_hex(8)  # tells this run of the server from earlier ones
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """Every case in the folder, in folders too, by its path there without .yaml
        (clients/acme/recall), as `actionplan lint` finds them."""
        found = repository.find_cases(self.cases, self.cases)
        return [path.relative_to(self.cases).with_suffix("").as_posix() for path in found]

    def preview(self, name: str) -> Preview | None:
        """The preview of a case in the folder (made and rendered on first use). Only a name
        of the index is one: nothing else reaches the file system."""
        if name not in self.previews and name not in self.names():
            return None
        with self._lock:
            preview = self.previews.get(name)
            if preview is None:
                file = self.cases / f"{name}.yaml"
                # Settings as lint finds them: the nearest actionplan.yaml above the case.
                config = repository.find_config(file)
                folder = config.parent if config else self.settings_folder
                preview = self.previews[name] = Preview(file, folder, name)
                preview.refresh()
        return preview

    def changed(self, paths: set[str]) -> None:
        """Refresh the open cases that the changed files are part of."""
        engine = [
            Path(p)
            for p in paths
            if not Path(p).is_relative_to(self.cases.resolve()) or Path(p).name == lint.CONFIG_FILE
        ]
        if any(p.is_relative_to(root) for p in engine for root in _engine_roots()):
            _forget_engine()
        with self._lock:
            previews = list(self.previews.values())
        for preview in previews:
            own = (preview.file.resolve(), preview.file.with_suffix("").resolve())
            if engine or any(Path(p) == own[0] or Path(p).is_relative_to(own[1]) for p in paths):
                preview.refresh()

    def watch(self) -> None:
        """Watch (in background threads) until `stop` is set."""
        import watchfiles

        config = (self.settings_folder / lint.CONFIG_FILE).resolve()

        def run(roots: list[Path], recursive: bool, wanted: Path | None = None) -> None:
            for changes in watchfiles.watch(
                *roots,
                recursive=recursive,
                step=20,
                stop_event=self.stop,
                raise_interrupt=False,
            ):
                paths = {str(Path(p).resolve()) for _, p in changes}
                if wanted is not None:
                    paths = {p for p in paths if Path(p) == wanted}
                if paths:
                    self.changed(paths)

        roots = [self.cases.resolve(), *_engine_roots()]
        threading.Thread(target=run, args=(roots, True), daemon=True).start()
        threading.Thread(target=run, args=([config.parent], False, config), daemon=True).start()


@functools.cache
def _engine_roots() -> tuple[Path, ...]:
    return tuple(root.resolve() for root in (TEMPLATES, SCHEMAS, RULES))


# --- the pages --------------------------------------------------------------------------------


def _template(name: str) -> Any:
    return render.environment().get_template(f"preview/{name}")


def _fragments(preview: Preview, state: State) -> dict[str, Any]:
    """The parts of a page that change, as HTML, for the page itself and for its events."""
    return {
        "version": state.version,
        "plan": state.plan,
        "lang": str(state.good[0].data.get("language", "")) if state.good else "",
        "errors": _template("errors.html.j2").render(state=state, name=preview.name),
        "findings": _template("findings.html.j2").render(state=state),
        "findings_json": [
            {"id": f"finding-{f.number}", "words": f.words, "places": f.places}
            for f in state.findings
        ],
        "stale": bool(state.errors),
        "checked_at": state.checked_at,
    }


class Handler(BaseHTTPRequestHandler):
    """Routes: / (the index), /case/<name>/ (a plan), /case/<name>/events (its updates),
    /case/<name>/<name>.pdf and <name>-submission.pdf. Nothing else."""

    site: Site
    port: int
    server_version = "actionplan"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows what changed, not every request

    def _local(self) -> bool:
        host = self.headers.get("Host", "")
        return host in {f"{name}:{self.port}" for name in LOCAL_NAMES}

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{self.site.nonce}';"
            " connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'",
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._local():
            self._text(HTTPStatus.FORBIDDEN, "refused: this preview answers only to 127.0.0.1")
            return
        url = urlsplit(self.path)
        if url.path == "/":
            page = _template("index.html.j2").render(
                names=self.site.names(), folder=str(self.site.cases)
            )
            self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
            return
        if not url.path.startswith("/case/"):
            self._text(HTTPStatus.NOT_FOUND, "not found")
            return
        # /case/<name>/<what>: the name may have folders (clients/acme/recall), what may not.
        name, _, what = url.path.removeprefix("/case/").rpartition("/")
        if not name and what in self.site.names():
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", f"/case/{what}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        preview = self.site.preview(name)
        if preview is None:
            self._text(HTTPStatus.NOT_FOUND, f"no such case in {self.site.cases}/")
            return
        pdfs = {f"{preview.file.stem}{end}.pdf": kind for kind, end in PDFS.items()}
        if what == "":
            self._page(preview)
        elif what == "events":
            query = parse_qs(url.query)
            since = query.get("since", ["0"])[0]
            # A page of an earlier run of the server (it reconnects by itself) gets the plan now.
            current = query.get("instance", [""])[0] == self.site.instance
            self._events(preview, int(since) if since.isdigit() and current else 0)
        elif what in pdfs:
            self._pdf(preview, pdfs[what])
        else:
            self._text(HTTPStatus.NOT_FOUND, "not found")

    def _page(self, preview: Preview) -> None:
        with preview.changed:
            state = preview.state
        page = _template("page.html.j2").render(
            name=preview.name,
            file=str(preview.file),
            parts=_fragments(preview, state),
            nonce=self.site.nonce,
            instance=self.site.instance,
            pdfs={kind: f"{preview.file.stem}{suffix}.pdf" for kind, suffix in PDFS.items()},
        )
        self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")

    def _events(self, preview: Preview, since: int) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        with contextlib.suppress(OSError):
            for message in _stream(preview, since, self.site.stop):
                self.wfile.write(message)
                self.wfile.flush()

    def _pdf(self, preview: Preview, kind: str) -> None:
        try:
            made = preview.pdf(kind)
        except convert.ConversionError as exc:
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"{exc.step} failed: {exc.detail[:300]}")
            return
        if made is None:
            self._text(HTTPStatus.CONFLICT, "the case has no good version yet: fix its errors")
            return
        self._send(HTTPStatus.OK, made, "application/pdf")


def _stream(preview: Preview, since: int, stop: threading.Event) -> Iterator[bytes]:
    """The event stream of a page: the state whenever it changes, a comment while it does not."""
    yield b"retry: 500\n\n"
    while not stop.is_set():
        state = preview.wait(since, KEEPALIVE, stop)
        if state is None:
            yield b": still here\n\n"
            continue
        since = state.version
        data = json.dumps(_fragments(preview, state), ensure_ascii=False)
        yield f"event: update\ndata: {data}\n\n".encode()


class Server:
    """The preview's HTTP server and its watcher, started in background threads."""

    def __init__(self, cases: Path, settings_folder: Path, port: int = 0) -> None:
        self.site = Site(cases, settings_folder)

        class Bound(Handler):
            pass

        Bound.site = self.site
        self.http = ThreadingHTTPServer((HOST, port), Bound)
        self.http.daemon_threads = True
        self.port = Bound.port = int(self.http.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        self.site.watch()
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.site.stop.set()
        for preview in list(self.site.previews.values()):
            with preview.changed:
                preview.changed.notify_all()  # the open event streams end now
        self.http.shutdown()
        self.http.server_close()
