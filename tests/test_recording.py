"""Issue 12 item 4: recording never hurts the sound and never lies about the file.

Unit tests drive :class:`WavRecorder` in this process (a blocked writer, the cap, the header kept
current); system tests run `synth-server serve --device null` and fill a small tmpfs, cap the
file, or SIGKILL the whole process group, then read the WAV back.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
import soundfile as sf
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from conftest import DEFAULT_MODEL, ROOT, free_udp_port, stop_process
from synth_server.engine.recorder import RecordError, WavRecorder

SR = 48000
BLOCK = np.full((256, 2), 0.25, dtype=np.float32)
BYTES_PER_S = SR * 2 * 4


def wav_data_chunk(path: Path) -> tuple[int, int]:
    """(offset of the data, size the header gives it) of a WAV, read from the raw bytes."""
    raw = path.read_bytes()
    assert raw[:4] == b"RIFF" and raw[8:12] == b"WAVE"
    offset = 12
    while offset + 8 <= len(raw):
        tag, size = raw[offset:offset + 4], struct.unpack("<I", raw[offset + 4:offset + 8])[0]
        if tag == b"data":
            return offset + 8, size
        offset += 8 + size + (size & 1)
    raise AssertionError(f"{path}: no data chunk")


# -- unit: WavRecorder in this process ------------------------------------------------------

def test_a_blocked_writer_drops_and_counts_blocks_and_memory_stays_flat(tmp_path):
    rec = WavRecorder(tmp_path / "slow.wav", SR, 2, queue_s=0.5, min_free_bytes=0)
    release = threading.Event()
    real_write = rec._file.write

    def stalled_write(data):  # a disk that hangs (NFS gone, USB stick pulled...)
        release.wait(30)
        real_write(data)

    rec._file.write = stalled_write
    ring_frames = len(rec._ring)
    put_s = []
    tracemalloc.start()
    try:
        for _ in range(20):  # warm up, then measure
            rec.put(BLOCK)
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10 * SR // len(BLOCK)):  # ten seconds of audio, 20x what the ring holds
            t0 = time.perf_counter()
            rec.put(BLOCK)
            put_s.append(time.perf_counter() - t0)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, grown  # the old SimpleQueue grew 3.8 MB here
    assert rec.dropped_frames > 9 * SR, rec.dropped_frames
    assert rec.dropped_frames % len(BLOCK) == 0  # whole blocks, never a torn one
    assert np.median(put_s) < 1e-4 and max(put_s) < 0.5, (np.median(put_s), max(put_s))
    release.set()
    rec.close()
    summary = rec.summary()
    assert not summary["complete"] and "dropped" in summary["error"], summary
    assert summary["frames"] <= ring_frames + 20 * len(BLOCK)
    assert sf.info(tmp_path / "slow.wav").frames == summary["frames"]


def test_the_cap_stops_the_recording_at_the_cap_with_a_valid_file(tmp_path):
    path = tmp_path / "capped.wav"
    rec = WavRecorder(path, SR, 2, max_bytes=500_000, min_free_bytes=0)
    for _ in range(3 * SR // len(BLOCK)):  # 3 s = 1.15 MB offered
        rec.put(BLOCK)
        time.sleep(0.0002)
    deadline = time.monotonic() + 10
    while not rec.ended and time.monotonic() < deadline:
        time.sleep(0.02)
    assert rec.stopped and "size cap of 0.5 MB" in rec.stopped and rec.failed is None
    rec.put(BLOCK)  # after the end: ignored, nothing written, nothing raised
    rec.close()
    size = path.stat().st_size
    assert 490_000 < size <= 500_000, size
    info = sf.info(path)
    assert info.frames == rec.frames == (500_000 - 4096) // 8
    y, _ = sf.read(path, dtype="float32")  # the header rewrites did not disturb the data
    assert np.all(y == 0.25)
    summary = rec.summary()
    assert summary["complete"] is False and summary["failed"] is False


def test_the_header_counts_the_samples_while_recording(tmp_path):
    path = tmp_path / "live.wav"
    rec = WavRecorder(path, SR, 2, header_interval_s=0.2, min_free_bytes=0)
    try:
        for _ in range(SR // len(BLOCK)):
            rec.put(BLOCK)
        time.sleep(0.6)  # more than two header intervals
        data_at, header_bytes = wav_data_chunk(path)
        on_disk = path.stat().st_size - data_at
        assert header_bytes == on_disk > 0.9 * BYTES_PER_S, (header_bytes, on_disk)
        assert rec.header_updates >= 2
    finally:
        rec.close()
    assert rec.summary()["complete"]


def test_too_little_free_space_refuses_to_start(tmp_path):
    with pytest.raises(RecordError, match="could not start recording .* MB free"):
        WavRecorder(tmp_path / "x.wav", SR, 2, min_free_bytes=10 ** 18)
    assert not (tmp_path / "x.wav").exists()


def test_state_record_reply_only_while_serve_records():
    from synth_server.control.controller import Controller
    from synth_server.core.contract import EngineStatus

    status = lambda: EngineStatus("m", 2, (0.0, 0.0), (0.0, 0.0))  # noqa: E731
    off = {a: v for a, v in Controller(status).on_state()}
    assert "/state/record" not in off
    said = [("recording", "")]
    on = {a: v for a, v in Controller(status, recording=lambda: said[0]).on_state()}
    assert on["/state/record"] == ("recording", "")
    said[0] = ("failed", "write failed: No space left on device")
    on = {a: v for a, v in Controller(status, recording=lambda: said[0]).on_state()}
    assert on["/state/record"] == ("failed", "write failed: No space left on device")


# -- system: a real server ------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (root only); unmounted afterwards."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    size = "2m"
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {result.stderr.strip()}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


class Served:
    """`synth-server serve --device null` in its own process group, and its reply socket."""

    def __init__(self, tmp_path: Path, *args: str):
        self.port = free_udp_port()
        self.replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.replies.bind(("127.0.0.1", 0))
        self.sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "synth_server.app.cli", "serve", "--model",
             str(DEFAULT_MODEL), "--device", "null", "--port", str(self.port),
             "--reply-port", str(self.replies.getsockname()[1]), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        deadline = time.monotonic() + 90
        while self.ask("/ping", "/pong", timeout=0.5) is None:
            assert self.proc.poll() is None, self.proc.communicate()
            assert time.monotonic() < deadline, "the server did not answer /ping in 90 s"

    def ask(self, address: str, want: str, timeout: float = 2.0) -> Optional[OscMessage]:
        self.sender.sendto(OscMessageBuilder(address=address).build().dgram,
                           ("127.0.0.1", self.port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.replies.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                message = OscMessage(self.replies.recv(65536))
            except socket.timeout:
                return None
            if message.address == want:
                return message
        return None

    def record_state(self, until: str, timeout: float) -> list:
        """Poll /state until /state/record's status is ``until``; its params."""
        deadline = time.monotonic() + timeout
        params: list = []
        while time.monotonic() < deadline:
            got = self.ask("/state", "/state/record", timeout=1.0)
            assert self.proc.poll() is None, self.proc.communicate()
            if got is not None:
                params = got.params
                if params[0] == until:
                    return params
            time.sleep(0.2)
        raise AssertionError(f"/state/record never said {until!r} (last: {params})")

    def finish(self) -> tuple[dict, str, str]:
        stop_process(self.proc, signal.SIGTERM, timeout=20)
        out, err = self.proc.communicate(timeout=10)
        self.replies.close()
        self.sender.close()
        assert self.proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1]), out, err

    def kill_group(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the server, its audio process and helpers
        self.proc.communicate(timeout=10)
        self.replies.close()
        self.sender.close()


@pytest.mark.system
def test_a_full_disk_stops_the_recording_and_the_server_plays_on(small_disk):
    record = small_disk / "take.wav"
    server = Served(small_disk.parent, "--record", str(record), "--record-min-free-mb", "0")
    try:
        assert server.record_state("recording", 5)[1] == ""
        status, reason = server.record_state("failed", 30)  # 2 MiB: about 5.5 s of audio
        assert "No space left on device" in reason, reason
        time.sleep(1.0)
        assert server.ask("/ping", "/pong") is not None  # still answering, still playing
    finally:
        summary, out, err = server.finish()
    record_summary = summary["record"]
    assert record_summary["path"] == str(record)
    assert record_summary["complete"] is False and record_summary["failed"] is True
    assert "No space left on device" in record_summary["error"]
    assert 4.0 < record_summary["seconds"] < 5.6, record_summary
    lines = [line for line in err.splitlines() if "recording stopped" in line]
    assert len(lines) == 1 and "No space left on device" in lines[0], err
    assert summary["underruns"] <= 2, summary  # the sound went on
    info = sf.info(record)  # what was written before the disk filled is still readable
    assert info.frames > 3 * SR


@pytest.mark.system
def test_the_free_space_reserve_stops_the_recording_cleanly(small_disk):
    record = small_disk / "take.wav"
    server = Served(small_disk.parent, "--record", str(record), "--record-min-free-mb", "1")
    try:
        status, reason = server.record_state("stopped", 30)
        assert "disk is nearly full" in reason, reason
    finally:
        summary, _, err = server.finish()
    assert summary["record"]["complete"] is False and summary["record"]["failed"] is False
    assert sf.info(record).frames == summary["record"]["frames"] > SR
    assert err.count("recording stopped") == 1, err


@pytest.mark.system
def test_serve_stops_recording_at_record_max_mb(tmp_path):
    record = tmp_path / "capped.wav"
    server = Served(tmp_path, "--record", str(record), "--record-max-mb", "1")
    try:
        status, reason = server.record_state("stopped", 30)  # 1 MB: 2.6 s
        assert "size cap of 1 MB" in reason
        assert server.ask("/ping", "/pong") is not None
    finally:
        summary, out, _ = server.finish()
    assert "at most 1 MB, 2 s" in out.splitlines()[0], out
    assert summary["record"]["frames"] == (1_000_000 - 4096) // 8 == sf.info(record).frames
    assert record.stat().st_size <= 1_000_000


@pytest.mark.system
def test_a_sigkilled_server_leaves_a_playable_wav_whose_header_counts_its_samples(tmp_path):
    record = tmp_path / "killed.wav"
    server = Served(tmp_path, "--record", str(record))
    time.sleep(3.0)
    server.kill_group()  # no chance to close the file: only the periodic header updates count
    data_at, header_bytes = wav_data_chunk(record)
    on_disk = record.stat().st_size - data_at
    assert header_bytes > 0.5 * BYTES_PER_S, header_bytes  # was 0 before
    # the header lags the data by at most one update interval (1 s) and a writer poll
    assert 0 <= on_disk - header_bytes <= 1.1 * BYTES_PER_S, (on_disk, header_bytes)
    y, sr = sf.read(record, dtype="float32")
    assert sr == SR and len(y) == header_bytes // 8 and np.isfinite(y).all()


@pytest.mark.system
def test_serve_without_record_does_not_record_and_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "serve", "--model", str(DEFAULT_MODEL),
         "--device", "null", "--duration", "0.5", "--port", str(free_udp_port())],
        cwd=tmp_path, capture_output=True, text=True, timeout=90,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "not recording (add --record FILE.wav" in result.stdout
    assert json.loads(result.stdout.strip().splitlines()[-1])["record"] is None
    assert not any(tmp_path.rglob("*.wav"))


@pytest.mark.system
def test_low_disk_refuses_to_start_recording_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "serve", "--model", str(DEFAULT_MODEL),
         "--device", "null", "--record", str(tmp_path / "x.wav"), "--record-min-free-mb",
         "999999999", "--port", str(free_udp_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "could not start recording" in result.stderr
    assert "MB free" in result.stderr and not (tmp_path / "x.wav").exists()
