"""The audio engine in its own process, so no Python thread of the server can starve it.

Measured on this 2-core machine (benchmarks/busy_threads.py): with the renderer thread in the
server process, two CPU-bound Python threads cut rendering to 1-44 % of real time (the GIL), and
the audio dropped out. The renderer, ring buffer, rtmixer output and recorder therefore run in a
child process (``spawn``) that runs nothing else. The server process (OSC, control, anything a
later feature adds) talks to it through two small shared-memory arrays guarded by sequence
counters (a seqlock: the writer makes the counter odd while writing; readers retry on a change):

- control (server writes, audio reads): pad x, y, gain, mode (pad / latent / sliders), manifold,
  slider positions, latent vector, attribute offset vector, and the
  arrival time of the OSC packet behind the change (for the latency measurement);
- status (audio writes, server reads): underruns, NaN frames, hops, the sounding and target
  latents, the measured control latency (median, p99, count).

and a pipe for rare messages: ("load", checkpoint, requested_s) to hot-swap the model (the server
has already validated it; the child only builds a renderer and crossfades), answered by
("swapped", name, latent_dim, report) or ("load_error", reason).
"""
from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from synth_server.core.contract import ControlState, EngineStatus
from synth_server.nav.maps import METHODS

log = logging.getLogger(__name__)

MAX_LATENT = 256
MAX_SLIDERS = 8
(_C_SEQ, _C_PAD_X, _C_PAD_Y, _C_GAIN, _C_MODE, _C_N, _C_STAMP, _C_MANIFOLD, _C_N_SLIDERS,
 _C_N_OFFSET) = range(10)
_C_SLIDERS = _C_N_OFFSET + 1
_C_LATENT = _C_SLIDERS + MAX_SLIDERS
_C_OFFSET = _C_LATENT + MAX_LATENT
CONTROL_SIZE = _C_OFFSET + MAX_LATENT
_MODE_PAD, _MODE_LATENT, _MODE_SLIDERS = 0.0, 1.0, 2.0
(_S_SEQ, _S_UNDERRUNS, _S_NAN, _S_HOPS, _S_LAT_MEDIAN, _S_LAT_P99, _S_LAT_COUNT, _S_CONSUMED,
 _S_N, _S_LATENT) = range(10)
STATUS_SIZE = _S_LATENT + 2 * MAX_LATENT


def write_control(array: Any, state: ControlState, consumed_version: float = -1.0) -> None:
    """Publish ``state`` into the shared control array (single writer).

    ``consumed_version`` is the newest version the renderer has read. When the renderer has not
    yet read the previous change, that change's arrival time is kept: the latency of a change
    superseded by a newer one before it was rendered is measured from its own arrival (the
    first sample that reflects it is the first one rendered from a newer state).
    """
    unread = consumed_version < array[_C_SEQ] and array[_C_STAMP] > 0.0
    array[_C_SEQ] += 1.0  # odd: writing
    array[_C_PAD_X], array[_C_PAD_Y] = state.pad
    array[_C_GAIN] = state.gain
    if not unread or state.received_s <= 0.0:
        array[_C_STAMP] = state.received_s
    array[_C_MANIFOLD] = METHODS.index(state.manifold) if state.manifold in METHODS else 0
    if state.offset is None:
        array[_C_N_OFFSET] = 0
    else:
        n = min(len(state.offset), MAX_LATENT)
        array[_C_OFFSET:_C_OFFSET + n] = list(state.offset[:n])
        array[_C_N_OFFSET] = n
    if state.latent is not None:
        n = min(len(state.latent), MAX_LATENT)
        array[_C_N] = n
        array[_C_LATENT:_C_LATENT + n] = list(state.latent[:n])
        array[_C_MODE] = _MODE_LATENT
    elif state.sliders is not None:
        n = min(len(state.sliders), MAX_SLIDERS)
        array[_C_N_SLIDERS] = n
        array[_C_SLIDERS:_C_SLIDERS + n] = list(state.sliders[:n])
        array[_C_MODE] = _MODE_SLIDERS
    else:
        array[_C_MODE] = _MODE_PAD
    array[_C_SEQ] += 1.0  # even: stable


