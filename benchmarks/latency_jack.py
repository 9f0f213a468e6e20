"""Control latency seen from outside the server: OSC packet sent → first output sample showing it.

Starts its own jackd (dummy driver, 48 kHz, --period frames) and ``synth-server serve --device
system`` on its own UDP ports, waits for /pong, then opens a separate JACK client (the ``jack``
module, PyPI package JACK-Client) whose two input ports are connected to the server's output ports
(found as what feeds system:playback_1/2: PortAudio's JACK client, "PortAudio:out_0/1"). Its
process callback copies every block, with the JACK frame time of the start of its cycle
(``last_frame_time``) and the wall time, into preallocated numpy rings; it prints nothing and
allocates no buffers (Python still makes small objects).

One trial: send ``/gain 0`` and wait until the recording has stayed at or below --floor for
--quiet-s seconds (the server's gain smoothing decays geometrically: exact zeros only come once
float32 underflows, seconds later; --floor 0 --threshold 0 waits for them); sleep a random part of
a period, then note the send instant and send ``/gain 1`` from a plain UDP socket; the first
recorded frame with |sample| > --threshold on either channel is the answer:

    to_port  = frame time of that sample - frame time of the send   (leaves the server's port)
    latency  = to_port + playback latency of system:playback_1      (reaches the device)

The recording client runs in the same cycle as the server (JACK orders the graph), so ``to_port``
is when the sample leaves the server's port; the playback port's latency (as the driver reports
it: 2 periods for the dummy driver) is the time from there to the device. How the send instant
becomes a frame time (the recorded cycles' wall-clock envelope, or ``client.frame_time``) is
explained in :func:`run_trials`.

Prints one JSON line (exit status 0 when every trial was detected):

    python benchmarks/latency_jack.py [--period 256] [--trials 100]
                                      [--server-arg=--some-flag --server-arg=value ...]
                                      [--server-root DIR]

Every process it starts (jackd, the server and its audio process) is stopped by its PID (the
server's own process group) in ``finally`` blocks.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 48000
CLIENT_NAME = "latency_probe"


class BenchError(RuntimeError):
    """The measurement could not be made; ``str()`` says why in one line."""


# -- OSC (hand-built: two fixed messages, no dependency needed) ------------------------------

def _osc_string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return raw + b"\0" * (-len(raw) % 4)


def osc_message(address: str, *floats: float) -> bytes:
    """An OSC datagram with float32 arguments."""
    tags = "," + "f" * len(floats)
    return _osc_string(address) + _osc_string(tags) + np.array(floats, dtype=">f4").tobytes()


def osc_address(datagram: bytes) -> str:
    return datagram.split(b"\0", 1)[0].decode("ascii", "replace")


# -- processes ----------------------------------------------------------------------------

def stop_process(proc: Optional[subprocess.Popen], sig: int = signal.SIGTERM,
                 timeout: float = 10.0) -> None:
    """Stop a process we started, by its own PID."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def open_client(jack: Any, server_name: str, timeout_s: float, proc: subprocess.Popen) -> Any:
    """A JACK client on ``server_name``, retrying while jackd starts."""
    deadline = time.monotonic() + timeout_s
    jack.set_error_function(lambda _message: None)  # "cannot connect" while jackd starts
    try:
        while True:
            if proc.poll() is not None:
                raise BenchError(f"jackd exited with code {proc.returncode} (see its log)")
            try:
                client = jack.Client(CLIENT_NAME, no_start_server=True, servername=server_name)
            except jack.JackOpenError:
                if time.monotonic() > deadline:
                    raise BenchError("jackd did not start") from None
                time.sleep(0.1)
                continue
            if client.get_ports("system:playback"):
                return client
            client.close()
            time.sleep(0.1)
    finally:
        jack.set_error_function(None)


def wait_for_pong(port: int, replies: socket.socket, proc: subprocess.Popen, log: Path,
                  timeout_s: float) -> None:
    ping = osc_message("/ping")
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                raise BenchError(f"server exited with code {proc.returncode}: {' | '.join(tail)}")
            sender.sendto(ping, ("127.0.0.1", port))
            try:
                if osc_address(replies.recv(4096)) == "/pong":
                    return
            except socket.timeout:
                continue
    finally:
        sender.close()
    raise BenchError(f"server never answered /ping within {timeout_s:.0f} s")


