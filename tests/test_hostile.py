"""Hostile inputs: what a careless editor, a broken tool or an attacker puts before actionplan.

1. Broken YAML and bytes: each small input is a file in tests/hostile/ with its exact stderr in
   <name>.expected (compared like tests/invalid/; `pytest --update-golden` rewrites them). Big
   inputs (50 MB, 10,000 levels of nesting, 1 MB lines) are generated in tmp_path.
2. Text that means something in HTML, Markdown, Typst, pandoc, LaTeX or Jinja, in an otherwise
   valid case: every output is parsed (not grepped) to prove the text stayed text.
3. Faults: pandoc missing or failing, the PDF engine failing, an interrupt, a full disk, a
   read-only output folder: previous outputs stay as they were and the user sees one clean line.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from click.testing import CliRunner, Result
from pypdf import PdfReader

from generator import convert, lint, loader, pipeline
from generator.cli import main
from tests.conftest import ROOT, TESTS
from tests.helpers import fake_pandoc, pdf_text

HOSTILE = TESTS / "hostile"
FILES = sorted(HOSTILE.glob("*.yaml"))
MINIMAL = TESTS / "minimal-4d.yaml"
MINIMAL_FOLDER = TESTS / "minimal-4d"

# One diagnostic: file:line:col: severity [code] message
DIAGNOSTIC = re.compile(r"^[^\n]+?:\d+:\d+: (error|warning) \[[a-z0-9.-]+\] \S.*$")
SMALL_INPUT_SECONDS = 2.0  # what a person waits for a diagnostic of a small file
BIG_INPUT_SECONDS = 5.0  # a safety bound for the big ones, not a benchmark


# --------------------------------------------------------------------------------------------
# Running the command


def cli(*args: str) -> tuple[Result, float]:
    """Run actionplan in-process; the result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, list(args), prog_name="actionplan")
    return result, time.perf_counter() - start


def traceback_of(result: Result) -> str:
    """The Python traceback a user would see, or '' (click's own SystemExit is not one)."""
    if result.exception is None or isinstance(result.exception, SystemExit):
        return ""
    import traceback

    assert result.exc_info is not None
    return "".join(traceback.format_exception(*result.exc_info))


def assert_diagnostics_only(result: Result) -> None:
    """Exit 1, no traceback, and stderr made only of file:line:col diagnostic lines."""
    assert not traceback_of(result), traceback_of(result)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines, "no diagnostic at all"
    for line in lines:
        assert DIAGNOSTIC.match(line) or line.endswith(": not built"), line[:300]


def codes(stderr: str) -> list[str]:
    return re.findall(r"^[^\n]*?:\d+:\d+: \w+ \[([a-z0-9.-]+)\]", stderr, re.MULTILINE)


def positions(stderr: str) -> list[tuple[int, int]]:
    found = re.findall(r"^[^\n]*?:(\d+):(\d+): \w+ \[", stderr, re.MULTILINE)
    return [(int(line), int(column)) for line, column in found]


# --------------------------------------------------------------------------------------------
# 1. Broken YAML and bytes: the files in tests/hostile/


def test_there_are_enough_hostile_files_and_each_has_its_expectation() -> None:
    assert len(FILES) >= 32
    for file in FILES:
        assert file.with_suffix(".expected").exists(), file.name
    for expected in HOSTILE.glob("*.expected"):
        assert expected.with_suffix(".yaml").exists(), expected.name


@pytest.mark.parametrize("case", FILES, ids=lambda p: p.stem)
def test_hostile_file_gives_its_diagnostic(case: Path, golden) -> None:  # type: ignore[no-untyped-def]
    result, seconds = cli("validate", str(case.relative_to(ROOT)))
    assert seconds < SMALL_INPUT_SECONDS, seconds
    assert_diagnostics_only(result)
    golden(case.with_suffix(".expected"), result.stderr)


@pytest.mark.parametrize("case", FILES, ids=lambda p: p.stem)
def test_hostile_file_is_not_built_and_nothing_is_written(case: Path, tmp_path: Path) -> None:
    relative = str(case.relative_to(ROOT))
    validated, _ = cli("validate", relative)
    result, seconds = cli("build", "--out", str(tmp_path / "out"), relative)
    assert seconds < SMALL_INPUT_SECONDS
    assert not traceback_of(result), traceback_of(result)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == validated.stderr + f"{relative}: not built\n"
    assert not (tmp_path / "out").exists()


# --- The UTF-8 byte-order mark and line endings: accepted, positions unchanged


