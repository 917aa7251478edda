"""Evidence files as an attacker arranges them: links, swaps between check and use, files that
are small on disk and huge in memory, and files that pass a glance but break the build."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator import evidence, filecheck, highlight, loader, pipeline, render
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


# --------------------------------------------------------------------------------------------
# 7 and 12. Files that look fine but would break or swamp the build

# A 10 x 6 pixel JPEG (made with pdftoppm), so no imaging library is needed.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAJAAkAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDc"
    "p"
    "LDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI"
    "y"
    "MjIyMjIyMjIyMjIyMjL/wAARCAAGAAoDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRA"
    "A"
    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk"
    "6"
    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMX"
    "G"
    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtRE"
    "A"
    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg"
    "5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsP"
    "E"
    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDnKKKK++PhD//Z"
)


def with_evidence(case_file: Path, files: dict[str, bytes]) -> Path:
    """The case with exactly `files` as its evidence (evidence/<name>), each cited once."""
    import yaml

    folder = case_file.with_suffix("") / "evidence"
    shutil.rmtree(folder)
    folder.mkdir()
    data = yaml.safe_load(case_file.read_text())
    data["evidence"] = []
    for index, (name, body) in enumerate(files.items()):
        (folder / name).write_bytes(body)
        kind = "photo" if name.endswith((".png", ".jpg")) else "report"
        data["evidence"].append(
            {"id": f"E{index + 1}", "file": f"evidence/{name}", "kind": kind,
             "date": "2026-11-12", "description": f"File {name}"}
        )  # fmt: skip
    data["evidence"][0]["asins"] = ["B07XYZ1234"]
    ids = [item["id"] for item in data["evidence"]]
    data["problems"][0]["effectiveness"]["evidence"] = ids
    for key in ("date", "notice"):
        data[key] = str(data[key]) if key == "date" else data[key]
    case_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return folder


def lint_errors(case_file: Path) -> list[str]:
    code, _, stderr = run("lint", str(case_file))
    errors = [line for line in stderr.splitlines() if "[evidence." in line]
    assert code == (1 if errors else 0), stderr
    return errors


def png_header(width: int, height: int, depth: int = 8, colour: int = 2) -> bytes:
    """A PNG's signature and header only, claiming a size (what the limit reads)."""
    data = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + data + struct.pack(">I", zlib.crc32(b"IHDR" + data))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\x00" * 64


def test_valid_png_and_jpeg_pass(case: Path) -> None:  # noqa: F811
    with_evidence(case, {"a.png": png(), "b.jpg": JPEG, "c.pdf": two_page_pdf()})
    assert lint_errors(case) == []


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("huge.png", png_header(30000, 30000), "'evidence/huge.png' is 30000 x 30000 pixels, over the limit of 50 megapixels"),  # noqa: E501
        ("deep.png", png_header(4000, 4000, depth=16, colour=6), "is 4000 x 4000 pixels, over the limit of 50 megapixels (16-bit colour counts four times)"),  # noqa: E501
        ("huge.jpg", JPEG.replace(b"\xff\xc0\x00\x11\x08\x00\x06\x00\x0a", b"\xff\xc0\x00\x11\x08\x75\x30\x75\x30"), "'evidence/huge.jpg' is 30000 x 30000 pixels"),  # noqa: E501
    ],
    ids=["png", "png-16-bit", "jpeg"],
)  # fmt: skip
def test_image_over_the_pixel_limit_is_refused_from_its_header(
    case: Path,  # noqa: F811
    name: str,
    body: bytes,
    message: str,
) -> None:
    with_evidence(case, {name: body})
    (error,) = lint_errors(case)
    assert "error [evidence.pixels] $.evidence[0].file: " in error and message in error