def read_control(array: Any, previous: ControlState) -> ControlState:
    """The newest state in the control array, or ``previous`` when nothing changed."""
    for _ in range(100):
        seq = array[_C_SEQ]
        if seq == previous.version:
            return previous
        if int(seq) % 2:
            continue
        pad = (array[_C_PAD_X], array[_C_PAD_Y])
        gain = array[_C_GAIN]
        stamp = array[_C_STAMP]
        latent = sliders = None
        mode = array[_C_MODE]
        if mode == _MODE_LATENT:
            n = int(array[_C_N])
            latent = tuple(array[_C_LATENT:_C_LATENT + n])
        elif mode == _MODE_SLIDERS:
            n = int(array[_C_N_SLIDERS])
            sliders = tuple(array[_C_SLIDERS:_C_SLIDERS + n])
        manifold = METHODS[int(array[_C_MANIFOLD]) % len(METHODS)]
        n = int(array[_C_N_OFFSET])
        offset = tuple(array[_C_OFFSET:_C_OFFSET + n]) if n else None
        if array[_C_SEQ] == seq:
            return ControlState(pad=pad, latent=latent, manifold=manifold, sliders=sliders,
                                offset=offset, gain=gain, version=int(seq), received_s=stamp)
    return previous


@dataclass
class LatencyStats:
    """Control latency measured by the engine (OSC arrival → device), ms."""

    median_ms: float = float("nan")
    p99_ms: float = float("nan")
    count: int = 0


def latency_stats(latencies_ms: Any) -> LatencyStats:
    """Median / p99 of a sequence of latencies (ms)."""
    values = np.fromiter(latencies_ms, dtype=np.float64)
    if values.size == 0:
        return LatencyStats()
    return LatencyStats(float(np.median(values)), float(np.percentile(values, 99)), int(values.size))


def write_status(array: Any, status: EngineStatus, hops: int,
                 latency: Optional[LatencyStats] = None, consumed_version: int = -1) -> None:
    """Publish the engine status (single writer: the audio process)."""
    n = min(status.latent_dim, MAX_LATENT)
    array[_S_CONSUMED] = consumed_version  # read alone by write_control: no seqlock needed
    array[_S_SEQ] += 1.0
    array[_S_UNDERRUNS] = status.underruns
    array[_S_NAN] = status.nan_frames
    array[_S_HOPS] = hops
    if latency is not None:
        array[_S_LAT_MEDIAN] = latency.median_ms
        array[_S_LAT_P99] = latency.p99_ms
        array[_S_LAT_COUNT] = latency.count
    array[_S_N] = n
    array[_S_LATENT:_S_LATENT + n] = list(status.latent[:n])
    array[_S_LATENT + MAX_LATENT:_S_LATENT + MAX_LATENT + n] = list(status.target_latent[:n])
    array[_S_SEQ] += 1.0


def read_status(array: Any, model_name: str) -> Optional[tuple[EngineStatus, int]]:
    """(status, hops rendered) from the status array; None if no stable copy was seen in ~10 ms
    (the writer was preempted or died mid-write)."""
    got = read_status_full(array, model_name)
    return None if got is None else (got[0], got[1])


def read_status_full(array: Any, model_name: str
                     ) -> Optional[tuple[EngineStatus, int, LatencyStats]]:
    """Like :func:`read_status`, with the latency statistics."""
    for attempt in range(200):
        seq = array[_S_SEQ]
        if int(seq) % 2:
            if attempt > 20:
                time.sleep(0.00005)
            continue
        n = int(array[_S_N])
        status = EngineStatus(
            model_name=model_name, latent_dim=n,
            latent=tuple(array[_S_LATENT:_S_LATENT + n]),
            target_latent=tuple(array[_S_LATENT + MAX_LATENT:_S_LATENT + MAX_LATENT + n]),
            underruns=int(array[_S_UNDERRUNS]), nan_frames=int(array[_S_NAN]))
        hops = int(array[_S_HOPS])
        latency = LatencyStats(array[_S_LAT_MEDIAN], array[_S_LAT_P99], int(array[_S_LAT_COUNT]))
        if array[_S_SEQ] == seq:
            return status, hops, latency
    return None