def copy_case(source: Path, folder: Path, name: str | None = None) -> Path:
    """Copy a case (and its evidence folder, if any) into `folder`; the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    if source.with_suffix("").is_dir():
        shutil.copytree(source.with_suffix(""), target.with_suffix(""))
    return target


@pytest.mark.parametrize(
    "source",
    [MINIMAL, TESTS / "invalid" / "wrong-type.yaml", TESTS / "invalid" / "missing-field.yaml"],
    ids=lambda p: p.stem,
)
@pytest.mark.parametrize(
    "variant",
    [
        ("utf8-bom", lambda raw: b"\xef\xbb\xbf" + raw),
        ("crlf", lambda raw: raw.replace(b"\n", b"\r\n")),
        ("bom-and-crlf", lambda raw: b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")),
    ],
    ids=lambda v: v[0],
)
def test_bom_and_line_endings_validate_like_the_plain_file(
    source: Path, variant: tuple[str, Callable[[bytes], bytes]], tmp_path: Path
) -> None:
    plain = copy_case(source, tmp_path / "plain")
    changed = copy_case(source, tmp_path / variant[0])
    changed.write_bytes(variant[1](source.read_bytes()))
    expected, _ = cli("validate", str(plain))
    result, seconds = cli("validate", str(changed))
    assert seconds < SMALL_INPUT_SECONDS
    assert result.exit_code == expected.exit_code
    assert result.stderr.replace(str(changed), "X") == expected.stderr.replace(str(plain), "X")
    settings = lint.load_settings()
    before, after = pipeline.check_case(plain, settings), pipeline.check_case(changed, settings)
    if before.case is not None:
        assert after.case is not None and after.case.data == before.case.data
        assert [d.format().replace(str(changed), "X") for d in after.diagnostics] == [
            d.format().replace(str(plain), "X") for d in before.diagnostics
        ]
    if source == MINIMAL:
        assert result.exit_code == 0
        assert before.case is not None and after.case is not None
        md = pipeline.render_outputs(before.case, before.evidence, ("md",))["md"]
        assert pipeline.render_outputs(after.case, after.evidence, ("md",))["md"] == md


# --- Things that are not a file


def test_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-case.yaml"
    result, seconds = cli("validate", str(missing))
    assert seconds < SMALL_INPUT_SECONDS
    assert_diagnostics_only(result)
    assert result.stderr == (
        f"{missing}:1:1: error [io.missing] file not found: "
        "check the path; cases live in cases/<name>.yaml\n"
    )


def test_directory_is_a_diagnostic_for_the_loader(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    checked = pipeline.check_case(folder)
    assert checked.case is None
    assert [d.format() for d in checked.diagnostics] == [
        f"{folder}:1:1: error [io.directory] this is a folder, not a case file: "
        "name the YAML file, e.g. cases/asin-recall.yaml"
    ]


def test_directory_is_a_diagnostic_on_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    result, _ = cli("validate", str(folder))
    assert_diagnostics_only(result)
    assert codes(result.stderr) == ["io.directory"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_named_pipe_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    found: list[pipeline.Checked] = []
    worker = threading.Thread(target=lambda: found.append(pipeline.check_case(fifo)), daemon=True)
    worker.start()
    worker.join(SMALL_INPUT_SECONDS)
    hung = worker.is_alive()
    if hung:  # let the blocked open() return (at end of file) so the thread ends
        writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(writer)
        worker.join(SMALL_INPUT_SECONDS)
    assert not hung, "check_case was still waiting on the pipe"
    assert found[0].case is None and found[0].diagnostics


# --- Big inputs, generated here and never committed


def run_big(*args: str) -> tuple[Result, float, int]:
    """Run the command with Python allocations traced: result, seconds, peak bytes."""
    tracemalloc.start()
    try:
        result, seconds = cli(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak


def test_fifty_megabytes_is_refused_quickly_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    line = b"# " + b"x" * 1021 + b"\n"
    with big.open("wb") as handle:
        handle.write(MINIMAL.read_bytes())
        for _ in range(50 * 1024):
            handle.write(line)
    assert big.stat().st_size > 50 * 1024 * 1024
    result, seconds, peak = run_big("validate", str(big))
    assert seconds < BIG_INPUT_SECONDS, seconds
    assert peak < 16 * 1024 * 1024, peak  # reads at most MAX_BYTES + 1
    assert_diagnostics_only(result)
    assert result.stderr == (
        f"{big}:1:1: error [yaml.size] the file is larger than {loader.MAX_BYTES // 1024} KiB: "
        "a plan is a few pages; keep evidence in separate files\n"
    )


def test_size_limit_is_exact(tmp_path: Path) -> None:
    text = MINIMAL.read_bytes()
    at_limit = copy_case(MINIMAL, tmp_path / "a")
    padding = loader.MAX_BYTES - len(text)
    at_limit.write_bytes(text + b"#" * (padding - 1) + b"\n")
    assert at_limit.stat().st_size == loader.MAX_BYTES
    result, seconds = cli("validate", str(at_limit))
    assert seconds < BIG_INPUT_SECONDS
    assert (result.exit_code, result.stderr) == (0, "1 case checked: no problems\n")
    over = copy_case(MINIMAL, tmp_path / "b")
    over.write_bytes(text + b"#" * padding + b"\n")
    result, _ = cli("validate", str(over))
    assert_diagnostics_only(result)
    assert codes(result.stderr) == ["yaml.size"]


DEEP = 10_000
NESTINGS = {
    # name: (text, code, line, column)
    "flow-lists": ("[" * DEEP + "]" * DEEP + "\n", "yaml.syntax", 1, 1001),
    "flow-lists-unclosed": ("[" * DEEP + "\n", "yaml.syntax", 1, 1001),
    "flow-mappings": ("{a: " * DEEP + "1" + "}" * DEEP + "\n", "yaml.syntax", 1, 4001),
    "block-lists-on-one-line": ("problems:\n" + "- " * DEEP + "x\n", "yaml.syntax", 2, 1999),
    "inside-a-case": (
        "structure: 4d\nproblems: " + "[" * DEEP + "]" * DEEP + "\n",
        "yaml.syntax",
        2,
        1010,
    ),
    # under libyaml's own limit of 1000: the loader's limit of 64 levels answers
    "999-levels": ("structure: 4d\nproblems: " + "[" * 999 + "]" * 999 + "\n", "yaml.size", 2, 75),
}


@pytest.mark.parametrize("name", NESTINGS)
def test_deep_nesting_is_a_diagnostic(name: str, tmp_path: Path) -> None:
    text, code, line, column = NESTINGS[name]
    case = tmp_path / f"{name}.yaml"
    case.write_text(text, encoding="utf-8")
    result, seconds, _ = run_big("validate", str(case))
    assert seconds < BIG_INPUT_SECONDS, seconds
    assert_diagnostics_only(result)
    assert codes(result.stderr) == [code]
    assert positions(result.stderr) == [(line, column)]
    assert len(result.stderr) < 2000


def test_one_megabyte_line_as_the_whole_file(tmp_path: Path) -> None:
    """As long a line as the size limit allows (it was 1 MB when the limit was 2 MiB)."""
    case = tmp_path / "line.yaml"
    case.write_text("a" * loader.MAX_BYTES, encoding="utf-8")
    result, seconds, _ = run_big("validate", str(case))
    assert seconds < BIG_INPUT_SECONDS, seconds
    assert_diagnostics_only(result)
    assert codes(result.stderr) == ["yaml.root"]


def test_one_line_with_more_values_than_the_limit(tmp_path: Path) -> None:
    case = tmp_path / "keys.yaml"
    # Each value counts; two bytes each, so they fit within the size limit.
    case.write_text("x: [" + "1," * (loader.MAX_NODES + 1000) + "1]\n", encoding="utf-8")
    assert case.stat().st_size <= loader.MAX_BYTES
    assert case.read_text(encoding="utf-8").count("\n") == 1
    result, seconds = cli("validate", str(case))  # not traced: tracemalloc triples the time
    assert seconds < BIG_INPUT_SECONDS, seconds
    assert_diagnostics_only(result)
    assert codes(result.stderr) == ["yaml.size"]  # too many values
    assert "too many values" in result.stderr


def one_megabyte_summary(tmp_path: Path, sentence: str) -> Path:
    """The minimal case whose problem summary is one line as long as the size limit allows."""
    case = copy_case(MINIMAL, tmp_path)
    text = MINIMAL.read_text(encoding="utf-8")
    old = "summary: Seven buyers reported that the charger B07XYZ1234 became hot."
    assert old in text
    filler = sentence * ((loader.MAX_BYTES - len(text) - 100) // len(sentence))  # the most allowed
    case.write_text(text.replace(old, f"{old} {filler}"), encoding="utf-8")
    return case


def test_one_megabyte_line_of_prose_is_linted_in_time(tmp_path: Path) -> None:
    case = one_megabyte_summary(tmp_path, "The charger got hot in a closed box. ")
    result, seconds = cli("lint", "--strict", str(case))  # lint.length is a warning
    assert seconds < BIG_INPUT_SECONDS, seconds
    assert result.exit_code == 1 and not traceback_of(result)
    assert "lint.length" in codes(result.stderr)


def test_one_megabyte_line_of_flagged_phrases_is_linted_in_time(tmp_path: Path) -> None:
    case = one_megabyte_summary(tmp_path, "We will ship. ")
    # In a child process: the pathological run cannot be stopped in-process.
    command = [sys.executable, "-m", "generator", "lint", "--strict", str(case)]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, timeout=BIG_INPUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"lint did not answer within {BIG_INPUT_SECONDS} s")
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert len(done.stderr) < 100_000  # a bounded number of lines, not one per occurrence


def test_one_megabyte_value_is_not_echoed_in_full(tmp_path: Path) -> None:
    case = tmp_path / "value.yaml"
    case.write_text("structure: " + "x" * (loader.MAX_BYTES - 100) + "\n", encoding="utf-8")
    result, seconds, _ = run_big("validate", str(case))
    assert seconds < BIG_INPUT_SECONDS, seconds
    assert_diagnostics_only(result)
    assert len(result.stderr) < 10_000, len(result.stderr)


# --------------------------------------------------------------------------------------------
# 2. Text that means something elsewhere, in an otherwise valid case


@dataclass(frozen=True)
class Text:
    """A hostile text and how it must read in the outputs.

    `shown`: as read in Markdown fields (paragraphs and table cells), where inline Markdown is
    meant to work (README: links, emphasis); `literal`: as read in literal fields (names).
    None means: exactly the text (after folding white space and typographic quotes/dashes).
    `pdf`: the PDF's fonts can show it, so its extracted text is checked too.
    """

    name: str
    text: str
    shown: str | None = None
    literal: str | None = None
    pdf: bool = True


SECRET = "TOPSECRET-7f3a9c"  # in a file beside the case, outside its folder
PASSWD = "root:x:0:0"  # the first line of /etc/passwd on Linux

TEXTS = [
    # HTML
    Text("script-tag", "<script>alert(1)</script>"),
    Text("img-onerror", "<img src=x onerror=alert(1)>"),
    Text("iframe", '<iframe src="https://example.com"></iframe>'),
    Text("html-comment", "<!-- hidden -->"),
    Text("html-entities", "&amp; &lt;b&gt;", shown="& <b>", literal="& <b>"),
    Text("cdata-end", "]]> --> </p></td></table>"),
    # Markdown links and images
    Text("javascript-link", "[click](javascript:alert(1))", shown="click"),
    Text("javascript-link-mixed-case", "[click](JaVaScRiPt:alert(1))", shown="click"),
    Text("javascript-autolink", "<javascript:alert(1)>", shown="javascript:alert(1)"),
    Text("data-link", "[x](data:text/html,<script>alert(2)</script>)", shown="x"),
    Text("vbscript-link", "[v](vbscript:msgbox(1))", shown="v"),
    Text("file-link", "[f](file:///etc/passwd)", shown="f"),
    Text("relative-link", "[s](../secret.txt)", shown="s"),
    Text("image-local", "![x](/etc/passwd)", shown="x"),
    Text("image-remote", "![y](https://example.com/a.png)", shown="y"),
    Text("image-beside-the-case", "![s](../secret.txt)", shown="s"),
    Text("web-link", "[report](https://example.com/?a=1&b=2)", shown="report"),
    Text("mail-link", "[mail](mailto:jana@example.com)", shown="mail"),
    # Typst
    Text("typst-import", '#import "x"'),
    Text("typst-read", '#read("/etc/passwd")'),
    Text("typst-read-beside", '#read("../secret.txt")'),
    Text("typst-math", "$x^2$"),
    Text("typst-reference", "@label"),
    Text("typst-label", "<label>"),
    Text("typst-set-page", "#set page(width: 1pt)"),
    Text("typst-panic", '#{ panic("x") }'),
    Text("typst-escaped-hash", "\\#emph[x]", shown="#emph[x]"),
    Text("email", "jana@example.com"),
    Text("dollars", "$5 and $10"),
    # pandoc
    Text("pandoc-class", "word {.class}"),
    Text("pandoc-span", "[span]{#id}"),
    Text("pandoc-div", "line one\n::: warning\nfenced\n:::"),
    Text("pandoc-footnote", "note ^[x]"),
    Text("pandoc-citation", "[@doe2020]"),
    # LaTeX
    Text("latex-input", "\\input{/etc/passwd}"),
    Text("latex-write18", "\\immediate\\write18{touch PWNED-latex}"),
    # Jinja
    Text("jinja-expression", "{{ 7*7 }}"),
    Text("jinja-block", "{% raw %}{{ config }}{% endraw %}"),
    # CommonMark reads __init__ after a "." as strong: Typst must not read ".os" as a field
    Text(
        "jinja-ssti",
        "{{ cycler.__init__.__globals__.os.system('touch PWNED-jinja') }}",
        shown="{{ cycler.init.globals.os.system('touch PWNED-jinja') }}",
    ),
    Text(
        "emphasis-then-field",
        "*a*.b('x') and **c**.len() and *d*.é",
        shown="a.b('x') and c.len() and d.é",
    ),
    # Markdown and table syntax
    Text("percent", "100 % of units, 20% of returns"),
    Text("backslashes", "C:\\Users\\Jana\\report.pdf"),
    # emphasis is meant to work in Markdown fields (README: text accepts inline Markdown)
    Text(
        "star-underscore",
        "5 * 3 = 15, snake_case_name, *emphasis*",
        shown="5 * 3 = 15, snake_case_name, emphasis",
    ),
    Text("hash-at-line-start", "Closed.\n# Not a heading\n## Nor this"),
    Text("pipes", "a | b | c"),
    Text("long-word", "W" * 500),
    # scripts the PDF fonts may lack
    Text("emoji", "Packed 😀 👍🏽 boxes", pdf=False),
    Text("right-to-left", "שלום עולם مرحبا بالعالم", pdf=False),
    Text("cjk", "中文 日本語 한국어", pdf=False),
    Text("combining", "e\u0301 a\u0308 n\u0303"),
    Text("zero-width", "👨\u200d👩\u200d👧 zero\u200bwidth", pdf=False),
]
TEXT_IDS = [t.name for t in TEXTS]
assert len(set(TEXT_IDS)) == len(TEXT_IDS)

STORE_NAME = "</title><script>alert(1)</script>"
LEGAL_NAME = '"); #read("/etc/passwd") // $x$ @l <l>'
BLOCKS = "Closed.\n\n## Fake section\n\n---\n\nSetext\n===\n\n- - -"


def fold(text: str) -> str:
    """Text as compared across formats: NFC, one space for any white space, plain quotes/dashes."""
    text = unicodedata.normalize("NFC", text)
    for fancy, plain in (
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u201e", '"'),
        ("\u2018", '"'),
        ("\u2019", '"'),
        ("'", '"'),  # pandoc turns both kinds of quotes into <q> (or curly ones)
        ("\u2014", "---"),
        ("\u2013", "--"),
        ("\u2026", "..."),
    ):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """Folded text without white space or hyphens: for PDF text, where lines wrap anywhere
    (and a break after a hyphen looks like hyphenation)."""
    return "".join(fold(text).split()).replace("-", "").replace("\u00ad", "")


class Page(HTMLParser):
    """An HTML page as elements (tag, attributes) and its text as a reader sees it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.headings: list[str] = []
        self._open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append("")
        if tag == "q":  # a browser shows quotation marks around <q>
            self.parts.append('"')
        if tag not in ("meta", "col", "br", "hr", "img", "input", "link"):
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "q":
            self.parts.append('"')
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass
        self.parts.append(" " if tag in ("td", "th", "p", "li", "tr") else "")

    def handle_data(self, data: str) -> None:
        if "style" in self._open:
            return
        if any(tag in self._open for tag in ("h1", "h2", "h3", "h4", "h5", "h6")):
            self.headings[-1] += data
        (self.title_parts if "title" in self._open else self.parts).append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def unknown_decl(self, data: str) -> None:
        self.declarations.append(data)

    @property
    def text(self) -> str:
        return fold("".join(self.parts))

    @property
    def title(self) -> str:
        return fold("".join(self.title_parts))