def server_output_ports(client: Any, own: set[str]) -> list[str]:
    """The server's output ports: what feeds system:playback_1/2 (the PortAudio JACK client
    auto-connects there), else every audio output port that is neither system's nor ours."""
    found = []
    for playback in client.get_ports("system:playback", is_input=True, is_audio=True)[:2]:
        for port in client.get_all_connections(playback):
            if port.name not in own and port.name not in found:
                found.append(port.name)
                break
    if found:
        return found
    return sorted(p.name for p in client.get_ports(is_output=True, is_audio=True)
                  if not p.name.startswith("system:") and p.name not in own)[:2]


def playback_latency_frames(jack: Any, port: Any) -> int:
    """Maximum playback latency of ``port`` (frames), as ``jack_lsp -l`` shows it.

    JACK-Client 0.5 does not wrap jack_port_get_latency_range, so it is called through ctypes on
    the libjack the ``jack`` module has already loaded.
    """
    import ctypes
    import ctypes.util

    class Range(ctypes.Structure):
        _fields_ = [("min", ctypes.c_uint32), ("max", ctypes.c_uint32)]

    lib = ctypes.CDLL(ctypes.util.find_library("jack") or "libjack.so.0")
    fn = lib.jack_port_get_latency_range
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(Range)]
    fn.restype = None
    found = Range()
    playback_mode = 1  # JackPlaybackLatency (JackCaptureLatency is 0)
    fn(int(jack._ffi.cast("uintptr_t", port._ptr)), playback_mode, ctypes.byref(found))
    return int(found.max)


# -- recording ----------------------------------------------------------------------------

