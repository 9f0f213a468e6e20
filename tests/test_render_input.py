"""`synth-server render` on bad input (issue 11), through the real CLI and the shipped model:
one error line and no output file for bad times and durations, an existing --out is never
overwritten without --force, and memory stays flat however long the render."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import DEFAULT_MODEL, ROOT

# the entry point of the ``synth-server`` console script, from this checkout (the installed
# script may belong to another checkout of the package)
CLI = [sys.executable, "-m", "synth_server.app.cli"]


def synth_server(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``synth-server ARGS...`` run from the repository root."""
    return subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def render(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return synth_server("render", "--model", str(DEFAULT_MODEL), *args, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    """The result is a refusal: nonzero status, one ``synth-server: error:`` line, no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synth-server: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


SCORE_HEAD = "time_s,address,arg1,arg2\n0,/gain,0.7\n0.5,/pad,0.2,0.8\n"


@pytest.mark.parametrize("time_text, problem", [
    ("nan", "not a finite number"), ("inf", "not a finite number"),
    ("-inf", "not a finite number"), ("-0.5", "negative"),
    ("1e6", "past the 14400 s (4 h) limit"), ("14400.5", "limit")])
def test_bad_score_times_are_one_line_and_write_nothing(tmp_path, time_text, problem):
    score = tmp_path / "score.csv"
    score.write_text(SCORE_HEAD + f"{time_text},/gain,0.1\n1.0,/gain,0.2\n")
    out = tmp_path / "take.wav"
    line = assert_one_line_error(render("--score", str(score), "--out", str(out)),
                                 f"{score}:4:", problem)
    assert repr(time_text) in line
    assert files_in(tmp_path) == {"score.csv"}


@pytest.mark.parametrize("rows, line_no, problem", [
    ("0,0,0\nnan,1,1\n", 3, "time 'nan' is not a finite number"),
    ("0,0,0\ninf,1,1\n", 3, "time 'inf' is not a finite number"),
    ("-1,0,0\n2,1,1\n", 2, "time '-1' is negative"),
    ("0,0,0\n1e9,1,1\n", 3, "past the 14400 s (4 h) limit"),
    ("0,0,0\n1,nan,1\n", 3, "x 'nan' is not a finite number"),
    ("0,0,0\n1,0.5,inf\n", 3, "y 'inf' is not a finite number"),
    ("0,0,0\n1,a,1\n", 3, "non-numeric value")])
def test_bad_pad_paths_are_one_line_and_write_nothing(tmp_path, rows, line_no, problem):
    path = tmp_path / "path.csv"
    path.write_text("time_s,x,y\n" + rows)
    out = tmp_path / "take.wav"
    assert_one_line_error(render("--pad-path", str(path), "--out", str(out)),
                          f"{path}:{line_no}: ", problem)
    assert files_in(tmp_path) == {"path.csv"}


@pytest.mark.parametrize("flag", ["--score", "--pad-path"])
def test_a_binary_file_is_one_line(tmp_path, flag):
    data = tmp_path / "data.csv"
    data.write_bytes(b"time_s,x,y\n\xff\xfe\x00\x01")
    assert_one_line_error(render(flag, str(data), "--out", str(tmp_path / "take.wav")),
                          f"{data}: not a UTF-8 CSV file")
    assert files_in(tmp_path) == {"data.csv"}


@pytest.mark.parametrize("value, problem", [
    ("-1", "out of range"), ("0", "out of range"), ("nan", "not a finite number"),
    ("inf", "not a finite number"), ("=-inf", "not a finite number"),
    ("1e6", "over the limit"), ("14400.01", "over the limit"), ("soon", "not a number")])
def test_bad_render_durations_are_one_line_and_write_nothing(tmp_path, value, problem):
    path = tmp_path / "path.csv"
    path.write_text("time_s,x,y\n0,0,0\n1,1,1\n")
    out = tmp_path / "take.wav"
    flag = ["--duration" + value] if value.startswith("=") else ["--duration", value]
    assert_one_line_error(render("--pad-path", str(path), "--out", str(out), *flag),
                          "render: argument --duration", problem,
                          "(expected seconds > 0 and <= 14400)")
    assert files_in(tmp_path) == {"path.csv"}


@pytest.mark.parametrize("args, flag", [
    (("serve", "--device", "null", "--duration", "nan"), "--duration"),
    (("serve", "--device", "null", "--duration", "-2"), "--duration"),
    (("serve", "--device", "null", "--duration", "inf"), "--duration"),
    (("dataset", "toy", "--out", "{tmp}/toy", "--duration", "inf"), "--duration"),
    (("dataset", "soundfont", "--out", "{tmp}/sf", "--hold", "-1"), "--hold"),
    (("dataset", "folder", "{tmp}", "--out", "{tmp}/f", "--min-duration", "nan"),
     "--min-duration"),
    (("send", "/ping", "--wait", "nan"), "--wait")])
def test_every_duration_flag_refuses_non_finite_and_negative_values(tmp_path, args, flag):
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    result = synth_server(*args, timeout=60)
    assert result.returncode == 2
    assert_one_line_error(result, f"argument {flag}")
    assert files_in(tmp_path) == set()


def test_render_help_states_the_limit():
    result = synth_server("render", "--help")
    assert result.returncode == 0
    assert "at most 14400 s (4 h)" in " ".join(result.stdout.split())
    assert "--force" in result.stdout


def test_existing_out_is_refused_and_kept_byte_identical_unless_force(tmp_path):
    path = tmp_path / "path.csv"
    path.write_text("time_s,x,y\n0,0.1,0.1\n0.5,0.9,0.9\n")
    out = tmp_path / "take.wav"
    out.write_bytes(b"a take that cannot be played again")
    before = out.stat()
    refused = render("--pad-path", str(path), "--out", str(out), "--duration", "1")
    assert_one_line_error(refused, f"{out} exists", "--force")
    assert out.read_bytes() == b"a take that cannot be played again"
    assert out.stat().st_mtime_ns == before.st_mtime_ns
    assert files_in(tmp_path) == {"path.csv", "take.wav"}

    forced = render("--pad-path", str(path), "--out", str(out), "--duration", "1", "--force")
    assert forced.returncode == 0, forced.stderr
    y, rate = sf.read(out, dtype="float32")
    assert rate == 48000 and y.shape == (48000, 2) and np.abs(y).max() > 1e-3
    assert files_in(tmp_path) == {"path.csv", "take.wav"}  # no temporary file left


def test_an_interrupted_forced_render_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "path.csv"
    path.write_text("time_s,x,y\n0,0.1,0.1\n600,0.9,0.9\n")
    out = tmp_path / "take.wav"
    out.write_bytes(b"old take")
    proc = subprocess.Popen([*CLI, "render", "--model", str(DEFAULT_MODEL), "--pad-path",
                             str(path), "--out", str(out), "--force"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        temp = []
        while time.monotonic() < deadline and proc.poll() is None:
            temp = [p for p in tmp_path.iterdir() if ".part" in p.name]
            if temp and temp[0].stat().st_size > 1_000_000:  # it is writing
                break
            time.sleep(0.05)
        assert temp, "no temporary file appeared beside --out"
        assert temp[0].name.startswith(".take.") and temp[0].name.endswith(".wav")
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "interrupted" in stderr, stderr
    assert out.read_bytes() == b"old take"
    assert files_in(tmp_path) == {"path.csv", "take.wav"}


def test_streamed_render_equals_the_in_memory_render(tmp_path, default_checkpoint):
    from synth_server.app.render import read_pad_path, read_score, render_events

    path = tmp_path / "path.csv"
    path.write_text("time_s,x,y\n0,0.1,0.1\n1.5,0.9,0.9\n1.5,0.3,0.3\n3.2,0.2,0.7\n")
    score = tmp_path / "score.csv"
    score.write_text("time_s,address,arg1,arg2\n0,/gain,0.7\n1.0,/latent,0,1.5\n"
                     "2.6,/nope,1\n3.0,/manifold/select,umap\n1.5,/gain,0.9\n")
    out = tmp_path / "take.wav"
    result = render("--pad-path", str(path), "--score", str(score), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "rejected 2.600s /nope" in result.stderr
    streamed, rate = sf.read(out, dtype="float32")
    expected, errors = render_events(default_checkpoint,
                                     list(read_pad_path(path)) + read_score(score))
    assert len(errors) == 1 and rate == 48000
    assert streamed.shape == expected.shape == (int(4.2 * 48000), 2)  # last event + 1 s
    np.testing.assert_array_equal(streamed, expected)


def test_a_four_hour_pad_path_is_read_lazily():
    import tracemalloc

    from synth_server.app.render import PadPath

    tracemalloc.start()
    path = PadPath([(0.0, 0.0, 0.0), (14400.0, 1.0, 1.0)], step_s=0.01)
    size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(path) == 1_440_001 and peak < 100_000
    assert path[720_000] == (7200.0, "/pad", (0.5, 0.5))
    assert path[-1] == (14400.0, "/pad", (1.0, 1.0))


def test_the_library_refuses_bad_durations_with_render_error(default_checkpoint):
    from synth_server.app.render import RenderError, render_events

    for duration in (float("nan"), float("inf"), -1.0, 14400.5):
        with pytest.raises(RenderError, match="duration"):
            render_events(default_checkpoint, [], duration_s=duration)


PEAK_RSS = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "stderr": done.stderr,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_rss_mib(tmp_path: Path, seconds: int) -> tuple[float, float]:
    """Render ``seconds`` of a pad path with the CLI in a fresh process; its peak RSS (MiB,
    ru_maxrss of the only child of a wrapper process) and the wall time (s)."""
    path = tmp_path / f"path{seconds}.csv"
    path.write_text(f"time_s,x,y\n0,0.1,0.1\n{seconds / 2},0.9,0.9\n{seconds},0.2,0.7\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, *CLI, "render", "--model",
                           str(DEFAULT_MODEL), "--pad-path", str(path), "--out",
                           str(tmp_path / f"take{seconds}.wav"), "--duration", str(seconds)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    report = json.loads(done.stdout)
    assert report["rc"] == 0, report["stderr"]
    assert sf.info(str(tmp_path / f"take{seconds}.wav")).frames == seconds * 48000
    return report["peak_kib"] / 1024, wall


def test_memory_stays_flat_for_a_long_render(tmp_path):
    short, short_s = peak_rss_mib(tmp_path, 20)
    long, long_s = peak_rss_mib(tmp_path, 300)  # the whole take in memory would be +110 MiB
    print(f"\npeak RSS of `synth-server render`: 20 s -> {short:.1f} MiB ({short_s:.1f} s), "
          f"300 s -> {long:.1f} MiB ({long_s:.1f} s)")
    assert long < short + 50, (short, long)
