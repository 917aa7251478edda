"""The outputs meet published standards: W3C Nu HTML Checker, axe-core, and a sound PDF.

The HTML checks need Java with vnu.jar, and Chromium with axe-core; `make test` installs them
(into .tools/ and from Debian's packages). Where they truly cannot be installed, these tests are
skipped with the reason; the PDF checks need only Python packages.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from generator import lint, pipeline, render
from tests.conftest import CASES, ROOT
from tests.helpers import pdf_text

TOOLS = Path(os.environ.get("ACTIONPLAN_TOOLS", ROOT / ".tools")) / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    out = {}
    for case in CASES:
        checked = pipeline.check_case(case.relative_to(ROOT), lint.load_settings())
        assert checked.case is not None
        out[case.stem] = pipeline.render_outputs(checked.case, checked.evidence, ("html", "pdf"))
    return out


def _html_files(built: dict[str, dict[str, bytes]], folder: Path) -> list[Path]:
    paths = []
    for name, outputs in built.items():
        path = folder / f"{name}.html"
        path.write_bytes(outputs["html"])
        paths.append(path)
    return paths


def test_html_passes_the_w3c_nu_checker(built: dict[str, dict[str, bytes]], tmp_path: Path) -> None:
    if not VNU.exists() or not shutil.which("java"):
        pytest.skip(f"vnu.jar ({VNU}) or java not installed; `make test` installs them")
    files = _html_files(built, tmp_path)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert messages == [], messages[:5]


def test_html_has_no_serious_accessibility_violations(
    built: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    if not AXE.exists() or CHROMIUM is None:
        pytest.skip("axe-core or chromium not installed; `make test` installs them")
    script = (
        "<script>" + AXE.read_text(encoding="utf-8") + "</script><script>"
        "axe.run(document, {resultTypes: ['violations']}).then(r => {"
        "const p = document.createElement('pre'); p.id = 'axe-result';"
        "p.textContent = JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact})));"
        "document.body.appendChild(p);});</script>"
    )
    for page in _html_files(built, tmp_path):
        probe = page.with_suffix(".axe.html")  # a copy: the real output carries no script
        probe.write_text(
            page.read_text(encoding="utf-8").replace("</body>", script + "</body>"),
            encoding="utf-8",
        )
        dom = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                probe.as_uri(),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        ).stdout
        marker = '<pre id="axe-result">'
        assert marker in dom, f"axe did not run on {page.name}"
        violations = json.loads(
            dom.split(marker, 1)[1].split("</pre>", 1)[0].replace("&quot;", '"')
        )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], (page.name, serious)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_pdf_is_sound_tagged_and_has_its_fonts(
    case: Path, built: dict[str, dict[str, bytes]]
) -> None:
    pdf = built[case.stem]["pdf"]
    with pikepdf.open(io.BytesIO(pdf)) as document:  # the qpdf library behind `qpdf --check`
        assert document.check_pdf_syntax() == []
        assert (
            str(document.Root.Lang)
            == pipeline.check_case(case.relative_to(ROOT)).case.data[  # type: ignore[union-attr]
                "language"
            ]
        )
        assert "/StructTreeRoot" in document.Root  # tagged
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title
    assert reader.metadata.title.startswith(
        render.locale(pipeline.check_case(case.relative_to(ROOT)).case.data["language"])["title"]
    )  # type: ignore[union-attr]
    checked = 0
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (
                    f"font {descendant.get_object().get('/BaseFont')} is not embedded"
                )
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_pdf_text_comes_out_in_reading_order(
    case: Path, built: dict[str, dict[str, bytes]]
) -> None:
    data = pipeline.check_case(case.relative_to(ROOT)).case.data  # type: ignore[union-attr]
    text = pdf_text(built[case.stem]["pdf"])
    headings = list(render.locale(data["language"])["sections"][data["structure"]].values())
    first_problem = (
        [h for h in headings if h.split(" ", 1)[0] not in ("D1", "D8")]
        if data["structure"] == "8d"
        else headings
    )
    positions = [text.find(h) for h in first_problem]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_plan_pdf_is_pdf_a_2b_and_shows_its_title(
    case: Path, built: dict[str, dict[str, bytes]]
) -> None:
    """Archival PDF/A-2b (and PDF/UA-1, which makes a viewer show the title in its window)."""
    with pikepdf.open(io.BytesIO(built[case.stem]["pdf"])) as document:
        meta = document.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title")  # the XMP title that PDF/A requires to match the Info
        assert document.Root.ViewerPreferences.DisplayDocTitle is True
        intents = document.Root.get("/OutputIntents")
        assert intents is not None and str(intents[0].S) == "/GTS_PDFA1"
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})  # PDF/A-2 has none
