"""Evidence files as an attacker arranges them: links, swaps between check and use, files that
are small on disk and huge in memory, and files that pass a glance but break the build."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator import pipeline
from tests.helpers import pdf_text, run
from tests.test_evidence import case, png, two_page_pdf  # noqa: F401 - the fixture

SECRET = "SECRET-OUTSIDE-THE-CASE"


def secret_pdf(folder: Path) -> Path:
    import datetime

    import typst

    pdf = typst.compile(
        f"= {SECRET}".encode(),
        format="pdf",
        timestamp=datetime.datetime(2026, 11, 12, tzinfo=datetime.UTC),
    )
    path = folder / "secret.pdf"
    path.write_bytes(pdf)
    return path


def bundle(case_file: Path, out: Path) -> tuple[int, str]:
    code, _, stderr = run("bundle", "--out", str(out), str(case_file))
    return code, stderr


def outputs(out: Path, name: str) -> tuple[zipfile.ZipFile, str]:
    archive = zipfile.ZipFile(out / name / f"{name}-evidence.zip")
    text = pdf_text((out / name / f"{name}-submission.pdf").read_bytes())
    return archive, text


# --------------------------------------------------------------------------------------------
# 3. Links


def test_case_folder_that_is_a_link_is_refused(case: Path, tmp_path: Path) -> None:  # noqa: F811
    """cases/<case>/ itself a link to a folder elsewhere: nothing from there is used."""
    elsewhere = tmp_path / "elsewhere"
    shutil.move(case.with_suffix(""), elsewhere)
    secret = secret_pdf(elsewhere / "evidence")
    os.replace(secret, elsewhere / "evidence" / "lab-report.pdf")
    case.with_suffix("").symlink_to(elsewhere)
    code, stderr = bundle(case, tmp_path / "out")
    assert code == 1
    assert (
        "error [evidence.path] $.evidence[0].file: 'evidence/lab-report.pdf': the case's folder"
        in stderr
    )
    assert "is a link" in stderr
    assert not (tmp_path / "out" / case.stem).exists()


def test_folder_inside_the_case_that_is_a_link_is_refused(case: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = case.with_suffix("")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(folder / "evidence", elsewhere)
    (folder / "evidence").symlink_to(elsewhere)
    code, stderr = bundle(case, tmp_path / "out")
    assert code == 1
    assert (
        "[evidence.path] $.evidence[0].file: 'evidence/lab-report.pdf' is a link that leads outside"
        in stderr
    )


def test_link_inside_the_case_is_refused_too(case: Path, tmp_path: Path) -> None:  # noqa: F811
    """A link that stays inside can still be pointed elsewhere between check and use."""
    folder = case.with_suffix("") / "evidence"
    os.replace(folder / "lab-report.pdf", folder / "real.pdf")
    (folder / "lab-report.pdf").symlink_to("real.pdf")
    code, stderr = bundle(case, tmp_path / "out")
    assert code == 1
    assert "[evidence.path] $.evidence[0].file: 'evidence/lab-report.pdf' is a link:" in stderr


# --------------------------------------------------------------------------------------------
# 4. Check, then use: a file swapped after the check is not what the outputs carry


def test_file_swapped_for_a_link_after_the_check_is_not_used(
    case: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = case.with_suffix("") / "evidence"
    checked = (folder / "lab-report.pdf").read_bytes()
    secret = secret_pdf(tmp_path)
    render = pipeline.render_outputs

    def swap_then_render(*args, **kwargs):  # type: ignore[no-untyped-def]
        (folder / "lab-report.pdf").unlink()
        (folder / "lab-report.pdf").symlink_to(secret)
        (folder / "removals.csv").write_text("order,units\nSWAPPED,1\n")
        return render(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render_outputs", swap_then_render)
    code, stderr = bundle(case, tmp_path / "out")
    assert code == 0, stderr
    archive, text = outputs(tmp_path / "out", case.stem)
    assert archive.read("E1-lab-report.pdf") == checked
    assert b"SWAPPED" not in archive.read("E3-removals.csv")
    import json

    for item in json.loads(archive.read("manifest.json")):
        assert hashlib.sha256(archive.read(item["zip_name"])).hexdigest() == item["sha256"]
    assert SECRET not in text and "SWAPPED" not in text and "RMV-1" in text
    attached = PdfReader(tmp_path / "out" / case.stem / f"{case.stem}-submission.pdf").attachments
    assert [checked] in attached.values(), list(attached)


def test_each_evidence_file_is_opened_once(
    case: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One open per evidence file for the whole bundle, relative to the folder's descriptor."""
    opened: list[str] = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith((".pdf", ".png", ".csv")) and "actionplan-evidence-" not in str(path):
            opened.append(str(path))
            assert flags & os.O_NOFOLLOW and kwargs.get("dir_fd") is not None
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    for method in ("read_bytes", "read_text", "open"):
        original = getattr(Path, method)

        def guard(self, *args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            assert "evidence" not in self.parts or "actionplan-evidence-" in str(self), self
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, guard)
    code, stderr = bundle(case, tmp_path / "out")
    assert code == 0, stderr
    assert sorted(opened) == ["lab-report.pdf", "photo.png", "removals.csv"]