class Recorder:
    """Copies each block of the two input ports and its cycle-start frame time into a ring.

    Written only by the JACK process callback: data and time first, then ``count`` (blocks
    written so far), so a reader that reads ``count`` first sees complete blocks.
    """

    def __init__(self, client: Any, seconds: float):
        self.client = client
        self.blocksize = client.blocksize
        self.nblocks = int(math.ceil(seconds * client.samplerate / self.blocksize))
        self.data = np.zeros((self.nblocks, self.blocksize, 2), dtype=np.float32)
        self.times = np.zeros(self.nblocks, dtype=np.int64)
        self.wall = np.zeros(self.nblocks, dtype=np.int64)  # time.monotonic_ns() in the callback
        self.count = 0
        self.bad_blocks = 0
        self.xruns = 0
        self.shutdown = False
        self.inports = [client.inports.register(f"in_{i + 1}") for i in range(2)]
        client.set_process_callback(self._process)
        client.set_xrun_callback(self._xrun)
        client.set_shutdown_callback(self._shutdown)

    def _process(self, frames: int) -> None:
        if frames != self.blocksize:
            self.bad_blocks += 1
            return
        i = self.count % self.nblocks
        self.data[i, :, 0] = self.inports[0].get_array()
        self.data[i, :, 1] = self.inports[1].get_array()
        self.times[i] = self.client.last_frame_time
        self.wall[i] = time.monotonic_ns()
        self.count += 1

    def _xrun(self, _delay_usecs: float) -> None:
        self.xruns += 1

    def _shutdown(self, _status: Any, _reason: str) -> None:
        self.shutdown = True

    def _index(self, start: int, stop: int) -> np.ndarray:
        if stop - start > self.nblocks - 8 or self.count - start > self.nblocks - 8:
            raise BenchError("the recording ring overflowed")
        return np.arange(start, stop) % self.nblocks

    def blocks(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Blocks ``start`` ≤ k < ``stop`` (counted from the first): ([n, blocksize, 2], [n])."""
        idx = self._index(start, stop)
        return self.data[idx], self.times[idx]

    def clock(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """(cycle-start frame times, callback wall times in ns) of blocks start ≤ k < stop."""
        idx = self._index(start, stop)
        return self.times[idx], self.wall[idx]


def frames_between(later: int, earlier: int) -> int:
    """later - earlier for 32-bit JACK frame times (they wrap)."""
    return (int(later) - int(earlier) + 2 ** 31) % 2 ** 32 - 2 ** 31


# -- one trial ----------------------------------------------------------------------------

def wait_quiet(rec: Recorder, after: int, floor: float, quiet_blocks: int,
               timeout_s: float) -> float:
    """Wait until the last ``quiet_blocks`` blocks (all recorded after block ``after``) are
    ≤ ``floor``; return the seconds it took. Each poll reads only the new blocks, so this
    thread holds the GIL (which the JACK callback needs) for microseconds at a time."""
    started = time.monotonic()
    quiet_since = scanned = after  # first block of the current run of quiet blocks
    while time.monotonic() - started < timeout_s:
        if rec.shutdown:
            raise BenchError("jackd shut the probe client down")
        count = rec.count
        if count > scanned:
            data, _ = rec.blocks(scanned, count)
            loud = np.flatnonzero(np.abs(data).max(axis=(1, 2)) > floor)
            if len(loud):
                quiet_since = scanned + int(loud[-1]) + 1
            scanned = count
            if count - quiet_since >= quiet_blocks:
                return time.monotonic() - started
        time.sleep(0.02)
    raise BenchError(f"the output never stayed at |x| <= {floor:g} for {quiet_blocks} blocks "
                     f"within {timeout_s:.0f} s of /gain 0")


def find_onset(rec: Recorder, start: int, threshold: float,
               timeout_s: float) -> Optional[tuple[int, int]]:
    """(block number, frame time) of the first sample with |x| > threshold in blocks from
    ``start`` on, or None if none came within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    scanned = start
    while time.monotonic() < deadline:
        count = rec.count
        if count > scanned:
            data, times = rec.blocks(scanned, count)
            loud = np.abs(data).max(axis=2) > threshold  # [blocks, frames]
            if loud.any():
                block, frame = np.unravel_index(int(np.argmax(loud)), loud.shape)
                return scanned + int(block), int(times[block]) + int(frame)
            scanned = count
        time.sleep(0.005)
    return None


class OscSender:
    """Sends /gain over OSC (a plain UDP socket) and notes the send instant."""

    def __init__(self, port: int, client: Any):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._target = ("127.0.0.1", port)
        self._client = client

    def send_gain(self, gain: float) -> tuple[int, int, int]:
        """Send /gain; (wall ns just before, JACK frame time just before, wall ns after)."""
        data = osc_message("/gain", gain)
        wall_sent = time.monotonic_ns()
        jack_sent = self._client.frame_time
        self._sock.sendto(data, self._target)
        return wall_sent, jack_sent, time.monotonic_ns()

    def close(self) -> None:
        self._sock.close()


class WebSender:
    """Sends /gain through the server's controller page WebSocket (JSON, aiohttp's client in
    its own event loop thread); the send instant is noted inside that loop, just before the
    frame is written, so the thread hop is not counted as the server's."""

    def __init__(self, web_port: int, client: Any):
        import asyncio
        import threading

        import aiohttp

        self._client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

        async def connect() -> Any:
            self._session = aiohttp.ClientSession()
            return await self._session.ws_connect(f"http://127.0.0.1:{web_port}/ws")

        self._ws = asyncio.run_coroutine_threadsafe(connect(), self._loop).result(30)

    def send_gain(self, gain: float) -> tuple[int, int, int]:
        import asyncio

        text = json.dumps({"address": "/gain", "args": [gain]})

        async def send() -> tuple[int, int, int]:
            wall_sent = time.monotonic_ns()
            jack_sent = self._client.frame_time
            await self._ws.send_str(text)
            return wall_sent, jack_sent, time.monotonic_ns()

        return asyncio.run_coroutine_threadsafe(send(), self._loop).result(10)

    def close(self) -> None:
        import asyncio

        async def close() -> None:
            await self._ws.close()
            await self._session.close()

        try:  # best effort: the loop is a daemon thread, the process ends soon after
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(2)
        except Exception:  # noqa: BLE001 - the measurement is done; do not lose it
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)


