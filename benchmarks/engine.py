"""The live engine under stress: underruns, control latency, hot-swaps, CPU and memory.

    python benchmarks/engine.py [--seconds 600] [--period 256] [--rate 500] [--busy 2]
                                [--swap-every 10] [--quiet-seconds 20]

Starts its own jackd (dummy driver, 48 kHz, ``--period`` frames), then runs the real server
(``synth_server.app.server.Server``: in-callback engine + OSC + model loader) *inside this
process*, and:

1. quiet phase (``--quiet-seconds``): the pad moves at 20 msg/s, nothing else runs; CPU time of
   the server process over wall time (cpu_percent, of one core) and its resident memory
   (rss_mb) are read from /proc;
2. soak phase (``--seconds``): ``--busy`` CPU-bound Python threads run in this (the server)
   process, another process sends /pad at ``--rate`` msg/s over UDP, and /model/load alternates
   between models/default (latent_dim 8) and models/toy-4d (latent_dim 4) every
   ``--swap-every`` seconds. The output is recorded; around every swap the longest run of
   silence (1 ms RMS below -80 dBFS) is hotswap_gap_samples.

Control latency is what the engine measured on the stream clock (OSC arrival → the first sample
rendered from the new state reaching the device: PortAudio's DAC time). underruns are callbacks
the kernel took longer than their period to fill (its own misses, from the CPU's cycle
counter); xruns_seen are jumps of the stream clock (a deadline missed by any JACK client).
Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from busy_threads import busy  # noqa: E402 - the same CPU-bound pure-Python loop

ROOT = Path(__file__).resolve().parents[1]
SECOND_MODEL = "toy-4d"

SENDER = r"""
import socket, sys, time, random
from pythonosc.osc_message_builder import OscMessageBuilder
port, rate, seconds, swap_every, models = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5].split(",")
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def send(address, *args):
    b = OscMessageBuilder(address)
    for a in args:
        b.add_arg(a)
    sock.sendto(b.build().dgram, ("127.0.0.1", port))
rng = random.Random(0)
start = time.monotonic()
n = 0
swaps = 0
while True:
    now = time.monotonic() - start
    if now >= seconds:
        break
    if swap_every > 0 and now >= (swaps + 1) * swap_every:
        swaps += 1
        send("/model/load", models[swaps % len(models)])
    send("/pad", rng.random(), rng.random())
    n += 1
    delay = start + n / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print(n, swaps, flush=True)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


HOG = "while True:\n    pass\n"


def missed_deadlines(log_text: str) -> dict[str, int]:
    """Deadlines each JACK client missed, from jackd's own log ("JackEngine::XRun: client = NAME
    was not finished"): the outside count, whatever the client reports about itself."""
    counts: dict[str, int] = {}
    for match in re.finditer(r"client = (\S+) was not finished", log_text):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


def start_jackd(period: int, log: str) -> tuple[subprocess.Popen, str]:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    out = open(log, "w")
    proc = subprocess.Popen(["jackd", "-n", name, "-d", "dummy", "-r", "48000",
                             "-p", str(period)], stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["jack_lsp"], env=env, capture_output=True, timeout=5)
        if probe.returncode == 0 and b"system" in probe.stdout:
            return proc, name
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("jackd did not start")


SILENCE_RMS = 1e-4  # -80 dBFS over 1 ms: no sounding note gets there; a zero crossing does not