def docx_text(docx: bytes) -> str:
    """The text of a .docx, paragraph by paragraph."""
    names = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    paragraphs = (
        "".join(t.text or "" for t in p.iter(names + "t")) for p in root.iter(names + "p")
    )
    return fold(" ".join(paragraphs))


@dataclass
class Built:
    folder: Path
    case: Path
    before: dict[str, bytes]  # every file under `folder` before rendering
    outputs: dict[str, bytes] = field(default_factory=dict)
    page: Page | None = None
    pdf_text: str = ""  # extracted once: pypdf takes a fifth of a second
    txt: str = ""  # folded
    docx: str = ""  # folded


def _pwned(folder: Path, text: str) -> str:
    return text.replace("PWNED-", str(folder / "PWNED-"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One valid case carrying every text in three places, rendered to every format once.

    Text n is root cause RC(n+1) (a paragraph), immediate action n (a table cell) and the owner
    of that action (a literal field); the seller's names carry HTML and Typst for the page title
    and the PDF's metadata.
    """
    folder = tmp_path_factory.mktemp("hostile-texts")
    (folder / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    case = folder / "hostile-texts.yaml"
    shutil.copytree(MINIMAL_FOLDER, case.with_suffix(""))
    data = loader.load_case(MINIMAL).data
    data["seller"]["store_name"] = STORE_NAME
    data["seller"]["legal_name"] = LEGAL_NAME
    problem = data["problems"][0]
    problem["root_causes"] = [
        {"id": f"RC{i + 1}", "cause": f"Cause-{i:02d}: {_pwned(folder, t.text)}"}
        for i, t in enumerate(TEXTS)
    ] + [{"id": f"RC{len(TEXTS) + 1}", "cause": BLOCKS}]
    problem["immediate_actions"] = [
        {
            "action": f"Action-{i:02d}: {_pwned(folder, t.text)}",
            "date": "2026-10-28",
            "owner": f"Owner-{i:02d}: {_pwned(folder, t.text)}",
            "status": "done",
        }
        for i, t in enumerate(TEXTS)
    ]
    problem["corrective_actions"][0]["addresses"] = [f"RC{i + 1}" for i in range(len(TEXTS) + 1)]
    problem["problem"]["summary"] += f' Absolute path: #read("{folder / "secret.txt"}")'
    case.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000),
        encoding="utf-8",
    )
    checked = pipeline.check_case(case, lint.load_settings())
    assert checked.case is not None, [d.format() for d in checked.diagnostics]
    schema_errors = [d.format() for d in checked.diagnostics if not d.code.startswith("lint.")]
    assert schema_errors == []  # valid; lint findings (e.g. '!' of images) do not matter here
    before = {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = Built(folder, case, before)
    formats = (*pipeline.FORMATS, "docx")
    result.outputs = pipeline.render_outputs(checked.case, checked.evidence, formats)
    result.page = Page(result.outputs["html"].decode("utf-8"))
    result.pdf_text = pdf_text(result.outputs["pdf"])
    result.txt = fold(result.outputs["txt"].decode("utf-8"))
    result.docx = docx_text(result.outputs["docx"])
    return result


# Never in a page made from user text, whatever the template adds.
FORBIDDEN_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "img", "picture",
    "svg", "math", "video", "audio", "source", "track", "link", "base", "form", "input",
    "button", "textarea", "select", "template", "portal", "noscript",
}  # fmt: skip
# What pandoc makes of the inline Markdown a text may use; the template's own elements and
# attributes come from the page of the plain minimal case (`baseline`).
ALLOWED_ELEMENTS = {"p", "br", "strong", "em", "code", "q", "span", "a", "ol", "ul", "li"}
ALLOWED_ATTRIBUTES = {"href", "class", "id", "type", "start"}
SAFE_STYLE = re.compile(r"^(text-align: (left|right|center);|width: \d+%;?)$")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@pytest.fixture(scope="module")
def baseline() -> Page:
    """The HTML page of the plain minimal case: what the template itself puts in a page."""
    checked = pipeline.check_case(MINIMAL)
    assert checked.case is not None
    outputs = pipeline.render_outputs(checked.case, [], ("md", "html"))
    return Page(outputs["html"].decode("utf-8"))


def test_html_has_no_active_content(built: Built, baseline: Page) -> None:
    assert built.page is not None
    tags = {tag for tag, _ in built.page.elements}
    assert not tags & FORBIDDEN_ELEMENTS, tags & FORBIDDEN_ELEMENTS
    allowed_tags = ALLOWED_ELEMENTS | {tag for tag, _ in baseline.elements}
    assert tags <= allowed_tags, tags - allowed_tags
    allowed_attributes = ALLOWED_ATTRIBUTES | {a for _, attrs in baseline.elements for a in attrs}
    for tag in ("style", "meta", "title", "html", "head", "body"):  # only the template's
        assert [t for t, _ in built.page.elements].count(tag) == [
            t for t, _ in baseline.elements
        ].count(tag), tag
    assert built.page.comments == baseline.comments == []
    assert built.page.declarations == baseline.declarations
    for tag, attrs in built.page.elements:
        assert set(attrs) <= allowed_attributes, (tag, attrs)
        assert not any(name.lower().startswith("on") for name in attrs), (tag, attrs)
        if "style" in attrs:
            assert SAFE_STYLE.match(attrs["style"] or ""), (tag, attrs)
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs
        if tag == "a":
            href = attrs.get("href") or ""
            assert re.match(r"^(https?://|mailto:|#)", href), href
    hrefs = sorted({str(attrs["href"]) for tag, attrs in built.page.elements if tag == "a"})
    assert hrefs == ["https://example.com/?a=1&b=2", "mailto:jana@example.com"]


def test_markup_of_other_languages_did_not_apply(built: Built, baseline: Page) -> None:
    assert built.page is not None
    classes = {c for _, attrs in built.page.elements for c in (attrs.get("class") or "").split()}
    # {.class}, ::: warning, footnotes, math and citations would each leave a class behind
    assert not classes & {"class", "warning", "math", "inline", "citation"}, classes
    assert not [c for c in classes if c.startswith("footnote")], classes
    ids = {attrs["id"] for _, attrs in built.page.elements if attrs.get("id")}
    assert not ids & {"id", "label", "top"}, ids
    for tag in ("div", "section", "aside", "sup", "hr", "blockquote", "pre"):
        count = [t for t, _ in built.page.elements].count(tag)
        assert count == [t for t, _ in baseline.elements].count(tag), tag


def test_texts_cannot_add_headings_or_sections(built: Built, baseline: Page) -> None:
    """`#` at a line start, `## x` after a blank line, `---` and setext `===` stay text."""
    assert built.page is not None
    headings = [tag for tag, _ in built.page.elements if tag in HEADINGS]
    assert headings == [tag for tag, _ in baseline.elements if tag in HEADINGS]
    for heading in built.page.headings:
        for marker in ("Fake", "heading", "Nor this", "Setext", "Cause-", "Action-", "Owner-"):
            assert marker not in heading, heading
    for part in ("Closed.", "## Fake section", "Setext ===", "# Not a heading ## Nor this"):
        assert part in built.page.text, part


def contexts(index: int, item: Text) -> list[tuple[str, str]]:
    """Where text `index` appears, and how it must read there."""
    shown = item.shown if item.shown is not None else item.text
    literal = item.literal if item.literal is not None else item.text
    return [
        ("paragraph", f"Cause-{index:02d}: {shown}"),
        ("table cell", f"Action-{index:02d}: {shown}"),
        ("literal", f"Owner-{index:02d}: {literal}"),
    ]


@pytest.mark.parametrize("index", range(len(TEXTS)), ids=TEXT_IDS)
def test_text_reads_the_same_in_html_txt_and_docx(index: int, built: Built) -> None:
    item = TEXTS[index]
    assert built.page is not None
    for where, expected in contexts(index, item):
        expected = fold(_pwned(built.folder, expected))
        assert expected in built.page.text, (where, "html", expected)
        assert expected in built.docx, (where, "docx", expected)
        assert expected in built.txt, (where, "txt", expected)


@pytest.mark.parametrize(
    "index", [i for i, t in enumerate(TEXTS) if t.pdf], ids=[t.name for t in TEXTS if t.pdf]
)
def test_text_reads_the_same_in_the_pdf(index: int, built: Built) -> None:
    text = squeeze(built.pdf_text)
    for where, expected in contexts(index, TEXTS[index]):
        if where != "paragraph" and TEXTS[index].name == "long-word":
            continue  # wrapped over many lines of a narrow column: extraction interleaves columns
        expected = squeeze(_pwned(built.folder, expected))
        assert expected in text, (where, expected)


def test_scripts_without_glyphs_still_build_a_pdf(built: Built) -> None:
    """Emoji, CJK and right-to-left texts: the PDF builds; which glyphs show is not asserted."""
    assert built.outputs["pdf"].startswith(b"%PDF-")
    text = built.pdf_text
    for index, item in enumerate(TEXTS):
        if not item.pdf:
            assert f"Cause-{index:02d}:" in text, item.name


def test_long_word_stays_on_the_pdf_page(built: Built) -> None:
    reader = PdfReader(io.BytesIO(built.outputs["pdf"]))
    runs: list[str] = []
    for page in reader.pages:  # each text-showing operation: a line, or part of one
        page.extract_text(visitor_text=lambda text, *_: runs.append(text))
    longest = max(len(run) for text in runs for run in re.findall("W+", text))
    assert longest <= 100, longest  # a line of A4 holds about 45 capital Ws at 10.5 pt


def test_page_title_and_pdf_metadata_keep_names_as_text(built: Built) -> None:
    assert built.page is not None
    assert built.page.title == fold(f"Plan of Action: {STORE_NAME} (amazon.com)")
    assert fold(STORE_NAME) in built.page.text and fold(LEGAL_NAME) in built.page.text
    reader = PdfReader(io.BytesIO(built.outputs["pdf"]))
    assert reader.metadata is not None
    assert reader.metadata.title == f"Plan of Action: {STORE_NAME} (amazon.com)"
    assert reader.metadata.author == LEGAL_NAME
    text = squeeze(built.pdf_text)
    assert squeeze(STORE_NAME) in text and squeeze(LEGAL_NAME) in text


def test_typst_code_in_text_did_not_run(built: Built) -> None:
    reader = PdfReader(io.BytesIO(built.outputs["pdf"]))
    for page in reader.pages:  # `#set page(width: 1pt)` did not change the pages (amazon.com:
        width, height = float(page.mediabox.width), float(page.mediabox.height)  # US Letter)
        assert (round(width), round(height)) == (612, 792)


def test_no_file_outside_the_case_was_read_or_written(built: Built) -> None:
    for fmt, content in built.outputs.items():
        assert SECRET.encode() not in content, fmt
        assert PASSWD.encode() not in content, fmt
    text = built.pdf_text + built.outputs["txt"].decode("utf-8")
    assert SECRET not in text and PASSWD not in text
    with zipfile.ZipFile(io.BytesIO(built.outputs["docx"])) as archive:
        for name in archive.namelist():
            assert SECRET.encode() not in archive.read(name), name
    after = {str(p): p.read_bytes() for p in built.folder.rglob("*") if p.is_file()}
    assert after == built.before  # nothing written: no PWNED-latex, no PWNED-jinja
    assert not list(built.folder.glob("PWNED*"))


def test_docx_has_no_media_fields_or_unsafe_links(built: Built) -> None:
    with zipfile.ZipFile(io.BytesIO(built.outputs["docx"])) as archive:
        names = archive.namelist()
        assert not [name for name in names if "/media/" in name or name.endswith(".bin")]
        document = archive.read("word/document.xml").decode("utf-8")
        relations = archive.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "instrText" not in document and "fldSimple" not in document  # no INCLUDETEXT etc.
    for target, mode in re.findall(r'Target="([^"]*)"(?: TargetMode="(\w+)")?', relations):
        if mode == "External" or ":" in target:
            assert re.match(r"^(https?://|mailto:)", target), target


@pytest.mark.parametrize("link", ["[see above](#top)", "[x](#)"])
def test_in_page_link_does_not_break_the_pdf(link: str, tmp_path: Path) -> None:
    case = copy_case(MINIMAL, tmp_path)
    text = case.read_text(encoding="utf-8")
    old = "Batch 2026-08 was listed without an incoming safety test."
    new = json.dumps(f"Batch 2026-08 was listed without an incoming safety test ({link}).")
    case.write_text(text.replace(old, new), encoding="utf-8")  # a JSON string is YAML too
    checked = pipeline.check_case(case, lint.load_settings())
    assert checked.case is not None and checked.ok, [d.format() for d in checked.diagnostics]
    outputs = pipeline.render_outputs(checked.case, checked.evidence)
    assert outputs["pdf"].startswith(b"%PDF-")


# --------------------------------------------------------------------------------------------
# 3. Faults


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal case built once; each fault test starts from a copy of this folder."""
    folder = tmp_path_factory.mktemp("first-build")
    case = copy_case(MINIMAL, folder)
    result, _ = cli("build", "--out", str(folder / "out"), str(case))
    assert result.exit_code == 0, result.output
    return folder


@dataclass
class Previous:
    case: Path
    out: Path  # the --out folder
    folder: Path  # out/<case>: the outputs
    case_bytes: bytes
    outputs: dict[str, bytes]

    def snapshot(self) -> dict[str, bytes]:
        """The outputs (not hidden files such as a build stamp)."""
        return {p.name: p.read_bytes() for p in self.folder.iterdir() if not p.name.startswith(".")}

    def assert_kept(self) -> None:
        now = self.snapshot()
        changed = sorted(
            n for n in now.keys() | self.outputs.keys() if now.get(n) != self.outputs.get(n)
        )
        assert changed == [], f"previous outputs changed: {changed}"
        assert not list(self.folder.glob(".*.tmp")), "a temporary file was left behind"
        assert self.case.read_bytes() == self.case_bytes, "the case file changed"


@pytest.fixture
def previous(first_build: Path, tmp_path: Path) -> Previous:
    """A folder with last build's outputs and a case edited since (so it must be rebuilt)."""
    shutil.copytree(first_build, tmp_path, dirs_exist_ok=True)
    case = tmp_path / MINIMAL.name
    text = case.read_text(encoding="utf-8").replace("became hot.", "became very hot.")
    case.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    state = Previous(case, out, out / case.stem, case.read_bytes(), {})
    state.outputs = state.snapshot()
    assert len(state.outputs) == 5  # md, html, txt, counts, pdf
    return state


def build_again(state: Previous) -> Result:
    result, _ = cli("build", "--out", str(state.out), str(state.case))
    return result


def assert_clean_convert_failure(result: Result, state: Previous, message: str) -> None:
    assert not traceback_of(result), traceback_of(result)
    assert result.exit_code == 1 and result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{state.case}:1:1: error [build.convert] "), first
    assert message in first, first
    assert result.stderr.endswith(f"{state.case}: not built\n")
    state.assert_kept()


def test_pandoc_missing(previous: Previous, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert, "pandoc_path", lambda: str(previous.out / "no-such-pandoc"))
    result = build_again(previous)
    assert_clean_convert_failure(
        result, previous, "pandoc (html5, typst, plain) failed: the pandoc program"
    )


def test_pandoc_failing(previous: Previous, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pandoc(previous.out.parent, "echo 'pandoc: something broke' >&2\nexit 1\n", monkeypatch)
    result = build_again(previous)
    assert_clean_convert_failure(
        result, previous, "pandoc (html5, typst, plain) failed: pandoc: something"
    )


class FailingCompiler:
    """Stands in for typst.Compiler: every compile raises `error`."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def compile(self, **_: Any) -> bytes:
        raise self.error


def real_typst_error() -> Exception:
    """A TypstError as the typst package raises it (with .message and .diagnostic set)."""
    import typst

    try:
        convert._compiler().compile(input=b'#panic("engine exploded")', format="pdf")
    except typst.TypstError as exc:
        return exc
    raise AssertionError("typst compiled a panic")


def bare_typst_error() -> Exception:
    """A TypstError with only a message and a diagnostic, as some failures raise it."""
    import typst

    return typst.TypstError("engine exploded", "error: engine exploded", [], [])


@pytest.mark.parametrize(
    ("error", "message"),
    [(real_typst_error, "panicked with: "), (bare_typst_error, "engine exploded")],
    ids=["panic", "bare-error"],
)
def test_pdf_engine_failing(
    error: Any, message: str, previous: Previous, monkeypatch: pytest.MonkeyPatch
) -> None:
    failure = error()
    monkeypatch.setattr(convert, "_compiler", lambda: FailingCompiler(failure))
    result = build_again(previous)
    assert_clean_convert_failure(result, previous, f"typst (PDF) failed: {message}")


def test_interrupt_while_rendering_keeps_previous_outputs(
    previous: Previous, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: Any, **__: Any) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(convert, "typst_to_pdf", interrupted)  # after md, html and txt
    result = build_again(previous)
    assert result.exit_code == 1 and not traceback_of(result)
    assert "Traceback" not in result.output and "Aborted!" in result.stderr
    assert result.stdout == ""
    previous.assert_kept()


class FullDisk:
    """os.fdopen for generator.write whose streams fail with ENOSPC from the `from_call`-th on."""

    def __init__(self, from_call: int, error: BaseException | None = None) -> None:
        self.calls = 0
        self.from_call = from_call
        self.error = error or OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.real = os.fdopen

    def __call__(self, fd: int, *args: Any, **kwargs: Any) -> Any:
        stream = self.real(fd, *args, **kwargs)
        self.calls += 1
        return _Failing(stream, self.error) if self.calls >= self.from_call else stream


class _Failing:
    def __init__(self, stream: Any, error: BaseException) -> None:
        self.stream, self.error = stream, error

    def __enter__(self) -> _Failing:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stream.close()

    def write(self, _: bytes) -> int:
        raise self.error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def test_full_disk_on_the_first_output(previous: Previous, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.write.os.fdopen", FullDisk(from_call=1))
    result = build_again(previous)
    previous.assert_kept()
    assert not traceback_of(result), traceback_of(result)
    assert result.exit_code == 1 and result.stdout == ""
    assert_diagnostics_only(result)


def test_full_disk_midway_keeps_all_previous_outputs(
    previous: Previous, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.write.os.fdopen", FullDisk(from_call=3))
    build_again(previous)
    previous.assert_kept()


def test_interrupt_while_writing_keeps_all_previous_outputs(
    previous: Previous, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.write.os.fdopen", FullDisk(3, KeyboardInterrupt()))
    result = build_again(previous)
    assert result.exit_code == 1 and "Aborted!" in result.stderr
    previous.assert_kept()


def _writable_despite_mode(folder: Path) -> bool:
    """True where permissions do not stop writes (root): a trial write tells."""
    trial = folder / ".trial-write"
    try:
        trial.write_bytes(b"")
    except PermissionError:
        return False
    trial.unlink()
    return True


def test_read_only_output_folder(previous: Previous) -> None:
    previous.folder.chmod(0o555)
    try:
        if _writable_despite_mode(previous.folder):
            pytest.skip("running as root: chmod 0o555 does not stop writes here")
        result = build_again(previous)
    finally:
        previous.folder.chmod(0o755)
    previous.assert_kept()
    assert_diagnostics_only(result)


def test_read_only_output_folder_simulated(
    previous: Previous, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(kwargs.get("dir")))

    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.parent == previous.folder:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr("generator.write.tempfile.mkstemp", refused)
    monkeypatch.setattr(Path, "unlink", unlink)
    result = build_again(previous)
    previous.assert_kept()
    assert_diagnostics_only(result)