def run_trials(client: Any, rec: Recorder, port: int, trials: int, threshold: float,
               floor: float, quiet_s: float, seed: int, use_frame_time: bool,
               debug: bool = False, sender: Any = None) -> dict:
    """Measure until ``trials`` trials are done (detected, missed or early).

    The frame time of the send instant is estimated two ways:

    - ``client.frame_time``: JACK's own interpolation (a delay-locked loop over the driver's
      wake-ups);
    - the lower envelope of the recording: on the dummy driver cycle k starts at
      anchor + k·period in wall time, and no callback can run before its cycle starts, so
      min(callback wall time − cycle frame time / rate) over the quiet window before the send
      is the wall time of the frame grid (biased late by the smallest wake-up delay, typically
      well under 0.1 ms); the send's ``time.monotonic_ns()`` is then mapped onto it.

    On an idle machine both agree within ~2 frames. On this 2-core machine under heavy load,
    JACK's interpolation was seen to disagree with the recorded cycles by up to ~2300 frames
    (~50 ms; it put sends before the start of a cycle whose callback had already run) while no
    xrun was reported, so the envelope is the default (``use_frame_time`` picks JACK's) and the
    difference is reported. A trial during which JACK reported an xrun (the dummy driver then
    re-anchors its schedule) or a cycle is missing from the recording is discarded and repeated.
    """
    sender = sender or OscSender(port, client)
    rng = random.Random(seed)
    period = rec.blocksize
    rate = client.samplerate
    quiet_blocks = max(1, int(math.ceil(quiet_s * rate / period)))
    latencies, phases, send_calls, quiet_waits, jack_minus_envelope = [], [], [], [], []
    missed = early = discarded_xrun = 0
    attempts = 0
    try:
        while len(latencies) + missed + early < trials and attempts < 3 * trials + 20:
            attempts += 1
            xruns = rec.xruns
            # the server's own figure counts every change, this /gain 0 too: send it at a random
            # phase as well, or its median is not comparable with the /gain 1 onsets timed here
            # (this loop wakes just after a cycle: unrandomized, /gain 0 waited a whole period)
            time.sleep(rng.uniform(0, period) / rate)
            sender.send_gain(0.0)
            after = rec.count
            quiet_waits.append(wait_quiet(rec, after, floor, quiet_blocks, timeout_s=30.0))
            time.sleep(rng.uniform(0, period) / rate)  # a random phase within the period
            first_block = rec.count - 1  # a finished cycle: it cannot hold the answer
            wall_sent, jack_sent, wall_done = sender.send_gain(1.0)
            hit = find_onset(rec, first_block, threshold, timeout_s=5.0)
            if hit is None:
                missed += 1
                continue
            block, onset = hit
            time.sleep(0.05)  # xrun notifications come from another thread: let them arrive
            window = max(after, first_block - quiet_blocks + 1)
            times, wall = rec.clock(window, block + 1)
            steps = np.diff(times)
            base = int(times[first_block - window])
            rel = np.array([frames_between(t, base) for t in times[:first_block - window + 1]])
            grid_ns = float(np.min(wall[:first_block - window + 1] - rel * 1e9 / rate))
            envelope_sent = (wall_sent - grid_ns) * rate / 1e9  # frames after ``base``
            jack_rel = frames_between(jack_sent, base)
            sent_rel = jack_rel if use_frame_time else envelope_sent
            frames = frames_between(onset, base) - sent_rel
            if debug:
                print(f"trial: base={base} onset={frames_between(onset, base)} "
                      f"envelope_sent={envelope_sent:.1f} jack_sent={jack_rel} "
                      f"frames={frames:.1f} xruns={rec.xruns - xruns} "
                      f"skips={int((steps != period).sum())}", file=sys.stderr)
            if rec.xruns != xruns or (steps != period).any():
                discarded_xrun += 1
                continue
            if frames < 0:
                early += 1  # sound before the send: the quiet check failed; not a latency
                continue
            latencies.append(frames)
            phases.append(sent_rel % period)
            send_calls.append((wall_done - wall_sent) / 1e3)
            jack_minus_envelope.append(jack_rel - envelope_sent)
    finally:
        sender.close()
    return {"latencies": latencies, "phases": phases, "send_calls_us": send_calls,
            "quiet_waits": quiet_waits, "missed": missed, "early": early,
            "discarded_xrun": discarded_xrun, "jack_minus_envelope": jack_minus_envelope}


# -- main ---------------------------------------------------------------------------------

_READ_OPTIONS = """
import json, sys
from synth_server.app.cli import build_parser
ns = build_parser().parse_args(["serve", *sys.argv[1:]])
print(json.dumps({k: v for k, v in vars(ns).items() if isinstance(v, (int, float, str))}))
"""


def server_options(serve_args: list[str], env: dict, cwd: Path) -> dict:
    """The options `synth-server serve` will see for ``serve_args``, read by its own parser in
    the server's environment (so the report follows the server's flags as they change); {} if
    that is not possible."""
    try:
        out = subprocess.run([sys.executable, "-c", _READ_OPTIONS, *serve_args], env=env,
                             cwd=cwd, capture_output=True, text=True, timeout=60)
        return json.loads(out.stdout) if out.returncode == 0 else {}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}


