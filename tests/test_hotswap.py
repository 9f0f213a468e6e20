"""/model/load: crossfade to a model with another latent_dim on the JACK clock; refusals keep the
old model playing. Real server (audio process + OSC), real trained weights, oscsend as client."""
from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pythonosc.osc_message import OscMessage

from synth_server.core.contract import Swapped
from conftest import ROOT, free_udp_port, shipped_models
from test_end_to_end import oscsend

MODELS = ROOT / "models"


def collect(replies: socket.socket, until: str, timeout_s: float = 10.0) -> list[OscMessage]:
    """Replies received until one with address ``until`` (or the timeout)."""
    got: list[OscMessage] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            message = OscMessage(replies.recv(65536))
        except socket.timeout:
            continue
        got.append(message)
        if message.address == until:
            break
    return got


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """default + toy-4d (shipped) and three broken models, in a private models folder."""
    folder = shipped_models(tmp_path)
    (folder / "empty").mkdir()
    shutil.copytree(MODELS / "default", folder / "truncated")
    weights = folder / "truncated" / "weights.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    shutil.copytree(MODELS / "default", folder / "other-rate")
    config = (folder / "other-rate" / "config.json")
    config.write_text(config.read_text().replace('"sample_rate": 48000', '"sample_rate": 44100'))
    outside = tmp_path / "outside"
    shutil.copytree(MODELS / "toy-4d", outside)
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    return folder


def start(models_dir: Path, device, record: Path, jack_env: dict | None, monkeypatch):
    from synth_server.app.server import Server

    for key, value in (jack_env or {}).items():
        monkeypatch.setenv(key, value)
    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("127.0.0.1", 0))
    replies.settimeout(0.2)
    server = Server(models_dir / "default", "default", device, 256, str(record), "127.0.0.1",
                    free_udp_port(), replies.getsockname()[1], models_dir)
    server.start()
    return server, replies


def test_hot_swap_to_another_latent_dim_is_gapless_and_fast(models_dir, tmp_path, jackd,
                                                            monkeypatch):
    record = tmp_path / "swap.wav"
    server, replies = start(models_dir, "system", record, jackd, monkeypatch)
    port = server.osc.port
    try:
        oscsend(port, "/gain", "f", 0.8)
        time.sleep(0.6)
        oscsend(port, "/latent", "ffffffff", *[0.5] * 8)  # a direct target the new model lacks
        time.sleep(0.2)
        oscsend(port, "/model/load", "s", "toy-4d")
        got = collect(replies, "/model/loaded")
        assert got and got[-1].address == "/model/loaded", [m.address for m in got]
        name, latent_dim, heard_ms = got[-1].params
        assert (name, latent_dim) == ("toy-4d", 4)
        assert 0 < heard_ms < 300
        oscsend(port, "/state", "")
        state = {m.address: m.params for m in collect(replies, "/state/latency_ms")}
        assert state["/state/model"] == ["toy-4d"] and state["/state/latent_dim"] == [4]
        time.sleep(0.5)
    finally:
        summary = server.stop()
        replies.close()
    assert summary["underruns"] == 0 and summary["models_loaded"] == 1
    swap = [e for e in server.events if isinstance(e, Swapped)][0]
    assert swap.crossfade_ms <= 50
    y, sr = sf.read(record, dtype="float32")
    around = y[max(swap.first_sample - 4800, 0): swap.last_sample + 4800, 0]
    silent = np.abs(around) < 1e-5
    runs = np.diff(np.flatnonzero(np.diff(np.concatenate([[0], silent, [0]]))))[::2]
    assert (runs.max() if runs.size else 0) < 8, "a silent gap during the crossfade"
    assert np.abs(y).max() <= 10 ** (-0.1 / 20) + 1e-6  # the limiter's ceiling holds


@pytest.mark.parametrize("name,reason", [
    ("nope", "no model"), ("../default", "not a model name"), ("empty", "missing"),
    ("truncated", "safetensors"), ("other-rate", "sample_rate"), ("escape", "outside"),
])
def test_a_bad_model_is_refused_and_the_old_one_keeps_playing(models_dir, tmp_path, monkeypatch,
                                                               name, reason):
    record = tmp_path / "refuse.wav"
    server, replies = start(models_dir, None, record, None, monkeypatch)
    port = server.osc.port
    try:
        oscsend(port, "/gain", "f", 0.8)
        oscsend(port, "/model/load", "s", name)
        got = collect(replies, "/error")
        assert got and got[-1].address == "/error", [m.address for m in got]
        assert got[-1].params[0] == "/model/load" and reason in got[-1].params[1]
        time.sleep(0.5)
        oscsend(port, "/state", "")
        state = {m.address: m.params for m in collect(replies, "/state/latency_ms")}
        assert state["/state/model"] == ["default"] and state["/state/latent_dim"] == [8]
    finally:
        summary = server.stop()
        replies.close()
    assert summary["models_refused"] == 1 and summary["underruns"] == 0
    y, _ = sf.read(record, dtype="float32")
    assert np.sqrt(np.mean(y[-12000:, 0] ** 2)) > 1e-3  # still sounding at the end


def test_loader_reuses_an_unchanged_model_and_reloads_a_changed_one(tmp_path):
    import os
    import threading

    from synth_server.control.models import ModelLibrary, ModelLoader

    shutil.copytree(ROOT / "models" / "toy-4d", tmp_path / "toy")
    submitted: list = []
    replies: list = []
    done = threading.Event()

    def submit(checkpoint, requested_s):
        submitted.append(checkpoint)
        # the engine's acknowledgement; its /model/loaded reply sets ``done`` (setting it here
        # too raced the next request's clear on a busy machine)
        loader.on_event(Swapped(checkpoint.name, 4))

    def reply(host, address, args):
        replies.append((address, args))
        done.set()

    loader = ModelLoader(ModelLibrary(tmp_path), submit, reply)
    try:
        for _ in range(2):
            done.clear()
            loader.request("toy", 0.0, "127.0.0.1")
            assert done.wait(30)
        assert len(submitted) == 2 and submitted[0] is submitted[1]  # second: from the cache
        config = tmp_path / "toy" / "config.json"
        stat = config.stat()
        os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        done.clear()
        loader.request("toy", 0.0, "127.0.0.1")
        assert done.wait(30)
        assert len(submitted) == 3 and submitted[2] is not submitted[0]  # reloaded
        (tmp_path / "toy" / "manifolds.npz").write_bytes(b"PK\x03\x04 damaged")
        done.clear()
        loader.request("toy", 0.0, "127.0.0.1")
        assert done.wait(30)
        assert len(submitted) == 3 and replies[-1][0] == "/error"  # a damaged file is refused
    finally:
        loader.close()
