"""The running pandoc that converts plan after plan: reuse, answers, errors and a hung process."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import convert
from tests.helpers import fake_pandoc

MARKDOWN = "Removed batch B0TEST0001 [link B0TEST0001](javascript:alert(1)), see Acme Ltd. today."


def server() -> convert._TextServer:
    return convert._servers[convert.pandoc_path()]


def test_one_pandoc_converts_many_plans() -> None:
    first = convert.write_texts(MARKDOWN, ["B0TEST0001"], ("html5", "plain", "typst"))
    pid = server().process.pid
    second = convert.write_texts("Second plan.", [], ("plain",))
    assert server().process.pid == pid
    assert '<span class="asin">B0TEST0001</span>' in first["html5"]
    assert "href" not in first["html5"]  # safety.lua ran as the Markdown was read
    assert first["html5"].count('<span class="asin">B0TEST0001</span>') == 2
    assert "#asin[B0TEST0001]" in first["typst"]

    assert second == {"plain": "Second plan.\n"}


def test_a_refused_request_is_a_conversion_error_and_the_server_goes_on() -> None:
    convert.write_texts("x", [], ("plain",))
    pid = server().process.pid
    with pytest.raises(convert.ConversionError, match="Unknown output format nonsense"):
        convert.write_texts("x", [], ("nonsense",))
    assert server().process.pid == pid
    assert convert.write_texts("y", [], ("plain",)) == {"plain": "y\n"}


def test_a_dead_server_is_replaced() -> None:
    convert.write_texts("x", [], ("plain",))
    old = server().process
    old.kill()
    old.wait()
    assert convert.write_texts("y", [], ("plain",)) == {"plain": "y\n"}
    assert server().process.pid != old.pid


def test_a_silent_pandoc_is_stopped_after_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_pandoc(tmp_path, "exec sleep 30\n", monkeypatch)
    monkeypatch.setattr(convert, "PANDOC_TIMEOUT", 0.5)
    with pytest.raises(convert.ConversionError, match=r"no answer within 0\.5 s"):
        convert.write_texts("x", [], ("plain",))
    hung = convert._servers[str(fake)].process
    assert hung.poll() is not None  # killed, not left behind


@pytest.mark.parametrize("size", [10, 300_000], ids=["in-buffer", "beyond-pipe"])
def test_a_pandoc_that_reads_nothing_says_why(
    size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its input closed at once: every write to it is a broken pipe, small or large.
    script = "exec 0<&-\nsleep 0.2\necho 'pandoc: out of memory' >&2\nexit 83\n"
    fake_pandoc(tmp_path, script, monkeypatch)
    for _ in range(2):
        with pytest.raises(convert.ConversionError, match="pandoc: out of memory"):
            convert.write_texts("word " * size, [], ("plain",))


def test_an_answer_that_is_not_json_is_a_conversion_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "read line\necho 'Segmentation fault (core dumped)'\nsleep 30\n"
    fake = fake_pandoc(tmp_path, script, monkeypatch)
    with pytest.raises(convert.ConversionError, match="pandoc answered b'Segmentation fault"):
        convert.write_texts("x", [], ("plain",))
    assert convert._servers[str(fake)].process.poll() is not None  # not left running


def test_a_pandoc_without_run_time_options_runs_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = convert.pandoc_path()
    # Like a pandoc linked without -rtsopts: refuses +RTS, otherwise it is pandoc itself.
    script = (
        'if [ "$1" = "+RTS" ]; then echo "pandoc: Most RTS options are disabled." >&2; exit 1; fi\n'
        f'exec "{real}" "$@"\n'
    )
    fake = fake_pandoc(tmp_path, script, monkeypatch)
    assert convert.write_texts("Hello", [], ("plain",)) == {"plain": "Hello\n"}
    assert str(fake) in convert._NO_RTS