def measure(args: argparse.Namespace) -> dict:
    try:
        import jack
    except (ImportError, OSError) as exc:
        raise BenchError(f"the jack module is missing ({exc}): pip install JACK-Client") from None

    name = f"latency-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    os.environ["JACK_NO_START_SERVER"] = "1"
    workdir = Path(tempfile.mkdtemp(prefix="latency_jack-"))
    jackd_log = open(workdir / "jackd.log", "wb")
    server_log_path = workdir / "server.log"
    server_log = open(server_log_path, "wb")
    jackd = server = client = replies = None
    try:
        jackd = subprocess.Popen(  # own session: a Ctrl-C must not stop it before the server
            [args.jackd, "-n", name, *(["--no-realtime"] if args.no_realtime else []),
             "-d", "dummy", "-r", str(SAMPLE_RATE),
             "-p", str(args.period)], stdout=jackd_log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        probe = open_client(jack, name, 15.0, jackd)
        probe.close()  # registered again below once the server's ports exist

        replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        replies.bind(("127.0.0.1", 0))
        replies.settimeout(0.3)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            web_port = s.getsockname()[1]
        serve_args = ["--model", args.model, "--device", "system", "--port", str(port),
                      "--reply-port", str(replies.getsockname()[1]),
                      "--blocksize", str(args.blocksize or args.period),
                      "--web-port", str(web_port)]
        serve_args += args.server_arg
        cmd = [sys.executable, "-m", "synth_server.app.cli", "serve", *serve_args]
        server_env = dict(env)
        if args.server_root:  # another checkout of the server, e.g. a `git archive` of HEAD
            paths = [str(Path(args.server_root).resolve()), env.get("PYTHONPATH", "")]
            server_env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        server_cwd = Path(args.server_root or ROOT)
        options = server_options(serve_args, server_env, server_cwd)
        server = subprocess.Popen(cmd, cwd=server_cwd, env=server_env,
                                  stdout=server_log, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # its group: it and its audio process
        wait_for_pong(port, replies, server, server_log_path, timeout_s=120.0)

        client = open_client(jack, name, 5.0, jackd)
        rec = Recorder(client, seconds=30.0)
        client.activate()
        own = {p.name for p in rec.inports}
        sources = server_output_ports(client, own)
        if not sources:
            raise BenchError("found no output port of the server in the JACK graph")
        for source, sink in zip(sources * 2, rec.inports):  # mono server: both from one port
            client.connect(source, sink)
        playback_latency = playback_latency_frames(jack, client.get_port_by_name(
            "system:playback_1"))

        sender = WebSender(web_port, client) if args.via == "web" else OscSender(port, client)
        try:
            result = run_trials(client, rec, port, args.trials, args.threshold, args.floor,
                                args.quiet_s, args.seed, args.send_clock == "frame_time",
                                args.debug, sender)
        finally:
            sender.close()
        sr = client.samplerate
        xruns, bad_blocks = rec.xruns, rec.bad_blocks
        client.deactivate()
    finally:
        if client is not None:
            client.close()
        if replies is not None:
            replies.close()
        stop_process(server, signal.SIGINT, timeout=20)  # SIGINT: it prints its summary
        if server is not None:
            try:  # its audio process, should it outlive the server (before jackd goes)
                os.killpg(server.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        stop_process(jackd)
        server_log.close()
        jackd_log.close()

    log_text = server_log_path.read_text(errors="replace")
    reported = re.search(r"latency ([0-9.]+) ms", log_text)
    summary = None
    for line in reversed(log_text.splitlines()):
        if line.startswith("{"):
            try:
                summary = json.loads(line)
            except ValueError:
                pass
            break
    if args.debug:
        print(f"logs kept in {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)

    lat = np.array(result["latencies"], dtype=float)
    ms = (lat + playback_latency) * 1000.0 / sr
    to_port = lat * 1000.0 / sr

    def stat(values: np.ndarray, fn: Any) -> Optional[float]:
        return round(float(fn(values)), 3) if len(values) else None

    return {
        "bench": "latency_jack", "via": args.via, "period": args.period, "trials": args.trials,
        "jackd_realtime": not args.no_realtime, "hogs": args.hogs,
        "detected": int(len(lat)), "missed": result["missed"], "early": result["early"],
        "discarded_xrun": result["discarded_xrun"],
        "latency_ms_median": stat(ms, np.median),
        "latency_ms_p99": stat(ms, lambda v: np.percentile(v, 99)),
        "latency_ms_min": stat(ms, np.min), "latency_ms_max": stat(ms, np.max),
        "to_port_ms_median": stat(to_port, np.median),
        "to_port_ms_min": stat(to_port, np.min), "to_port_ms_max": stat(to_port, np.max),
        "playback_port_latency_ms": round(playback_latency * 1000.0 / sr, 3),
        "playback_port_latency_frames": int(playback_latency),
        "server_blocksize": options.get("blocksize", args.blocksize or args.period),
        "server_args": args.server_arg,
        "server_reported_latency_ms": float(reported.group(1)) if reported else None,
        "server_ports": sources,
        "threshold": args.threshold, "quiet_floor": args.floor, "quiet_s": args.quiet_s,
        "quiet_wait_s_median": stat(np.array(result["quiet_waits"]), np.median),
        "send_clock": args.send_clock,
        "send_phase_frames_min": stat(np.array(result["phases"]), np.min),
        "send_phase_frames_max": stat(np.array(result["phases"]), np.max),
        "send_call_us_max": stat(np.array(result["send_calls_us"]), np.max),
        "jack_frame_time_minus_envelope_frames_median":
            stat(np.array(result["jack_minus_envelope"]), np.median),
        "jack_frame_time_minus_envelope_frames_max_abs":
            stat(np.abs(np.array(result["jack_minus_envelope"])), np.max),
        "probe_xruns": xruns, "probe_bad_blocks": bad_blocks,
        "server_underruns": summary.get("underruns") if summary else None,
        # what the server measured about itself (every control change of the run, /gain 0 and
        # /gain 1 alike), to be checked against latency_ms_median above
        "server_latency_ms_median": summary.get("latency_ms_median") if summary else None,
        "server_latency_ms_p99": summary.get("latency_ms_p99") if summary else None,
        "server_minus_outside_ms": (round(summary["latency_ms_median"] - float(np.median(ms)), 3)
                                    if summary and summary.get("latency_ms_median") is not None
                                    and len(ms) else None),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--period", type=int, default=256, help="jackd period (frames)")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--blocksize", type=int, default=None,
                        help="server --blocksize (default: the period)")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="extra argument for `synth-server serve`, repeatable; "
                             "write flags as --server-arg=--flag")
    parser.add_argument("--server-root", default=None,
                        help="run the server from this source tree (a folder holding "
                             "synth_server/), e.g. a `git archive HEAD` to compare with the "
                             "working tree (default: the installed synth_server)")
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--threshold", type=float, default=1e-5,
                        help="|sample| above this is the answer to /gain 1")
    parser.add_argument("--floor", type=float, default=1e-6,
                        help="quiet means |sample| <= this (0: exact zeros, seconds per trial)")
    parser.add_argument("--quiet-s", type=float, default=0.3,
                        help="how long the output must stay quiet before /gain 1")
    parser.add_argument("--seed", type=int, default=0, help="seed of the send phases")
    parser.add_argument("--send-clock", choices=["envelope", "frame_time"], default="envelope",
                        help="how the send instant becomes a JACK frame time: the wall-clock "
                             "envelope of the recorded cycles (default) or client.frame_time")
    parser.add_argument("--via", choices=["osc", "web"], default="osc",
                        help="send /gain over OSC (UDP) or through the controller page's "
                             "WebSocket (the JSON messages the page sends)")
    parser.add_argument("--debug", action="store_true", help="one line per trial on stderr")
    parser.add_argument("--jackd", default="jackd", help="jackd executable")
    parser.add_argument("--no-realtime", action="store_true",
                        help="run jackd without realtime scheduling (jackd --no-realtime): only "
                             "to cross-check the self-reported latency there (issue 12); every "
                             "client, C included, misses deadlines under load this way, and "
                             "musicians run JACK realtime")
    parser.add_argument("--hogs", type=int, default=0,
                        help="CPU-hog processes (busy loops) running during the trials")
    return parser


def _terminate(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through the finally blocks


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    if args.floor > args.threshold:
        print(json.dumps({"bench": "latency_jack", "error": "--floor must not exceed --threshold"}))
        return 2
    if shutil.which(args.jackd) is None:
        print(json.dumps({"bench": "latency_jack", "error": f"{args.jackd} is not installed"}))
        return 2
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(args.hogs)]
    try:
        result = measure(args)
    except BenchError as exc:
        print(json.dumps({"bench": "latency_jack", "period": args.period, "error": str(exc)}))
        return 1
    except KeyboardInterrupt:
        print(json.dumps({"bench": "latency_jack", "period": args.period,
                          "error": "interrupted"}))
        return 130
    finally:
        for hog in hogs:  # stopped by their own PIDs
            stop_process(hog, signal.SIGKILL)
    print(json.dumps(result), flush=True)
    return 0 if result["detected"] == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
