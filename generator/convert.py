"""Convert the plan's Markdown: pandoc for HTML, plain text, Word and Typst; Typst for the PDF.

One running pandoc (templates/filters/texts.lua) reads one Markdown dialect (CommonMark, read.lua)
for every output, so a field reads the same in HTML, Word and PDF.
Raw HTML, TeX, math and citations are off: user text is data, never markup.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import json
import queue
import subprocess
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

from generator.resources import TEMPLATES

PANDOC_TIMEOUT = 60
# What the plan's PDF conforms to (Typst checks it while compiling).
PLAN_PDF_STANDARDS = ("a-2b", "ua-1")


class ConversionError(Exception):
    """A tool we call failed: which step, and what it said."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step} failed: {detail}")
        self.step = step
        self.detail = detail


@cache
def pandoc_path() -> str:
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:
        raise ConversionError(
            "pandoc", f"pandoc was not found ({exc}); run `make setup` to install pypandoc-binary"
        ) from None


class _TextServer:
    """One `pandoc lua` process running templates/filters/texts.lua, converting plan after plan.

    Starting pandoc costs more than converting a 2,000-word plan (about 80 of 130 ms), so a
    process keeps one running; a failed or silent server is killed and the next call starts anew.
    """

    def __init__(self, program: str) -> None:
        # A file, not a pipe: pandoc's warnings can never fill it and stall the server.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        # A 16 MB suggested heap instead of the binary's 64 MB: 50 MB less per worker, and no
        # slower on plans (measured on the bench corpus); a pandoc that refuses it runs without.
        heap = [] if program in _NO_RTS else ["+RTS", "-H16m", "-RTS"]
        self.process = subprocess.Popen(
            [program, *heap, "lua", str(TEMPLATES / "filters" / "texts.lua")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        # Answers are read by a thread of their own and handed over with a timeout: select() on
        # a pipe, which would do the same in this thread, does not exist on Windows.
        self.answers: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read_answers, daemon=True).start()

    def _read_answers(self) -> None:
        assert self.process.stdout is not None
        with contextlib.suppress(OSError, ValueError):  # closed by close(): nothing more to read
            for line in iter(self.process.stdout.readline, b""):
                self.answers.put(line)
        self.answers.put(b"")  # the end: pandoc exited or was stopped

    def ask(self, request: dict[str, Any], step: str) -> dict[str, str]:
        assert self.process.stdin is not None and self.process.stdout is not None
        line = json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            self.process.stdin.write(line)
            self.process.stdin.flush()
        except OSError:
            pass  # it died: the answer's absence says why
        answer = self._read_line(step)
        try:
            reply: dict[str, Any] = json.loads(answer)
        except ValueError:
            self.close()
            raise ConversionError(step, f"pandoc answered {answer[:200]!r}") from None
        if "error" in reply:
            raise ConversionError(step, str(reply["error"]))
        texts: dict[str, str] = reply["texts"]
        return texts

    def _read_line(self, step: str) -> bytes:
        try:
            line = self.answers.get(timeout=PANDOC_TIMEOUT)
        except queue.Empty:
            self.close()
            raise ConversionError(step, f"no answer within {PANDOC_TIMEOUT} s") from None
        if not line.endswith(b"\n"):  # the end, or half an answer before it
            raise ConversionError(step, self._death())
        return line[:-1]

    def _death(self) -> str:
        code = self.process.wait()
        self.stderr.seek(0)
        message = self.stderr.read().decode("utf-8", "replace").strip()
        self.close()
        return message or f"exit {code}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):  # unsent input to a dead pandoc: a broken pipe
                    stream.close()


_servers: dict[str, _TextServer] = {}
_NO_RTS: set[str] = set()  # pandoc programs built without run-time options


def _server(step: str) -> _TextServer:
    program = pandoc_path()
    server = _servers.get(program)
    if server is None or not server.alive():
        try:
            server = _servers[program] = _TextServer(program)
        except OSError:
            raise ConversionError(
                step, "the pandoc program is missing; run `make setup` to reinstall pypandoc-binary"
            ) from None
    return server


@atexit.register
def _close_servers() -> None:
    for server in _servers.values():
        server.close()
    _servers.clear()


def write_texts(
    markdown: str,
    asins: list[str],
    formats: tuple[str, ...],
    marks: dict[str, Any] | None = None,
) -> dict[str, str]:
    """HTML, plain text and Typst from one reading of the Markdown, by the running pandoc.

    texts.lua reads the Markdown (read.lua), drops unsafe links and images (safety.lua) and lays
    the tree out (layout.lua) in one walk, then writes each format. `marks` are the language's
    colon and semicolon (for the lines that replace tables in plain text) and the no-break
    spaces it puts before : ; ! ? (pipeline.text_marks).
    """
    request = {"markdown": markdown, "asins": asins, "formats": formats, "marks": marks or {}}
    return _ask(request, f"pandoc ({', '.join(formats)})")


def to_docx(
    markdown: str,
    asins: list[str],
    date: str,
    properties: dict[str, str] | None = None,
    marks: dict[str, Any] | None = None,
) -> bytes:
    """Word document, read and laid out as the other formats; its internal dates are the plan's
    date, so the bytes repeat. `properties`: lang (a tag such as de-DE), title, author, subject;
    `marks`: the language's punctuation, as for write_texts."""
    props = properties or {}
    epoch = int(datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.UTC).timestamp())
    with tempfile.TemporaryDirectory(prefix="actionplan-") as folder:
        path = Path(folder) / "plan.docx"  # binary: written by pandoc, not sent as JSON
        request: dict[str, Any] = {"markdown": markdown, "asins": asins, "formats": []}
        request |= {"docx": str(path), "marks": marks or {}}
        request |= {"lang": props.get("lang", "en-US"), "subject": props.get("subject", "")}
        _ask({**request, "epoch": str(epoch)}, "pandoc (docx)")
        return _with_core_properties(path.read_bytes(), props)


