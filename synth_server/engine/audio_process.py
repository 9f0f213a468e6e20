"""The audio engine in its own process, so no Python thread of the server can starve it.

Measured on this 2-core machine (benchmarks/busy_threads.py): with the renderer thread in the
server process, two CPU-bound Python threads cut rendering to 1-44 % of real time (the GIL), and
the audio dropped out. The renderer, ring buffer, rtmixer output and recorder therefore run in a
child process (``spawn``) that runs nothing else. The server process (OSC, control, anything a
later feature adds) talks to it through two small shared-memory arrays guarded by sequence
counters (a seqlock: the writer makes the counter odd while writing; readers retry on a change):

- control (server writes, audio reads): pad x, y, gain, latent mode, latent vector;
- status (audio writes, server reads): underruns, NaN frames, hops, the sounding and target latents.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass
from typing import Any, Optional

from synth_server.control.controller import ControlState, EngineStatus

log = logging.getLogger(__name__)

MAX_LATENT = 256
_C_SEQ, _C_PAD_X, _C_PAD_Y, _C_GAIN, _C_MODE, _C_N, _C_LATENT = range(7)
CONTROL_SIZE = _C_LATENT + MAX_LATENT
_S_SEQ, _S_UNDERRUNS, _S_NAN, _S_HOPS, _S_N, _S_LATENT = range(6)
STATUS_SIZE = _S_LATENT + 2 * MAX_LATENT


def write_control(array: Any, state: ControlState) -> None:
    """Publish ``state`` into the shared control array (single writer)."""
    array[_C_SEQ] += 1.0  # odd: writing
    array[_C_PAD_X], array[_C_PAD_Y] = state.pad
    array[_C_GAIN] = state.gain
    if state.latent is None:
        array[_C_MODE] = 0.0
    else:
        n = min(len(state.latent), MAX_LATENT)
        array[_C_N] = n
        array[_C_LATENT:_C_LATENT + n] = list(state.latent[:n])
        array[_C_MODE] = 1.0
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
        latent = None
        if array[_C_MODE] == 1.0:
            n = int(array[_C_N])
            latent = tuple(array[_C_LATENT:_C_LATENT + n])
        if array[_C_SEQ] == seq:
            return ControlState(pad=pad, latent=latent, gain=gain, version=int(seq))
    return previous


def write_status(array: Any, status: EngineStatus, hops: int) -> None:
    """Publish the engine status (single writer: the audio process)."""
    n = min(status.latent_dim, MAX_LATENT)
    array[_S_SEQ] += 1.0
    array[_S_UNDERRUNS] = status.underruns
    array[_S_NAN] = status.nan_frames
    array[_S_HOPS] = hops
    array[_S_N] = n
    array[_S_LATENT:_S_LATENT + n] = list(status.latent[:n])
    array[_S_LATENT + MAX_LATENT:_S_LATENT + MAX_LATENT + n] = list(status.target_latent[:n])
    array[_S_SEQ] += 1.0


def read_status(array: Any, model_name: str) -> Optional[tuple[EngineStatus, int]]:
    """(status, hops rendered) from the status array; None if no stable copy was seen in ~10 ms
    (the writer was preempted or died mid-write)."""
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
        if array[_S_SEQ] == seq:
            return status, hops
    return None


def _child_main(model_dir: str, device: Any, blocksize: int, buffer_ms: float,
                record_path: Optional[str], control: Any, status: Any, stop: Any,
                conn: Any, parent_pid: int) -> None:
    """Entry point of the audio process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server process decides when to stop
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # ... or a plain kill: stop cleanly
    import torch

    torch.set_num_threads(1)
    from synth_server.engine.renderer import Renderer
    from synth_server.engine.stream import AudioDeviceError, Engine
    from synth_server.model.checkpoint import load_checkpoint

    def send(message: tuple) -> None:
        try:
            conn.send(message)
        except OSError:
            pass  # the server is gone; we still close the recording below

    try:
        checkpoint = load_checkpoint(model_dir)
        renderer = Renderer(checkpoint, channels=2)
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
    try:
        engine.start()
    except AudioDeviceError as exc:
        engine.stop()
        send(("device_error", str(exc)))
        return
    try:
        write_status(status, engine.status(), renderer.hops)
        send(("ok", engine.latency_ms))
        while not stop.wait(0.005):
            write_status(status, engine.status(), renderer.hops)
            if os.getppid() != parent_pid or engine.failed:
                break  # the server died (do not play on as an orphan), or the renderer did
    finally:
        engine.stop()
        write_status(status, engine.status(), renderer.hops)
        send(("stopped", engine.underruns, renderer.nan_frames))


@dataclass
class AudioResult:
    """Final numbers of an audio process."""

    underruns: int
    nan_frames: int


class AudioProcess:
    """Runs :class:`~synth_server.engine.stream.Engine` for one model in a child process.

    Args:
        model_dir: checkpoint directory (already validated by the caller).
        model_name: name reported in /state.
        device: PortAudio device name/index, or None for the internal clock.
        blocksize, buffer_ms, record_path: as for Engine.
    """

    def __init__(self, model_dir: str, model_name: str, device: Any, blocksize: int,
                 buffer_ms: float, record_path: Optional[str]):
        self._ctx = mp.get_context("spawn")
        self.model_name = model_name
        self.control = self._ctx.RawArray("d", CONTROL_SIZE)
        self.status_array = self._ctx.RawArray("d", STATUS_SIZE)
        self._stop = self._ctx.Event()
        self._conn, child_conn = self._ctx.Pipe()
        self._process = self._ctx.Process(
            target=_child_main, name="synth-server-audio", daemon=True,
            args=(model_dir, device, blocksize, buffer_ms, record_path, self.control,
                  self.status_array, self._stop, child_conn, os.getpid()))
        self.latency_ms = 0.0
        self._last_status = EngineStatus(model_name, 0, (), ())

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

    def publish(self, state: ControlState) -> None:
        """Send a new control state (called by the Controller on every change)."""
        write_control(self.control, state)

    def status(self) -> EngineStatus:
        """Newest engine status (the last stable one if the writer is mid-update)."""
        got = read_status(self.status_array, self.model_name)
        if got is not None:
            self._last_status = got[0]
        return self._last_status

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
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                if self._conn.poll(0.1):
                    try:
                        message = self._conn.recv()
                    except EOFError:
                        break
                    if message[0] == "stopped":
                        result = AudioResult(int(message[1]), int(message[2]))
                        break
                if not self._process.is_alive():
                    break
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
        return result
