"""Notes on an hpn model: kernel CPU per voice, 16 voices live on the JACK clock, note-on latency.

    python benchmarks/voices.py [--seconds 60] [--period 256] [--notes-per-s 10]

1. offline (no device): the compiled kernel is called as PortAudio would, ``--period`` frames a
   call, with 0, 1, 4 and 16 notes held; the kernel's own thread-CPU time per callback
   (``clock_gettime(CLOCK_THREAD_CPUTIME_ID)``, measured inside the callback as live) over the
   period is ``kernel_percent_of_core`` (mean and max over the calls);
2. live: its own jackd (dummy driver, 48 kHz, ``--period`` frames, realtime), the in-callback
   engine (``CallbackEngine``, the server's) playing 16 held notes for ``--seconds`` while a
   thread plays short notes on top (``--notes-per-s``: each steals the oldest, the 17th note) and
   moves the pad at 20 msg/s. Reported: the engine's underruns (callbacks whose own CPU time
   exceeded their period), stream-clock gaps (xruns_seen), the kernel's mean/max cost per
   callback in % of the period, process CPU over wall time, and two latencies measured by the
   kernel on the stream clock as benchmarks/engine.py does: note-on -> the first sample of the
   note reaching the device (PortAudio's DAC time) and control (/pad) -> first changed sample.

The model is the shipped playable one (``--model``, default models/instruments: a 10-256-256-128
decoder); ``--hand-made`` uses tests/hpn_model.py's 10-256-512-128 decoder with random weights
instead (the cost does not depend on the weights' values, only on the layer sizes). Prints one
JSON line per phase.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import start_jackd  # noqa: E402  (one jackd starter for the benchmarks)


def model(path: str, hand_made: bool):
    from synth_server.artifacts.checkpoint import load_checkpoint

    if hand_made:
        from hpn_model import hand_made_hpn

        return hand_made_hpn(load_checkpoint(ROOT / "models" / "default"))
    return load_checkpoint(path)


def offline(checkpoint, period: int) -> dict:
    """Kernel CPU per callback with 0, 1, 4, 16 notes held, no device."""
    from synth_server.core.contract import ControlState
    from synth_server.engine import kernel
    from synth_server.engine.realtime import CallbackEngine

    result: dict = {"bench": "voices_kernel", "period": period}
    period_ns = period / 48000 * 1e9
    for n in (0, 1, 4, 16):
        engine = CallbackEngine(checkpoint, "hpn", None, period)
        engine.publish(ControlState(gain=0.5, version=1))
        engine.set_envelope(0.005, 0.2, 0.7, 0.3)
        for i in range(n):
            engine.note_on(40.0 + 2.0 * i, 100.0)
        out = np.zeros((period, 2), np.float32)
        table, address = np.uint64(engine.table.ctypes.data), np.uint64(out.ctypes.data)
        costs = []
        timespec = engine.arrays["timespec"]
        for call in range(2000):
            kernel.process(table, address, period, 0.0, 0.0)
            if call >= 200:  # past the attacks and the first calls
                costs.append(float(engine.state["max_cpu_ns"][0]))
                engine.state["max_cpu_ns"] = 0
        assert engine.voices_sounding == n, (engine.voices_sounding, n)
        del timespec
        costs_a = np.array(costs)
        result[f"kernel_percent_of_core_{n}_voices_mean"] = round(100 * costs_a.mean()
                                                                  / period_ns, 2)
        result[f"kernel_percent_of_core_{n}_voices_p99"] = round(
            100 * float(np.percentile(costs_a, 99)) / period_ns, 2)
    result["kernel_percent_per_voice"] = round(
        (result["kernel_percent_of_core_16_voices_mean"]
         - result["kernel_percent_of_core_0_voices_mean"]) / 16, 3)
    return result


def live(checkpoint, seconds: float, period: int, notes_per_s: float) -> dict:
    """16 held notes plus a stream of stealing notes on the JACK clock."""
    from synth_server.core.contract import ControlState
    from synth_server.engine.realtime import CallbackEngine

    engine = CallbackEngine(checkpoint, "hpn", "system", period)
    engine.set_envelope(0.005, 0.2, 0.7, 0.1)
    engine.start(ControlState(gain=0.3, version=1))
    stop = threading.Event()

    def player() -> None:
        rng = np.random.default_rng(0)
        version = 2
        next_note = next_pad = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_pad:
                version += 1
                engine.publish(ControlState(pad=tuple(rng.uniform(0, 1, 2)), gain=0.3,
                                            version=version, received_s=time.monotonic()))
                next_pad += 0.05
            if notes_per_s > 0 and now >= next_note:
                pitch = float(rng.integers(60, 84)) + 0.25
                engine.note_on(pitch, 90.0, time.monotonic())
                engine.note_off(pitch, time.monotonic())
                next_note += 1.0 / notes_per_s
            time.sleep(0.005)

    cpu0, wall0 = time.process_time(), time.monotonic()
    for i in range(16):
        engine.note_on(36.0 + 1.5 * i, 100.0, time.monotonic())
    time.sleep(0.5)
    sounding = engine.voices_sounding
    thread = threading.Thread(target=player, daemon=True)
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    cpu = time.process_time() - cpu0
    wall = time.monotonic() - wall0
    notes = engine.note_latency()
    control = engine.latency()
    steals = int(engine.state["steals"][0])
    cost = engine.callback_cost()
    result = engine.stop()
    period_ms = 1000.0 * period / 48000
    return {"bench": "voices_live", "period": period, "seconds": seconds,
            "voices_held": sounding, "notes_played": notes.count, "steals": steals,
            "underruns": result.underruns, "xruns_seen": result.details["xruns_seen"],
            "nan_frames": result.nan_frames,
            "callback_percent_of_period_mean": round(100 * cost["mean_ms"] / period_ms, 2),
            "callback_percent_of_period_max": round(100 * cost["max_ms"] / period_ms, 2),
            "callback_cpu_percent_of_period_max": round(100 * cost["max_cpu_ms"] / period_ms,
                                                        2),
            "process_cpu_percent": round(100 * cpu / wall, 2),
            "note_on_latency_ms_median": round(notes.median_ms, 3),
            "note_on_latency_ms_p99": round(notes.p99_ms, 3),
            "control_latency_ms_median": round(control.median_ms, 3),
            "control_latency_ms_p99": round(control.p99_ms, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--period", type=int, default=256)
    parser.add_argument("--notes-per-s", type=float, default=10.0)
    parser.add_argument("--model", default=str(ROOT / "models" / "instruments"))
    parser.add_argument("--hand-made", action="store_true",
                        help="tests/hpn_model.py's hand-made 10-256-512-128 decoder")
    args = parser.parse_args()
    checkpoint = model(args.model, args.hand_made)
    print(json.dumps(offline(checkpoint, args.period)), flush=True)
    if shutil.which("jackd") is None:
        print(json.dumps({"bench": "voices_live", "error": "jackd is not installed"}))
        return 1
    log = Path(f"/tmp/voices-bench-{os.getpid()}-jackd.log")
    jackd, name = start_jackd(args.period, str(log))
    os.environ["JACK_DEFAULT_SERVER"] = name
    try:
        print(json.dumps(live(checkpoint, args.seconds, args.period, args.notes_per_s)),
              flush=True)
    finally:
        jackd.terminate()
        try:
            jackd.wait(timeout=10)
        except subprocess.TimeoutExpired:
            jackd.kill()
        log.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
