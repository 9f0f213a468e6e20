"""A MIDI flood against ``serve --midi``: does it cost the sound, memory or the OSC clients?

Starts its own jackd (dummy driver, realtime, 48 kHz, 256 frames) and ``synth-server serve
--device system --midi``, then a separate JACK MIDI client (tests/jack_midi_sender.py) that sends
CC 1 sweeps and note on/off pairs as fast as python-rtmidi can for --seconds. Meanwhile an OSC
client sends /gain at 100 messages a second and counts the /state replies it gets back at the end.
Prints one JSON line: messages sent, MIDI events the server read, messages delivered, coalesced and
dropped by the sender budget, the server's missed deadlines (xruns_seen) and overruns, its CPU
(share of one core during the flood), its resident memory before and after, and how many
"queue limit reached" lines rtmidi printed (one per event it dropped because the server's MIDI
thread had not read its queue yet).

    python benchmarks/midi_flood.py [--seconds 10]

Every process it starts is stopped by its PID in ``finally`` blocks.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK_S = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _osc(address: str, *args: float) -> bytes:
    from pythonosc.osc_message_builder import OscMessageBuilder

    builder = OscMessageBuilder(address)
    for value in args:
        builder.add_arg(value)
    return builder.build().dgram


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    name = f"midiflood-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1",
               PYTHONPATH=str(ROOT))
    jackd = subprocess.Popen(["jackd", "-n", name, "-d", "dummy", "-r", "48000", "-p", "256"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    server = None
    errors = tempfile.TemporaryFile(mode="w+")  # rtmidi prints a line per event it drops
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    try:
        time.sleep(2)
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        server = subprocess.Popen(
            [sys.executable, "-m", "synth_server.app.cli", "serve", "--device", "system",
             "--midi", "--port", str(port), "--reply-port", str(sock.getsockname()[1])],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sock.sendto(_osc("/ping"), ("127.0.0.1", port))
            try:
                sock.recv(65536)
                break
            except socket.timeout:
                continue
        time.sleep(1.0)
        rss_before = _rss_mb(server.pid)
        sender = subprocess.Popen([sys.executable, str(ROOT / "tests" / "jack_midi_sender.py"),
                                   "flood", f"flood:{args.seconds}"], env=env,
                                  stdout=subprocess.PIPE, text=True)
        while sender.stdout and sender.stdout.readline().strip() != "connected":
            if sender.poll() is not None:
                raise RuntimeError("the MIDI sender ended before it was connected")
        cpu0, wall0 = _cpu_s(server.pid), time.monotonic()
        gains = 0
        while sender.poll() is None:
            sock.sendto(_osc("/gain", 0.5), ("127.0.0.1", port))
            gains += 1
            time.sleep(0.01)
        cpu = (_cpu_s(server.pid) - cpu0) / (time.monotonic() - wall0)
        out = sender.stdout.read() if sender.stdout else ""
        sent = int(next((line.split()[1] for line in out.splitlines()
                         if line.startswith("sent")), "0"))
        time.sleep(0.5)
        rss_after = _rss_mb(server.pid)
        while True:  # drain replies
            try:
                sock.recv(65536)
            except socket.timeout:
                break
        sock.sendto(_osc("/state"), ("127.0.0.1", port))
        replies = 0
        while True:
            try:
                sock.recv(65536)
                replies += 1
            except socket.timeout:
                break
        _stop(server)
        text = server.stdout.read() if server.stdout else ""
        summary = json.loads([line for line in text.splitlines() if line.startswith("{")][-1])
    finally:
        if server is not None:
            _stop(server)
        _stop(jackd)
        sock.close()
    errors.seek(0)
    dropped_lines = sum("queue limit reached" in line for line in errors)
    errors.close()
    print(json.dumps({
        "benchmark": "midi_flood", "seconds": args.seconds, "midi_sent": sent,
        "midi_events_read": summary["midi_events"], "messages_delivered": summary["midi_messages"],
        "coalesced": summary["midi_coalesced"], "rate_limited": summary["osc_rate_limited"],
        "xruns_seen": summary.get("xruns_seen"), "underruns": summary["underruns"],
        "server_cpu_share": round(cpu, 3), "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1), "osc_gain_sent": gains,
        "state_replies_after": replies, "rtmidi_queue_full_lines": dropped_lines}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
