"""Shared fixtures: audio made in the test, a tiny model trained on it, JACK dummy servers."""
from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import soundfile as sf

from synth_server.core.config import StftConfig, TrainConfig
from synth_server.artifacts.checkpoint import load_checkpoint
from synth_server.train.loop import train_model

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "default"
SAMPLE_RATE = 48000


def harmonic_tone(f0_hz: float, slope: float, duration_s: float = 0.5,
                  sample_rate: int = SAMPLE_RATE, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Band-limited harmonic tone, partial k at amplitude 1/k**slope, peak 0.5: [n] float32."""
    t = np.arange(int(duration_s * sample_rate)) / sample_rate
    y = np.zeros_like(t)
    for k in range(1, int(0.45 * sample_rate / f0_hz)):
        y += np.sin(2 * np.pi * f0_hz * k * t) / k ** slope
    y += noise * np.random.default_rng(seed).standard_normal(len(t)) * np.abs(y).max()
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine WAV files: f0 110/220/440 Hz × spectral slope 0.5/1.5/3."""
    folder = tmp_path_factory.mktemp("tiny_dataset")
    i = 0
    for f0 in (110.0, 220.0, 440.0):
        for slope in (0.5, 1.5, 3.0):
            sf.write(folder / f"tone_{i:02d}.wav", harmonic_tone(f0, slope), SAMPLE_RATE)
            i += 1
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small VAE (latent_dim 4) trained for a few seconds on ``tiny_dataset``."""
    out = tmp_path_factory.mktemp("models") / "tiny"
    train_model(tiny_dataset, out, stft=StftConfig(), vae_hidden=(64, 32), latent_dim=4,
                train=TrainConfig(epochs=15, warmup_epochs=5, batch_size=64), progress=False,
                command="pytest fixture")
    return out


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_model_dir: Path):
    return load_checkpoint(tiny_model_dir)


@pytest.fixture(scope="session")
def default_checkpoint():
    """The shipped default model (real trained weights)."""
    return load_checkpoint(DEFAULT_MODEL)


def shipped_models(tmp_path: Path, names: tuple[str, ...] = ("default", "toy-4d")) -> Path:
    """A private models folder (``tmp_path/models``) holding copies of shipped models, for tests
    that add broken ones beside them or load by name."""
    folder = tmp_path / "models"
    folder.mkdir()
    for name in names:
        shutil.copytree(DEFAULT_MODEL.parent / name, folder / name)
    return folder


def free_udp_port() -> int:
    """A UDP port nobody listens on right now, below Linux's ephemeral range (32768-60999).

    A port the kernel hands out for ``bind(0)`` can be handed out again to another socket (a
    reply socket, JACK, another test) before the server binds it: CI saw "Address already in
    use". Ports below the ephemeral range are never handed out that way.
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free UDP port in 20000-32000")


def start_null_server(record: Path, port: int, reply_port: int, *extra: str
                      ) -> subprocess.Popen:
    """`synth-server serve` on the internal clock (no device), recording to ``record``."""
    return subprocess.Popen(
        [sys.executable, "-m", "synth_server.app.cli", "serve", "--model", str(DEFAULT_MODEL),
         "--device", "null", "--record", str(record), "--port", str(port),
         "--reply-port", str(reply_port), *extra], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Stop a process we started, by its own PID."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def sigkill_when(proc: subprocess.Popen, ready: Callable[[], list[Path]],
                 timeout: float = 240.0) -> list[Path]:
    """Poll ``ready()`` until it finds something, then SIGKILL ``proc`` (by its own PID: no
    handler runs, as with ``kill -9`` or a power cut) and reap it; the process is killed in any
    case. Returns what ``ready()`` found; fails when ``proc`` ended first or nothing appeared."""
    found: list[Path] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None and not found:
            found = ready()
            time.sleep(0.01)
        assert proc.poll() is None and found, proc.communicate()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return found


@pytest.fixture
def jackd(tmp_path: Path):
    """A JACK server on the dummy driver (48 kHz, 256-frame period) under a unique name.

    Yields the environment (with JACK_DEFAULT_SERVER) that clients must use.
    """
    if shutil.which("jackd") is None:
        pytest.fail("jackd is not installed (make test installs Debian's jackd2)")
    name = f"synthtest-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    log = open(tmp_path / "jackd.log", "wb")
    proc = subprocess.Popen(
        ["jackd", "-n", name, "-d", "dummy", "-r", "48000", "-p", "256"],  # realtime, as musicians run it
        stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 10
    ready = False
    while time.monotonic() < deadline and proc.poll() is None:
        probe = subprocess.run(["jack_lsp"], env=env, capture_output=True, timeout=5) \
            if shutil.which("jack_lsp") else None
        if probe is not None and probe.returncode == 0 and b"system" in probe.stdout:
            ready = True
            break
        if probe is None:
            time.sleep(1.5)
            ready = True
            break
        time.sleep(0.2)
    if not ready:
        stop_process(proc)
        log.close()
        pytest.fail(f"jackd did not start: {(tmp_path / 'jackd.log').read_text()[-500:]}")
    yield env
    stop_process(proc)
    log.close()


# Test tiers (make test runs both; make test-unit runs the unit tier alone, under a minute):
# "system" tests start processes (jackd, the server, Pd, fluidsynth, pyo), train a model, or
# render through real components; everything else is "unit".
SYSTEM_MODULES = {
    "test_engine_kernel", "test_cli_tools", "test_datasets_folder", "test_datasets_soundfont",
    "test_end_to_end", "test_evaluate", "test_fuzz", "test_hotswap", "test_latency_jack",
    "test_pd_patch", "test_render", "test_soak", "test_toy_dataset", "test_training_engine",
    "test_descriptors", "test_descriptor_control", "test_manifolds", "test_presets",
    "test_presets_safety", "test_datasets_safety", "test_render_input", "test_train_out",
}
SYSTEM_FIXTURES = {"tiny_model_dir", "tiny_checkpoint", "jackd"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test ``system`` or ``unit`` (see SYSTEM_MODULES)."""
    for item in items:
        if item.get_closest_marker("system") or item.get_closest_marker("unit"):
            continue
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        fixtures = set(getattr(item, "fixturenames", ()))
        system = module in SYSTEM_MODULES or bool(fixtures & SYSTEM_FIXTURES)
        item.add_marker(pytest.mark.system if system else pytest.mark.unit)