def _with_core_properties(docx: bytes, props: dict[str, str]) -> bytes:
    """The Word file with its title and author in docProps/core.xml, every other part as is."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                core = data.decode("utf-8")
                for tag, key in (("dc:title", "title"), ("dc:creator", "author")):
                    core = core.replace(
                        f"<{tag}></{tag}>", f"<{tag}>{escape(props.get(key, ''))}</{tag}>"
                    )
                data = core.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def _ask(request: dict[str, Any], step: str) -> dict[str, str]:
    try:
        return _server(step).ask(request, step)
    except ConversionError as exc:
        if "RTS" not in exc.detail or pandoc_path() in _NO_RTS:
            raise
        _NO_RTS.add(pandoc_path())  # "RTS options are disabled": start it again without
        return _server(step).ask(request, step)


@cache
def _compiler() -> Any:
    import typst

    # Only the fonts inside the typst package: the same PDF on every machine.
    return typst.Compiler(ignore_system_fonts=True)


def typst_to_pdf(
    body: str, meta: dict[str, Any], date: str, folder: Path, appendix: bool = False
) -> bytes:
    """Compile the Typst body with the page template into PDF bytes, reproducibly.

    `folder` is the case's own folder: the only files Typst may read (evidence, for the
    appendix). With `appendix`, templates/evidence.typ adds every evidence file after the plan.
    The plan alone is archival PDF/A-2b and accessible PDF/UA-1 (which also makes a viewer show
    its title in the window title); the appendix attaches files, which PDF/A-2 forbids.
    """
    import typst

    source = (TEMPLATES / "plan.typ").read_text(encoding="utf-8") + "\n"
    if appendix and meta.get("evidence"):
        source += (TEMPLATES / "links.typ").read_text(encoding="utf-8") + "\n"
    source += body
    if appendix:
        source += "\n" + (TEMPLATES / "evidence.typ").read_text(encoding="utf-8")
    root = folder if folder.is_dir() else TEMPLATES / "filters"  # nothing there to read
    stamp = datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.UTC)

    def compile_pdf(standards: list[str]) -> Any:
        return _compiler().compile(
            input=source.encode("utf-8"),
            format="pdf",
            root=str(root),
            sys_inputs={"meta": json.dumps(meta, ensure_ascii=False)},
            timestamp=stamp,
            pdf_standards=standards,
        )

    try:
        try:
            pdf = compile_pdf([] if appendix else list(PLAN_PDF_STANDARDS))
        except typst.TypstError as exc:
            # A character no bundled font has (an emoji) breaks PDF/A, not the plan: the PDF is
            # then made without the standards rather than not at all.
            if appendix or "PDF/A" not in str(getattr(exc, "message", None) or exc):
                raise
            pdf = compile_pdf([])
    except typst.TypstError as exc:
        message = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
        detail = f"{message} {getattr(exc, 'diagnostic', '')}".strip()
        raise ConversionError("typst (PDF)", detail or "the PDF engine failed") from None
    assert isinstance(pdf, bytes)
    return associated_files(pdf) if appendix else pdf


def associated_files(pdf: bytes) -> bytes:
    """The PDF with each attached file marked as a supplement of the document (AFRelationship,
    listed in the catalogue's /AF) and carrying the MD5 checksum that PDF readers verify; Typst
    writes both only under PDF/A-3, which the appendix's embedded PDF pages rule out."""
    import hashlib
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        tree = document.Root.get("/Names")
        files = tree.get("/EmbeddedFiles") if tree is not None else None
        names: Any = files.get("/Names", []) if files is not None else []
        specs = [names[i + 1] for i in range(0, len(names), 2)]
        for spec in specs:
            stream = spec.EF.F
            params = stream.get("/Params", pikepdf.Dictionary())
            params.CheckSum = pikepdf.String(hashlib.md5(stream.read_bytes()).digest())
            stream.Params = params
            spec.AFRelationship = pikepdf.Name.Supplement
        if specs:
            document.Root.AF = pikepdf.Array(specs)
        out = io.BytesIO()
        # The same bytes for the same input: the file identifier comes from the content.
        document.save(out, deterministic_id=True)
    return out.getvalue()