def test_images_together_over_the_case_limit_are_refused(
    case: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(filecheck, "MAX_CASE_PIXELS", 2_000)
    with_evidence(case, {"a.png": png(40), "b.png": png(41), "c.png": png(42)})
    (error,) = lint_errors(case)
    assert (
        "[evidence.pixels] $.evidence[2].file: with 'evidence/c.png' the images add up to over"
        in error
    )


def test_hard_links_to_one_file_count_once(case: Path) -> None:  # noqa: F811
    folder = with_evidence(case, {"a.png": png()})
    import yaml

    data = yaml.safe_load(case.read_text())
    for index in range(1, 40):
        os.link(folder / "a.png", folder / f"link-{index}.png")
        copy = {**data["evidence"][0], "id": f"E{index + 1}", "file": f"evidence/link-{index}.png"}
        data["evidence"].append({key: value for key, value in copy.items() if key != "asins"})
    data["problems"][0]["effectiveness"]["evidence"] = [item["id"] for item in data["evidence"]]
    case.write_text(yaml.safe_dump(data, sort_keys=False))
    errors = lint_errors(case)
    assert len(errors) == 39
    assert (
        "error [evidence.duplicate] $.evidence[1].file: 'evidence/link-1.png'"
        " is the same file as E1 ('evidence/a.png'): cite E1 instead" in errors[0]
    )


def test_evidence_files_together_over_the_case_limit_are_refused(
    case: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(evidence, "MAX_CASE_BYTES", 25_000)
    with_evidence(case, {f"{n}.csv": f"{n},".encode() * 5_000 for n in range(3)})
    (error,) = lint_errors(case)
    assert (
        "[evidence.size] $.evidence[2].file: the evidence files add up to 30.0"
        " KB with 'evidence/2.csv', over the limit of 25.0 KB for one case" in error
    )


def test_one_line_csv_preview_is_cut() -> None:
    shown, total = render.text_preview(b"x," * 10_000_000)
    shown = shown.replace("\u200b", "")  # break points, so the line wraps inside the page
    assert total == 1 and len(shown) == render.PREVIEW_WIDTH and shown.endswith("…")
    shown, total = render.text_preview(b"\n" * 10_000_000)
    assert total == 10_000_000 and shown.count("\n") == render.PREVIEW_LINES - 1


def _corrupt_png() -> bytes:
    good = png(200, 100)
    at = good.index(b"IDAT") + 20
    return good[:at] + bytes([good[at] ^ 0xFF]) + good[at + 1 :]


def _without_palette() -> bytes:
    """A PNG of palette colours (type 3) whose palette is missing."""
    good = png(20, 10)
    header = struct.pack(">IIBBBBB", 20, 10, 8, 3, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + header
    chunk += struct.pack(">I", zlib.crc32(b"IHDR" + header) & 0xFFFFFFFF)
    return good[:8] + chunk + good[8 + 25 :]


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(two_page_pdf()))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "body", "code", "message"),
    [
        ("bit-flip.png", _corrupt_png, "damaged", "is a damaged PNG (the 'IDAT' part is corrupt)"),
        ("cut.png", lambda: png(200, 100)[:-30], "damaged", "is a damaged or cut-off PNG"),
        ("no-palette.png", lambda: _without_palette(), "damaged", "is a damaged PNG (its colours have no palette)"),  # noqa: E501
        ("garbage.jpg", lambda: JPEG[:4] + b"\x00" * 200, "damaged", "is a damaged JPEG"),
        ("cut.jpg", lambda: JPEG[:-10], "damaged", "is a damaged or cut-off JPEG (it has no end marker)"),  # noqa: E501
        ("locked.pdf", _encrypted_pdf, "encrypted", "is encrypted (protected by a password)"),
        ("no-end.pdf", lambda: two_page_pdf().replace(b"%%EOF", b"%%XXX"), "damaged", "is a damaged or cut-off PDF (it has no end marker)"),  # noqa: E501
        ("no-pages.pdf", lambda: b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n", "damaged", "is a damaged PDF"),  # noqa: E501
    ],
    ids=["png-bit-flip", "png-cut", "png-no-palette", "jpeg-garbage", "jpeg-cut", "pdf-encrypted", "pdf-no-end", "pdf-no-pages"],  # noqa: E501
)  # fmt: skip
def test_evidence_the_build_cannot_use_is_a_diagnostic_at_its_line(
    case: Path,  # noqa: F811
    tmp_path: Path,
    name: str,
    body: Callable[[], bytes],
    code: str,
    message: str,
) -> None:
    with_evidence(case, {"fine.png": png(), name: body()})
    (error,) = lint_errors(case)
    assert f"error [evidence.{code}] $.evidence[1].file: 'evidence/{name}' {message}" in error
    status, _, stderr = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert status == 1 and "build.convert" not in stderr
    assert all("error [" in line or "not built" in line for line in stderr.splitlines() if line), (
        stderr
    )


def _garbled_pixels() -> bytes:
    """A PNG whose compressed pixels are garbage under a valid checksum: written so by a faulty
    program, not damaged afterwards."""
    good = png(200, 100)
    at = good.index(b"IDAT")
    (length,) = struct.unpack(">I", good[at - 4 : at])
    data = bytes(range(256)) * (length // 256) + b"\x00" * (length % 256)
    chunk = b"IDAT" + data
    return (
        good[:at]
        + chunk
        + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
        + good[at + 8 + length :]
    )


def test_pixels_are_decoded_by_a_build_and_only_checked_for_structure_by_lint(
    case: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Inflating every screenshot was most of lint's time on cases with evidence; the checksums
    catch a file cut off or changed. A build decodes the pixels before the PDF engine sees them,
    and says what is wrong at the file's line."""
    with_evidence(case, {"fine.png": png(), "garbled.png": _garbled_pixels()})
    assert lint_errors(case) == []
    status, _, stderr = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert status == 1 and "build.convert" not in stderr
    assert (
        "error [evidence.damaged] $.evidence[1].file: 'evidence/garbled.png' is a damaged PNG"
        " (its image data is corrupt)" in stderr
    )
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.pdf"))


def test_the_same_file_cited_twice_is_a_diagnostic(case: Path) -> None:  # noqa: F811
    import yaml

    with_evidence(case, {"a.png": png(), "b.png": png(41)})
    data = yaml.safe_load(case.read_text())
    data["evidence"][1]["file"] = "evidence/a.png"
    case.write_text(yaml.safe_dump(data, sort_keys=False))
    (error,) = lint_errors(case)
    assert (
        "[evidence.duplicate] $.evidence[1].file: 'evidence/a.png' is the same"
        " file as E1 ('evidence/a.png')" in error
    )


def test_a_copy_of_another_file_is_a_diagnostic(case: Path) -> None:  # noqa: F811
    with_evidence(case, {"a.png": png(), "b.png": png()})
    (error,) = lint_errors(case)
    assert (
        "[evidence.duplicate] $.evidence[1].file: 'evidence/b.png' is a copy"
        " of E1 ('evidence/a.png')" in error
    )


# --------------------------------------------------------------------------------------------
# 7. The largest input the limits allow, bundled, in bounded memory

GIB = 1 << 30


def big_png(width: int, height: int, seed: int, deep: bool = False) -> bytes:
    """A valid PNG of any size, 8-bit RGB or 16-bit RGBA, compressed as it is made."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    packer = zlib.compressobj(1)
    pixel = (
        bytes([seed % 256, 128, 64]) if not deep else bytes([seed % 256, 1, 128, 2, 64, 3, 9, 9])
    )
    row = b"\x00" + pixel * width
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, *((16, 6) if deep else (8, 2)), 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def noise_pdf(folder: Path, size: int) -> bytes:
    """A one-page PDF of about `size` bytes: a picture of random noise, which does not compress."""
    import datetime

    import typst

    side = int((size / 3) ** 0.5)
    noise = os.urandom(side * 3)
    rows = b"".join(b"\x00" + noise[i:] + noise[:i] for i in range(0, side * 3, 3)[:side])
    packer = zlib.compressobj(0)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    picture = chunk(b"IHDR", header) + chunk(b"IDAT", packer.compress(rows) + packer.flush())
    (folder / "noise.png").write_bytes(b"\x89PNG\r\n\x1a\n" + picture + chunk(b"IEND", b""))
    pdf = typst.compile(
        b'#set page(margin: 0pt)\n#image("noise.png", width: 100%)',
        format="pdf",
        root=str(folder),
        timestamp=datetime.datetime(2026, 11, 12, tzinfo=datetime.UTC),
    )
    assert isinstance(pdf, bytes)
    return pdf


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _high_water_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


def peak_memory_of_tree(command: list[str], timeout: float = 600) -> tuple[int, int, str]:
    """Run `command`; its exit code, an upper bound of the peak memory (bytes) of it and all
    its descendants at any moment, and its stderr. The bound is the sum of each process's own
    peak (VmHWM), as last seen while it ran the program it was started for. Not counted: a
    process between fork and exec, which shares its parent's pages (copy on write); nor wait4's
    figure, which includes the memory of the forking test process itself."""
    import subprocess
    import tempfile
    import time

    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        wanted = "\0".join(command).encode()
        parent = os.readlink("/proc/self/exe")
        peaks: dict[int, int] = {}
        deadline = time.monotonic() + timeout  # a safety stop, not a measurement
        while process.poll() is None and time.monotonic() < deadline:
            for pid in [process.pid, *_descendants(process.pid)]:
                try:
                    if pid == process.pid:
                        started = Path(f"/proc/{pid}/cmdline").read_bytes().startswith(wanted)
                    else:
                        started = os.readlink(f"/proc/{pid}/exe") != parent
                except OSError:
                    continue
                if started:
                    peaks[pid] = max(peaks.get(pid, 0), _high_water_kib(pid))
            time.sleep(0.01)  # sampling only; nothing is timed
        if process.poll() is None:
            process.kill()
        process.wait()
        stderr.seek(0)
        message = stderr.read().decode("utf-8", "replace")
    return process.returncode, sum(peaks.values()) * 1024, message


def test_bundle_of_the_largest_allowed_input_stays_under_one_gibibyte(
    case: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Every limit at once: a case file at its size limit, mostly one paragraph, two images of
    (together) the most pixels allowed, one in 16-bit colour, a one-line CSV,
    a CSV of a million short lines and a PDF, adding up to the byte limit of a case."""
    import sys

    left = evidence.MAX_CASE_BYTES
    files = {
        "a.png": big_png(7000, 7100, 1),  # 49.7 megapixels
        "b.png": big_png(3530, 3530, 2, deep=True),  # 12.5 megapixels, counted four times
    }
    left -= sum(len(body) for body in files.values())
    files["c.csv"] = b"x," * (min(evidence.MAX_BYTES, left // 2 - 6_000_000) // 2)  # one line
    files["d.csv"] = b"1,2\n" * (min(evidence.MAX_BYTES, left // 2 - 6_000_000) // 4)
    # A PDF holding a picture of the most pixels the highlighting reads (OCR): noise, the
    # hardest to read.
    side = int(highlight.OCR_MAX_PIXELS**0.5)
    files["e.pdf"] = noise_pdf(tmp_path, side * side * 3)
    assert filecheck.cost((7000, 7100, 8)) + filecheck.cost((3530, 3530, 16)) <= (
        filecheck.MAX_CASE_PIXELS
    )
    with_evidence(case, files)
    # And the case file itself at its size limit, most of it one paragraph.
    import yaml

    data = yaml.safe_load(case.read_text())
    sentence = "Seven buyers reported that the charger B07XYZ1234 became hot after an hour. "
    size = len(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**9))
    long = sentence * ((loader.MAX_BYTES - size - 200) // len(sentence))
    data["problems"][0]["problem"]["summary"] = long
    case.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**9))
    assert loader.MAX_BYTES - 1000 < case.stat().st_size <= loader.MAX_BYTES
    assert lint_errors(case) == []
    code, peak, stderr = peak_memory_of_tree(
        [sys.executable, "-m", "generator", "bundle", "--out", str(tmp_path / "out"), str(case)]
    )
    assert code == 0, stderr
    assert peak < GIB, f"{peak / 2**20:.0f} MiB"
    zipped = zipfile.ZipFile(tmp_path / "out" / case.stem / f"{case.stem}-evidence.zip")
    assert zipped.read("E3-c.csv") == files["c.csv"]
    print(f"peak {peak / 2**20:.0f} MiB")


def test_pdfs_over_the_page_limit_are_refused(case: Path, tmp_path: Path) -> None:  # noqa: F811
    import datetime

    import typst

    many = typst.compile(
        b"#set page(width: 20pt, height: 20pt, margin: 0pt)\n"
        + f"#for i in range({filecheck.MAX_CASE_PAGES + 1}) {{ [x]; pagebreak() }}".encode(),
        format="pdf",
        timestamp=datetime.datetime(2026, 11, 12, tzinfo=datetime.UTC),
    )
    assert isinstance(many, bytes)
    with_evidence(case, {"many.pdf": many})
    (error,) = lint_errors(case)
    assert "[evidence.pages] $.evidence[0].file: with 'evidence/many.pdf' (502 pages)" in error


# --------------------------------------------------------------------------------------------
# 13. Leftovers and names


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(
    case: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    out = tmp_path / "out"
    code, _, stderr = run("build", "--out", str(out), str(case))
    assert code == 0, stderr
    folder = out / case.stem
    # What a build killed with SIGKILL while writing leaves: its temporary files, named as
    # write.py names them, by a process that is gone.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    from generator import write

    stale = [folder / write.temporary_name(folder / f"{case.stem}.pdf", int(gone))]
    stale.append(folder / f".{case.stem}.html.k3j9x1ab.tmp")  # an older version's name
    for path in stale:
        path.write_bytes(b"x" * 1000)
    os.utime(stale[1], (1, 1))
    live = folder / write.temporary_name(folder / f"{case.stem}.md", os.getppid())  # running
    live.write_bytes(b"a build still writing")
    case.write_text(case.read_text().replace("Lab test report", "Lab report"))  # a change
    code, _, stderr = run("build", "--out", str(out), str(case))
    assert code == 0, stderr
    assert [p.name for p in stale if p.exists()] == []
    assert live.exists()  # another build's file in progress is left alone


def test_zip_entry_names_are_short_and_clean(case: Path, tmp_path: Path) -> None:  # noqa: F811
    long_name = (
        "rapport-" + "é" * 120 + ".png"
    )  # 250 bytes: a valid file name, too long a zip entry
    with_evidence(case, {long_name: png(), "line\nbreak\t.png": png(41), 'a<b>:"|?*.png': png(42)})
    code, _, stderr = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert code == 0, stderr
    archive = zipfile.ZipFile(tmp_path / "out" / case.stem / f"{case.stem}-evidence.zip")
    names = archive.namelist()
    assert len(set(names)) == len(names) == 4
    for name in names:
        assert len(name.encode("utf-8")) <= 255, name
        assert not re.search(r'[\x00-\x1f\x7f<>:"|?*\\/]', name), name
    target = tmp_path / "extracted"
    archive.extractall(target)
    assert sorted(p.name for p in target.iterdir()) == sorted(names)
    import json

    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(item["zip_name"] for item in manifest) == sorted(set(names) - {"manifest.json"})
    assert {n for n in names if n.startswith("E1-")} and all(
        n.endswith(".png") for n in names if n != "manifest.json"
    )


def test_staging_folder_of_a_killed_bundle_is_removed_by_the_next(
    case: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    import subprocess
    import sys
    import tempfile

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    left = Path(tempfile.gettempdir()) / f"actionplan-evidence-{gone}-x1y2z3"
    (left / "evidence").mkdir(parents=True)
    (left / "evidence" / "big.pdf").write_bytes(b"x" * 1000)
    code, _, stderr = run("bundle", "--out", str(tmp_path / "out"), str(case))
    assert code == 0, stderr
    assert not left.exists()
    assert not list(Path(tempfile.gettempdir()).glob(f"actionplan-evidence-{os.getpid()}-*"))


def test_lint_counts_a_plain_pdfs_pages_and_parses_any_other() -> None:
    """Without decoding, a plain PDF's pages are counted from its page objects (as many as its
    page tree holds); an encrypted or cut-off one is still parsed and refused."""
    from pypdf import PdfWriter

    seven = PdfWriter()
    for _ in range(7):
        seven.add_blank_page(100, 100)
    buffer = io.BytesIO()
    seven.write(buffer)
    for pdf in (two_page_pdf(), buffer.getvalue()):
        quick, parsed = (
            filecheck.damage("application/pdf", pdf, False),
            filecheck.damage("application/pdf", pdf, True),
        )
        assert quick == parsed and quick[1] == len(PdfReader(io.BytesIO(pdf)).pages)
    assert (
        filecheck.damage("application/pdf", _encrypted_pdf(), False)[0][0] == "evidence.encrypted"
    )
    cut = two_page_pdf().replace(b"%%EOF", b"%%XXX")
    assert filecheck.damage("application/pdf", cut, False)[0][:2] == ("evidence.damaged", "pdf-end")
