"""End to end: jackd (dummy clock) + `synth-server serve` + liblo's oscsend, judged by the recording."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from conftest import DEFAULT_MODEL, ROOT, free_udp_port, stop_process
from test_render import centroid_hz

SEGMENT_S = 1.6


def start_server(args: list[str], env: dict | None, tmp_path: Path) -> tuple[subprocess.Popen,
                                                                             int, socket.socket]:
    """Start `synth-server serve` on free ports; return (process, OSC port, reply socket)."""
    port = free_udp_port()
    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("127.0.0.1", 0))
    replies.settimeout(0.3)
    cmd = [sys.executable, "-m", "synth_server.app.cli", "serve", "--port", str(port),
           "--reply-port", str(replies.getsockname()[1]), *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, port, replies


def wait_for_pong(port: int, replies: socket.socket, proc: subprocess.Popen,
                  timeout_s: float = 60.0) -> None:
    ping = OscMessageBuilder(address="/ping").build().dgram
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stdout.read()} {proc.stderr.read()}")
        sender.sendto(ping, ("127.0.0.1", port))
        try:
            if OscMessage(replies.recv(4096)).address == "/pong":
                return
        except socket.timeout:
            continue
    pytest.fail("server never answered /ping")


def oscsend(port: int, address: str, types: str, *values: float) -> None:
    subprocess.run(["oscsend", "localhost", str(port), address, types,
                    *[str(v) for v in values]], check=True, timeout=10)


def finish(proc: subprocess.Popen, sig: int = signal.SIGINT) -> tuple[dict, str, str]:
    stop_process(proc, sig, timeout=20)
    out, err = proc.communicate(timeout=10)
    summary = json.loads(out.strip().splitlines()[-1])
    return summary, out, err


def test_pad_moves_are_heard_on_the_jack_clock(jackd, tmp_path):
    record = tmp_path / "take.wav"
    proc, port, replies = start_server(
        ["--model", str(DEFAULT_MODEL), "--device", "system", "--record", str(record)],
        jackd, tmp_path)
    try:
        wait_for_pong(port, replies, proc)
        oscsend(port, "/gain", "f", 0.8)
        oscsend(port, "/pad", "ff", 0.05, 0.5)
        time.sleep(SEGMENT_S)
        oscsend(port, "/pad", "ii", 1, 0)  # ints, as Max's pictslider sends
        time.sleep(SEGMENT_S)
    finally:
        summary, out, err = finish(proc)
        replies.close()
    assert "playing default on device 'system'" in out, out + err
    assert "Traceback" not in err
    assert summary["underruns"] == 0, summary
    assert summary["nan_frames"] == 0
    y, sr = sf.read(record, dtype="float32")
    assert sr == 48000 and y.ndim == 2 and y.shape[1] == 2
    assert np.isfinite(y).all()
    mono = y[:, 0]
    end = len(mono)
    # the recording ends when SIGINT arrives: the 2nd pad position sounds in its last SEGMENT_S,
    # the 1st in the SEGMENT_S before that (0.3 s margins for process start-up and smoothing)
    second = mono[end - int((SEGMENT_S - 0.3) * sr): end - int(0.1 * sr)]
    first = mono[end - int((2 * SEGMENT_S - 0.3) * sr): end - int((SEGMENT_S + 0.2) * sr)]
    for segment in (first, second):
        assert np.sqrt(np.mean(segment ** 2)) > 0.01  # about -40 dBFS: clearly sounding
    c1, c2 = centroid_hz(first), centroid_hz(second)
    assert abs(c1 - c2) / min(c1, c2) > 0.15, (c1, c2)


def test_without_a_device_it_explains_in_one_line_and_records(tmp_path):
    """No JACK server and --device system: one line, internal clock, a valid WAV, no traceback;
    SIGTERM stops it cleanly."""
    record = tmp_path / "fallback.wav"
    env = {"PATH": "/usr/bin:/bin", "JACK_DEFAULT_SERVER": "synthtest-no-such-server",
           "JACK_NO_START_SERVER": "1", "HOME": str(tmp_path)}
    proc, port, replies = start_server(
        ["--model", str(DEFAULT_MODEL), "--device", "system", "--record", str(record),
         "--duration", "30"], env, tmp_path)
    try:
        wait_for_pong(port, replies, proc)
        time.sleep(1.0)
    finally:
        summary, out, err = finish(proc, signal.SIGTERM)
        replies.close()
    assert "Traceback" not in err
    lines = [l for l in out.splitlines() if "no audio output" in l]
    assert len(lines) == 1 and str(record) in lines[0], out
    info = sf.info(record)
    assert info.samplerate == 48000 and info.channels == 2
    assert info.duration > 0.9
    assert summary["record"]["path"] == str(record) and summary["record"]["complete"], summary
    y, _ = sf.read(record, dtype="float32")
    assert np.isfinite(y).all() and np.abs(y).max() > 0.01


def test_device_null_with_duration_stops_by_itself(tmp_path):
    record = tmp_path / "null.wav"
    proc, port, replies = start_server(
        ["--model", str(DEFAULT_MODEL), "--device", "null", "--record", str(record),
         "--duration", "1.5"], None, tmp_path)
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        replies.close()
        stop_process(proc)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["underruns"] == 0
    # --duration counts the audio played and the recording ends when the server is asked to
    # stop: 1.50-1.51 s with two CPU hogs running (counting wall time from after start-up, and
    # recording until every thread stopped, gave 1.86 s)
    assert sf.info(record).duration == pytest.approx(1.5, abs=0.1)


def test_busy_port_and_bad_model_are_one_line_errors(tmp_path):
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "synth_server.app.cli", "serve", "--model", str(DEFAULT_MODEL),
             "--device", "null", "--record", str(tmp_path / "x.wav"),
             "--port", str(taken.getsockname()[1])],
            cwd=ROOT, capture_output=True, text=True, timeout=90)
    finally:
        taken.close()
    assert result.returncode == 2
    assert "cannot listen for OSC" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "config.json").write_text("[1, 2]")
    result = subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "serve", "--model", str(tmp_path / "bad"),
         "--device", "null"], cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot load model" in result.stderr


def test_unwritable_recording_and_bad_flags_are_one_line_errors(tmp_path):
    base = [sys.executable, "-m", "synth_server.app.cli", "serve", "--model", str(DEFAULT_MODEL),
            "--device", "null", "--port", str(free_udp_port())]
    for extra, needle in ((["--record", "/proc/forbidden.wav"], "could not start"),
                          (["--reply-port", "70000"], "not a UDP port"),
                          (["--blocksize", "100"], "invalid choice")):
        result = subprocess.run(base + extra, cwd=ROOT, capture_output=True, text=True,
                                timeout=90)
        assert result.returncode == 2, (extra, result.stderr)
        assert "Traceback" not in result.stderr and needle in result.stderr, result.stderr
