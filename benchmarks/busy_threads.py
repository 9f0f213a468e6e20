"""Underruns while Python threads in the same process are CPU-bound (the GIL trap).

Starts its own jackd (dummy driver, 48 kHz, --period frames), plays the default model through the
in-callback engine (a compiled C callback: no GIL) while N pure-Python busy threads run in the
same process and the pad moves every 50 ms through the Controller, then prints one JSON line.

    python benchmarks/busy_threads.py [--seconds 30] [--threads 2] [--period 256]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def busy(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for i in range(10000):
            x += i * i


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--period", type=int, default=256)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--switch-interval", type=float, default=None)
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)

    name = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["JACK_NO_START_SERVER"] = "1"
    jackd = subprocess.Popen(["jackd", "-n", name, "-d", "dummy", "-r", "48000",
                              "-p", str(args.period)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    try:
        from synth_server.artifacts.checkpoint import load_checkpoint
        from synth_server.app.wiring import Steering, build_controller
        from synth_server.core.contract import ControlState
        from synth_server.engine.realtime import CallbackEngine

        checkpoint = load_checkpoint(args.model)
        steering = Steering.of(checkpoint)
        audio = CallbackEngine(checkpoint, "default", "system", args.period)
        audio.start(ControlState())
        controller = build_controller(audio.status, ControlState(), lambda: steering,
                                      on_change=audio.publish)
        stop = threading.Event()
        workers = [threading.Thread(target=busy, args=(stop,), daemon=True)
                   for _ in range(args.threads)]
        for w in workers:
            w.start()
        started = time.perf_counter()
        frames0 = int(audio.state["frames"][0])
        step = 0
        while time.perf_counter() - started < args.seconds:
            step += 1
            controller.dispatch("/pad", [(step % 20) / 19.0, ((step * 7) % 20) / 19.0])
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        frames = int(audio.state["frames"][0]) - frames0
        stop.set()
        result = audio.stop()
        print(json.dumps({
            "benchmark": "busy_threads", "seconds": round(elapsed, 2), "busy_threads": args.threads,
            "period_frames": args.period, "underruns": result.underruns,
            "xruns_seen": result.details["xruns_seen"],
            "callback_ms_max": result.details["callback_ms_max"],
            "rendered_realtime_ratio": round(frames / 48000 / elapsed, 4),
        }))
    finally:
        jackd.terminate()
        jackd.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