def limit_blas_threads() -> None:
    """One BLAS thread: a one-frame matrix product gains nothing from more, and idle BLAS
    threads spinning on the second core would steal it from the OSC server."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # noqa: BLE001 - threadpoolctl missing or no BLAS found: nothing to limit
        pass


def _child_main(checkpoint: Any, device: Any, blocksize: int, buffer_ms: float,
                record_path: Optional[str], control: Any, status: Any, stop: Any,
                conn: Any, parent_pid: int, phase: str = "peak") -> None:
    """Entry point of the audio process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server process decides when to stop
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # ... or a plain kill: stop cleanly
    limit_blas_threads()
    # the renderer thread must get the GIL back quickly while this thread builds a new model
    sys.setswitchinterval(0.0005)
    from synth_server.engine.renderer import Renderer
    from synth_server.engine.stream import AudioDeviceError, Engine

    def send(message: tuple) -> None:
        try:
            conn.send(message)
        except (OSError, ValueError):
            pass  # the server is gone; we still close the recording below

    try:
        renderer = Renderer(checkpoint, channels=2, phase=phase)
        current = ControlState(version=-1)

        def state() -> ControlState:
            nonlocal current
            current = read_control(control, current)
            return current

        engine = Engine(renderer, state, device=device, blocksize=blocksize,
                        buffer_ms=buffer_ms, record_path=record_path)
    except Exception as exc:  # noqa: BLE001 - one line back to the server, no traceback
        send(("error", f"{type(exc).__name__}: {exc}".splitlines()[0]))
        return
    # A full collection walks every object numba and llvmlite created at import: measured
    # 30-50 ms here, holding the GIL while the ring buffer drains. Freeze them out of it.
    gc.collect()
    gc.freeze()
    try:
        engine.start()
    except AudioDeviceError as exc:
        engine.stop()
        send(("device_error", str(exc)))
        return
    gc.freeze()  # and what the first hops compiled or loaded
    from synth_server.engine.stream import RT_PRIORITY, realtime_priority

    realtime_priority(RT_PRIORITY - 10)  # this thread builds hot-swapped models under the GIL
    reported_swaps = 0
    record_told = False
    published = {"latency": LatencyStats(), "next_stats": 0}

    def publish(eng: Engine) -> None:  # renderer thread, once per hop
        if eng.renderer.hops >= published["next_stats"]:
            published["latency"] = latency_stats(eng.latencies_ms)
            published["next_stats"] = eng.renderer.hops + 100
        write_status(status, eng.status(), eng.renderer.hops, published["latency"],
                     current.version)

    try:
        publish(engine)
        engine.on_hop = publish
        send(("ok", engine.latency_ms))
        while not stop.is_set():
            try:
                ready = conn.poll(0.05)  # blocks with the GIL released
            except (OSError, EOFError):
                break
            if os.getppid() != parent_pid or engine.failed:
                break  # the server died (do not play on as an orphan), or the renderer did
            if engine.recorder is not None and engine.recorder.ended and not record_told:
                record_told = True  # the recording stopped by itself: the server shows why
                send(("record_ended", engine.recorder.summary()))
            while reported_swaps < len(engine.swaps) and engine.swaps[reported_swaps].heard_s:
                report = engine.swaps[reported_swaps]
                send(("swapped", report.model_name, engine.renderer.latent_dim,
                      {"hotswap_ms": report.hotswap_ms, "crossfade_ms": report.crossfade_ms,
                       "requested_s": report.requested_s,
                       "first_sample": report.first_sample, "last_sample": report.last_sample}))
                reported_swaps += 1
            if not ready:
                continue
            try:
                message = conn.recv()
            except (OSError, EOFError):
                break
            if message[0] == "load":
                _, new_checkpoint, requested_s = message
                try:
                    new_renderer = Renderer(new_checkpoint, channels=2, phase=phase)
                    new_renderer.render_hop(current)  # warm up off the audio path
                except Exception as exc:  # noqa: BLE001 - the old model keeps playing
                    send(("load_error", f"{type(exc).__name__}: {exc}".splitlines()[0]))
                    continue
                engine.swap(new_renderer, new_checkpoint.name, requested_s)
    finally:
        engine.on_hop = None
        engine.stop()
        final = latency_stats(engine.latencies_ms)
        write_status(status, engine.status(), engine.renderer.hops, final)
        send(("stopped", engine.underruns, engine.renderer.nan_frames,
              {"latency_ms_median": final.median_ms, "latency_ms_p99": final.p99_ms,
               "latency_count": engine.latency_count, "realtime": engine.realtime,
               "underrun_times": engine.underrun_times[:100],
               "underrun_context": engine.underrun_context[:100],
               "swaps": [{"model": r.model_name, "hotswap_ms": r.hotswap_ms,
                          "crossfade_ms": r.crossfade_ms} for r in engine.swaps],
               "record": engine.recorder.summary() if engine.recorder is not None else None}))


@dataclass
class AudioResult:
    """Final numbers of an audio process."""

    underruns: int
    nan_frames: int
    details: dict[str, Any] = field(default_factory=dict)