def longest_silence(path: str, start: int, stop: int, window: int = 48) -> int:
    """Longest run of samples in [start, stop) of a WAV whose 1 ms RMS (first channel, centred
    window of ``window`` samples) is below -80 dBFS: a silent gap, not a zero crossing."""
    import soundfile as sf

    with sf.SoundFile(path) as f:
        start = max(0, start)
        f.seek(min(start, f.frames))
        y = f.read(max(0, min(stop, f.frames) - start), dtype="float32", always_2d=True)
    if len(y) == 0:
        return -1
    power = np.convolve(y[:, 0].astype(np.float64) ** 2, np.ones(window) / window, mode="same")
    silent = (power < SILENCE_RMS ** 2).astype(np.int8)
    if not silent.any():
        return 0
    edges = np.diff(np.concatenate([[0], silent, [0]]))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--quiet-seconds", type=float, default=20.0)
    parser.add_argument("--period", type=int, default=256)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--busy", type=int, default=2)
    parser.add_argument("--swap-every", type=float, default=10.0)
    parser.add_argument("--models-dir", default=str(ROOT / "models"))
    parser.add_argument("--jackd-log", default=None, help="keep jackd's output here")
    parser.add_argument("--hogs", type=int, default=2,
                        help="CPU-hog processes running beside the server during the soak")
    args = parser.parse_args()
    if shutil.which("jackd") is None:
        print(json.dumps({"bench": "engine", "error": "jackd is not installed"}))
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    jackd_log = args.jackd_log or str(workdir / "jackd.log")
    jackd, name = start_jackd(args.period, jackd_log)
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["JACK_NO_START_SERVER"] = "1"
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.app.server import Server
    from synth_server.core.contract import Swapped

    models_dir = Path(args.models_dir)
    default = load_checkpoint(models_dir / "default")
    second = load_checkpoint(models_dir / SECOND_MODEL)
    record = str(workdir / "soak.wav")
    port, reply_port = free_port(), free_port()
    stop_busy = threading.Event()
    hogs: list[subprocess.Popen] = []
    soak_misses: dict[str, int] = {}
    jack_rec = None
    server = Server(models_dir / "default", "default", "system", args.period, record,
                    "127.0.0.1", port, reply_port, models_dir)
    result: dict = {"bench": "engine", "period": args.period, "seconds": args.seconds,
                    "osc_rate": args.rate, "busy_threads": args.busy, "hog_processes": args.hogs,
                    "swap_every_s": args.swap_every,
                    "latent_dims": [default.vae.latent_dim, second.vae.latent_dim]}
    sender = None
    try:
        server.start()
        pids = [os.getpid()]
        # 1. quiet phase: CPU and memory while playing
        quiet = subprocess.Popen([sys.executable, "-c", SENDER, str(port), "20",
                                  str(args.quiet_seconds), "0", "default"],
                                 stdout=subprocess.PIPE, text=True)
        cpu0, t0 = sum(proc_cpu_seconds(p) for p in pids), time.monotonic()
        quiet.wait(timeout=args.quiet_seconds + 30)
        cpu1, t1 = sum(proc_cpu_seconds(p) for p in pids), time.monotonic()
        result["cpu_percent"] = round(100.0 * (cpu1 - cpu0) / (t1 - t0), 1)
        result["rss_mb"] = round(sum(proc_rss_mb(p) for p in pids), 1)
        quiet_latency = server.audio.latency()
        result["quiet_latency_ms_median"] = round(quiet_latency.median_ms, 2)
        result["quiet_latency_ms_p99"] = round(quiet_latency.p99_ms, 2)
        # 2. soak: busy threads here, an OSC flood and hot-swaps from another process
        workers = [threading.Thread(target=busy, args=(stop_busy,), daemon=True)
                   for _ in range(args.busy)]
        for w in workers:
            w.start()
        hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(args.hogs)]
        # a plain C client in the same graph and run: the machine's own floor of missed deadlines
        jack_rec = subprocess.Popen(
            ["jack_rec", "-f", str(workdir / "jack_rec.wav"), "-d", str(int(args.seconds) + 30),
             "-b", "16", "system:capture_1"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL) if shutil.which("jack_rec") else None
        log_before = Path(jackd_log).read_text(errors="replace")
        sender = subprocess.Popen([sys.executable, "-c", SENDER, str(port), str(args.rate),
                                   str(args.seconds), str(args.swap_every),
                                   f"default,{SECOND_MODEL}"],
                                  stdout=subprocess.PIPE, text=True)
        out, _ = sender.communicate(timeout=args.seconds + 60)
        sent, swaps_sent = (int(v) for v in out.split())
        time.sleep(0.5)
        soak_misses = missed_deadlines(Path(jackd_log).read_text(errors="replace")[
            len(log_before):])
    finally:
        stop_busy.set()
        for proc in hogs + ([jack_rec] if jack_rec is not None else []):
            proc.kill()
            proc.wait(timeout=10)
        if sender is not None and sender.poll() is None:
            sender.kill()
        summary = server.stop()
        jackd.terminate()
        try:
            jackd.wait(timeout=10)
        except subprocess.TimeoutExpired:
            jackd.kill()
    swaps = [e for e in server.events if isinstance(e, Swapped)]
    gaps = [longest_silence(record, e.first_sample - 4800, e.last_sample + 4800)
            for e in swaps]
    hotswap = [e.hotswap_ms for e in swaps]
    result.update({
        "underruns": summary["underruns"],
        "nan_frames": summary["nan_frames"],
        "latency_ms_median": round(summary.get("latency_ms_median") or float("nan"), 2),
        "latency_ms_p99": round(summary.get("latency_ms_p99") or float("nan"), 2),
        "latency_count": summary.get("latency_count"),
        "timbre_half_way_ms_median": round(summary.get("timbre_half_way_ms_median")
                                           or float("nan"), 2),
        "osc_sent": sent, "osc_received": summary["osc_received"],
        "osc_rejected": summary["osc_rejected"],
        "swaps_requested": swaps_sent, "swaps_done": len(swaps),
        "models_refused": summary["models_refused"],
        "hotswap_ms": round(max(hotswap), 1) if hotswap else None,
        "hotswap_ms_median": round(float(np.median(hotswap)), 1) if hotswap else None,
        "hotswap_gap_samples": max(gaps) if gaps else None,
        "crossfade_ms": swaps[0].crossfade_ms if swaps else None,
        "xruns_seen": summary.get("xruns_seen"),
        # missed deadlines during the soak, as jackd logged them, per client: ours (PortAudio)
        # against jack_rec, a plain C client in the same graph
        "missed_deadlines_server": sum(v for k, v in soak_misses.items()
                                       if k.startswith("PortAudio")),
        "missed_deadlines_jack_rec": sum(v for k, v in soak_misses.items()
                                         if k.startswith("jack")),
        "missed_deadlines_by_client": soak_misses,
        "callback_ms_mean": summary.get("callback_ms_mean"),
        "callback_ms_max": summary.get("callback_ms_max"),
        "callback_cpu_ms_max": summary.get("callback_cpu_ms_max"),
        "callback_cpu_max_at_s": summary.get("callback_cpu_max_at_s"),
        **{k: summary.get(k) for k in ("callback_cpu_max_user_ms", "callback_cpu_max_system_ms",
                                       "callback_cpu_max_page_faults",
                                       "callback_cpu_max_preempted")},
        # the hand-overs' crossfades, s of audio from the start (a slow callback during one?)
        "swap_at_s": [round(e.first_sample / server.audio.sample_rate, 3) for e in swaps],
        "torn_reads": summary.get("torn_reads"),
    })
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
