"""The audio process: shared control/status arrays, and sound that busy server threads cannot starve."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from synth_server.artifacts.checkpoint import load_checkpoint
from synth_server.control.controller import Controller, ControlState, EngineStatus
from synth_server.engine.audio_process import (CONTROL_SIZE, STATUS_SIZE, AudioProcess,
                                               read_control, read_status, write_control,
                                               write_status)
from conftest import DEFAULT_MODEL


def test_control_array_round_trip_and_change_detection():
    array = [0.0] * CONTROL_SIZE
    first = ControlState(pad=(0.25, 0.75), gain=0.3)
    write_control(array, first)
    got = read_control(array, ControlState(version=-1))
    assert (got.pad, got.latent, got.gain) == ((0.25, 0.75), None, 0.3)
    assert read_control(array, got) is got  # nothing new: no rebuild
    write_control(array, ControlState(latent=(0.5, -1.0, 2.0), gain=0.9))
    again = read_control(array, got)
    assert again.latent == (0.5, -1.0, 2.0) and again.version > got.version
    array[0] += 1  # a writer in the middle of an update: the reader keeps the old state
    assert read_control(array, again) is again


def test_status_array_round_trip():
    array = [0.0] * STATUS_SIZE
    status = EngineStatus("m", 3, (0.1, 0.2, 0.3), (1.0, 2.0, 3.0), underruns=4, nan_frames=5)
    write_status(array, status, hops=99)
    got, hops = read_status(array, "m")
    assert got == status and hops == 99


def busy(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for i in range(10000):
            x += i * i


def test_busy_python_threads_in_the_server_do_not_starve_the_sound(jackd, monkeypatch):
    """Two CPU-bound threads in this (the server) process; the audio process keeps up."""
    for key, value in jackd.items():
        monkeypatch.setenv(key, value)
    audio = AudioProcess(load_checkpoint(DEFAULT_MODEL), "default", "system", 256, 20.0, None)
    audio.start(ControlState())
    controller = Controller(audio.status, on_change=audio.publish)
    stop = threading.Event()
    workers = [threading.Thread(target=busy, args=(stop,), daemon=True) for _ in range(2)]
    try:
        for w in workers:
            w.start()
        hops0 = read_status(audio.status_array, "default")[1]
        started = time.perf_counter()
        for step in range(80):
            controller.dispatch("/pad", [step % 2, 0.5])
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        hops = read_status(audio.status_array, "default")[1] - hops0
        moved = np.asarray(audio.status().latent)
    finally:
        stop.set()
        result = audio.stop()
    assert result.underruns == 0
    assert hops * 256 / 48000 / elapsed > 0.9  # rendering kept pace with the clock
    assert np.isfinite(moved).all()


def test_status_read_during_a_stuck_write_returns_none_not_an_exception():
    array = [0.0] * STATUS_SIZE
    write_status(array, EngineStatus("m", 1, (0.0,), (0.0,)), hops=1)
    array[0] += 1  # writer died mid-update
    assert read_status(array, "m") is None