class AudioProcess:
    """Runs :class:`~synth_server.engine.stream.Engine` for one model in a child process.

    Args:
        checkpoint: the loaded model to play first (a validated Checkpoint, loaded by the
            caller; it travels to the audio process pickled, as hot-swapped models do).
        model_name: name reported in /state.
        device: PortAudio device name/index, or None for the internal clock.
        blocksize, buffer_ms, record_path: as for Engine.
        on_event: called (from a reader thread) with ("swapped", name, latent_dim, report) and
            ("load_error", reason) messages.
        phase: phase reconstruction of the renderer ("peak" or "rtpghi").
    """

    def __init__(self, checkpoint: Any, model_name: str, device: Any, blocksize: int,
                 buffer_ms: float, record_path: Optional[str],
                 on_event: Optional[Callable[[tuple], None]] = None, phase: str = "peak"):
        self._ctx = mp.get_context("spawn")
        self.model_name = model_name
        self.control = self._ctx.RawArray("d", CONTROL_SIZE)
        self.status_array = self._ctx.RawArray("d", STATUS_SIZE)
        self._stop = self._ctx.Event()
        self._conn, child_conn = self._ctx.Pipe()
        self._process = self._ctx.Process(
            target=_child_main, name="synth-server-audio", daemon=True,
            args=(checkpoint, device, blocksize, buffer_ms, record_path, self.control,
                  self.status_array, self._stop, child_conn, os.getpid(), phase))
        self.latency_ms = 0.0
        self._last_status = EngineStatus(model_name, 0, (), ())
        self._on_event = on_event
        self._reader: Optional[threading.Thread] = None
        self._send_lock = threading.Lock()
        self._final: Optional[tuple] = None
        self._final_event = threading.Event()

    def start(self, initial: ControlState, timeout_s: float = 120.0) -> None:
        """Start the process and wait until it plays.

        Raises:
            AudioDeviceError: the device could not be opened (the process has exited).
            RuntimeError: the process died or did not start within ``timeout_s``.
        """
        from synth_server.engine.stream import AudioDeviceError

        write_control(self.control, initial)
        self._process.start()
        if not self._conn.poll(timeout_s):
            self._process.kill()
            raise RuntimeError("the audio process did not start")
        try:
            message = self._conn.recv()
        except EOFError:
            self._process.join(timeout=10)
            raise RuntimeError(f"the audio process exited (code {self._process.exitcode})") \
                from None
        if message[0] in ("device_error", "error"):
            self._process.join(timeout=10)
            if message[0] == "error":
                raise RuntimeError(f"the audio engine could not start: {message[1]}")
            raise AudioDeviceError(message[1])
        self.latency_ms = float(message[1])
        self._reader = threading.Thread(target=self._read_events, name="audio-events",
                                        daemon=True)
        self._reader.start()

    def _read_events(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "stopped":
                self._final = message
                self._final_event.set()
                break
            if message[0] == "swapped":
                self.model_name = message[1]
            if self._on_event is not None:
                try:
                    self._on_event(message)
                except Exception:  # noqa: BLE001 - a reporting error must not stop the reader
                    log.exception("audio event handler failed")
        self._final_event.set()

    def publish(self, state: ControlState) -> None:
        """Send a new control state (called by the Controller on every change)."""
        write_control(self.control, state, self.status_array[_S_CONSUMED])

    def load(self, checkpoint: Any, requested_s: float) -> None:
        """Ask the audio process to crossfade to ``checkpoint`` (a validated Checkpoint)."""
        with self._send_lock:
            self._conn.send(("load", checkpoint, requested_s))

    def status(self) -> EngineStatus:
        """Newest engine status (the last stable one if the writer is mid-update)."""
        got = read_status(self.status_array, self.model_name)
        if got is not None:
            self._last_status = got[0]
        return self._last_status

    def latency(self) -> LatencyStats:
        """Control latency measured so far (recent median / p99, ms)."""
        got = read_status_full(self.status_array, self.model_name)
        return got[2] if got is not None else LatencyStats()

    @property
    def alive(self) -> bool:
        """True while the audio process runs."""
        return self._process.is_alive()

    def stop(self, timeout_s: float = 10.0) -> AudioResult:
        """Stop playing, close the recording, and return the final counts."""
        status = self.status()
        result = AudioResult(status.underruns, status.nan_frames)
        if self._process.is_alive():
            self._stop.set()
            if self._reader is not None:
                self._final_event.wait(timeout_s)
            else:
                deadline = time.monotonic() + timeout_s
                while time.monotonic() < deadline and self._process.is_alive():
                    if self._conn.poll(0.1):
                        try:
                            message = self._conn.recv()
                        except EOFError:
                            break
                        if message[0] == "stopped":
                            self._final = message
                            break
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
        if self._final is not None:
            result = AudioResult(int(self._final[1]), int(self._final[2]), dict(self._final[3]))
        return result
