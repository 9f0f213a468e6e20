"""The real-time engine: renderer thread → ring buffer → audio callback (or a device-free clock).

- The **audio callback is rtmixer's C callback**, which copies ``blocksize`` frames per period
  from a lock-free PortAudio ring buffer: no Python, no GIL, no allocation, no lock, no logging.
  When the ring buffer runs short rtmixer ends the playback action; the renderer thread sees
  that, counts an underrun, refills and starts a new action.
- The **renderer thread renders late**: it watches the ring buffer's read side to learn when the
  callback runs, sleeps until ``margin_ms`` before the next callback, reads the newest control
  state, and only then renders the hop(s) that callback needs, keeping ``safety_frames`` extra in
  the ring. A control change therefore waits at most one period plus the margin before it is
  written (docs/latency.md has the budget and the measurements).
- With no device, a **clock thread** consumes ``blocksize`` frames every ``blocksize /
  sample_rate`` seconds (catching up when late) and hands them to the recorder, so the session is
  still played in real time and recorded.
- **Latency is estimated when a hop is rendered**: a hop rendered from a new control state is
  heard after the audio already queued in the ring plus the device's reported output latency;
  added to the time since the OSC packet arrived (``time.monotonic``), that is the control
  latency, within one period. (Mapping PortAudio's DAC time to ``time.monotonic`` gave negative
  figures with a realtime jackd.)
- **Hot-swap**: :meth:`Engine.swap` hands over a new renderer; the next hops crossfade old and
  new (equal power, ``crossfade_ms``), both driven by the same control state, without a gap.
- The **recorder** (engine/recorder.py) copies each block into a bounded ring and writes it from
  its own thread; closing it leaves a valid file.
"""
from __future__ import annotations

import collections
import contextlib
import logging
import math
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from synth_server.core.contract import ControlState, EngineStatus
from synth_server.engine.recorder import WavRecorder, open_recorder
from synth_server.engine.renderer import Renderer

log = logging.getLogger(__name__)


class AudioDeviceError(RuntimeError):
    """No usable audio output; ``str()`` is a one-line explanation."""


@contextlib.contextmanager
def quiet_stderr() -> Iterator[list[str]]:
    """Silence C-level stderr (ALSA/JACK chatter from PortAudio) inside the block.

    Yields a list that receives the captured lines after the block, for debug logging.
    """
    captured: list[str] = []
    try:
        saved = os.dup(2)
    except OSError:
        yield captured
        return
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.extend(tmp.read().decode("utf-8", "replace").splitlines())


def import_sounddevice() -> Any:
    """Import sounddevice quietly (PortAudio probes every host API at import).

    Raises:
        AudioDeviceError: PortAudio is missing.
    """
    os.environ.setdefault("JACK_NO_START_SERVER", "1")
    try:
        with quiet_stderr() as lines:
            import sounddevice
    except OSError as exc:
        raise AudioDeviceError(f"PortAudio is not installed ({exc}); "
                               "on Debian: apt-get install libportaudio2") from None
    for line in lines:
        log.debug("portaudio: %s", line)
    return sounddevice


def output_devices() -> list[dict[str, Any]]:
    """Output devices PortAudio sees: [{"index", "name", "hostapi", "channels",
    "default_samplerate"}]. Raises AudioDeviceError without PortAudio."""
    sd = import_sounddevice()
    with quiet_stderr():
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    return [
        {"index": i, "name": d["name"], "hostapi": hostapis[d["hostapi"]]["name"],
         "channels": d["max_output_channels"], "default_samplerate": d["default_samplerate"]}
        for i, d in enumerate(devices) if d["max_output_channels"] > 0
    ]


RT_PRIORITY = 40


def realtime_priority(priority: int = RT_PRIORITY) -> bool:
    """Ask Linux to schedule the calling thread SCHED_FIFO at ``priority`` (below JACK's usual
    70-95, above every normal thread), so it wakes on time when the CPUs are busy.

    Every thread of the audio process that takes the GIL asks for it (lower than the
    renderer): a normal-priority thread preempted while holding the GIL would stall the renderer.
    Needs root or an rtprio limit (the Debian ``audio`` group has one with jackd2's
    /etc/security/limits.d/audio.conf). Without it the thread stays a normal thread; returns
    whether it worked. The renderer sleeps between hops, so it cannot starve the machine
    (and Linux caps real-time threads at 95 % of a CPU).
    """
    if not hasattr(os, "sched_setscheduler"):
        return False
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
        return True
    except (OSError, ValueError):
        log.debug("no real-time priority for the renderer (no rtprio rights); using normal "
                  "scheduling")
        return False


def _ring_size(frames: int) -> int:
    size = 1
    while size < frames:
        size *= 2
    return size


POLL_S = 0.0002  # how often the renderer looks at the ring while waiting for the callback
LATENCY_PRESETS_MS = {"low": 0.0, "balanced": 5.0, "safe": 20.0}
"""``--latency`` presets: extra audio (ms) kept in the ring beyond the block the next callback
needs. ``low`` renders each block just before its callback."""


@dataclass
class SwapReport:
    """What a hot-swap did (filled by the renderer thread).

    Attributes:
        model_name: the new model.
        requested_s: time.monotonic() when the load was asked for (the OSC packet's arrival).
        first_sample: index of the first output sample of the crossfade.
        last_sample: index of the first sample played by the new model alone.
        heard_s: time.monotonic() at which ``last_sample`` reaches the device (0 until known).
        crossfade_ms: crossfade length.
    """

    model_name: str
    requested_s: float
    first_sample: int = -1
    last_sample: int = -1
    heard_s: float = 0.0
    crossfade_ms: float = 0.0

    @property
    def hotswap_ms(self) -> float:
        """Load request → new model alone at the device, ms (NaN until known)."""
        return 1000.0 * (self.heard_s - self.requested_s) if self.heard_s else float("nan")


class Engine:
    """Owns the renderer thread, the ring buffer, the output and the recorder.

    Args:
        renderer: the hop renderer.
        state: callable returning the newest :class:`ControlState`.
        device: PortAudio output device name/index, or None for no device (internal clock).
        blocksize: audio block (period) in frames; 0 lets PortAudio choose (then the hop size
            is assumed for scheduling).
        buffer_ms: extra audio kept in the ring beyond the next block (see LATENCY_PRESETS_MS).
        record_path: WAV path or engine.recorder.RecordSpec (cap, free-space reserve), or None.
        margin_ms: how long before the predicted callback the renderer starts a hop.
        crossfade_ms: hot-swap crossfade length.
    Raises:
        AudioDeviceError: (from :meth:`start`) the device cannot be opened.
    """

    def __init__(self, renderer: Renderer, state: Callable[[], ControlState],
                 device: Any = None, blocksize: int = 256, buffer_ms: float = 5.0,
                 record_path: Optional[str | Path] = None, margin_ms: float = 1.5,
                 crossfade_ms: float = 30.0):
        import rtmixer

        self.renderer = renderer
        self._state = state
        self.device = device
        self.sample_rate = renderer.sample_rate
        self.channels = renderer.channels
        self.blocksize = blocksize
        self._block = blocksize or renderer.hop_length
        self.safety_frames = int(round(max(buffer_ms, 0.0) / 1000.0 * self.sample_rate))
        self.buffer_frames = self._block + self.safety_frames
        hop = renderer.hop_length
        self._ring = rtmixer.RingBuffer(4 * self.channels,
                                        _ring_size(4 * (self.buffer_frames + hop + self._block)))
        self._period_s = self._block / self.sample_rate
        self._margin_s = margin_ms / 1000.0
        self._crossfade_hops = max(1, int(math.ceil(crossfade_ms / 1000.0 * self.sample_rate
                                                    / hop)))
        self.underruns = 0
        self.realtime = False  # whether the renderer thread got a real-time scheduling class
        self.underrun_times: list[float] = []  # time.monotonic() of the first 1000 underruns
        # (ms since the last render, ms past the predicted callback, ms the last render took)
        self.underrun_context: list[tuple[float, float, float]] = []
        self._last_render_s = 0.0
        self._last_render_cost_s = 0.0
        self.frames_written = 0  # samples written to the ring since start
        self.frames_out = 0  # clock mode: samples consumed
        self.failed = False
        self.recorder: Optional[WavRecorder] = open_recorder(
            record_path, self.sample_rate, self.channels,
            thread_setup=lambda: realtime_priority(RT_PRIORITY - 10)) if record_path else None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._mixer: Any = None
        self._action: Any = None
        self._status = renderer.status(0)
        # called by the renderer thread after every hop (the audio process publishes its status
        # there, so no other thread of that process competes for the GIL while it plays)
        self.on_hop: Optional[Callable[["Engine"], None]] = None
        # latency bookkeeping (renderer thread only)
        self._last_version = -1
        self._device_latency_s = 0.0  # the device's reported output latency (set at open)
        self.latencies_ms: collections.deque[float] = collections.deque(maxlen=4096)
        self.latency_count = 0
        # hot-swap (swap() from another thread appends; deque append/popleft are thread-safe)
        self._incoming: collections.deque[tuple[Renderer, SwapReport]] = collections.deque()
        self._fading: Optional[tuple[Renderer, SwapReport, int]] = None
        self.swaps: list[SwapReport] = []
        self._fade = np.sin(0.5 * np.pi * (np.arange(self._crossfade_hops * hop) + 1)
                            / (self._crossfade_hops * hop)).astype(np.float32)[:, None]
        self._fade_out = np.sqrt(np.maximum(1.0 - self._fade ** 2, 0.0)).astype(np.float32)

    # -- status --------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """Latest :class:`EngineStatus` (published by the renderer thread once per hop)."""
        return self._status

    @property
    def latency_ms(self) -> float:
        """Nominal latency: one block + the safety fill + the device's reported output latency."""
        device_s = float(self._mixer.latency) if self._mixer is not None else 0.0
        return 1000.0 * (self.buffer_frames / self.sample_rate + device_s)

    def swap(self, renderer: Renderer, model_name: str, requested_s: float) -> None:
        """Crossfade to ``renderer`` from the next hop on (call from any thread)."""
        self._incoming.append((renderer, SwapReport(model_name, requested_s)))

    # -- renderer side -------------------------------------------------------------------

    def _ahead_s(self) -> float:
        """Seconds until a sample written to the ring now reaches the device: the audio queued
        before it plus the device's reported output latency (within one period)."""
        return self._ring.read_available / self.sample_rate + self._device_latency_s

    def _render(self) -> None:
        state = self._state()
        if state.version != self._last_version:
            self._last_version = state.version
            if state.received_s > 0.0:
                now = time.monotonic()
                self.latencies_ms.append(1000.0 * (now + self._ahead_s() - state.received_s))
                self.latency_count += 1
        if self._incoming and self._fading is None:  # one crossfade at a time, in order
            renderer, report = self._incoming.popleft()
            report.first_sample = self.frames_written
            report.crossfade_ms = 1000.0 * self._crossfade_hops * self.renderer.hop_length \
                / self.sample_rate
            self._fading = (renderer, report, 0)
        block = self.renderer.render_hop(state)
        if self._fading is not None:
            renderer, report, done = self._fading
            hop = len(block)
            fresh = renderer.render_hop(state)
            sl = slice(done * hop, (done + 1) * hop)
            block = block * self._fade_out[sl] + fresh * self._fade[sl]
            done += 1
            if done >= self._crossfade_hops:
                report.last_sample = self.frames_written + hop
                report.heard_s = time.monotonic() + self._ahead_s() + hop / self.sample_rate
                self.renderer = renderer
                self._fading = None
                self.swaps.append(report)
            else:
                self._fading = (renderer, report, done)
        self._ring.write(block)
        self.frames_written += len(block)
        if self.recorder is not None and self.device is not None:
            self.recorder.put(block)
        self._status = self.renderer.status(self.underruns)
        if self.on_hop is not None:
            self.on_hop(self)

    def _prefill(self) -> None:
        # one block more than the steady state: the first callback drains it while the
        # renderer learns when callbacks happen
        while self._ring.read_available < self.buffer_frames + self._block:
            self._render()

    def _renderer_loop(self) -> None:
        self.realtime = realtime_priority()
        try:
            self._renderer_steps()
        except Exception:  # noqa: BLE001 - report, and let the owner see the engine stopped
            log.exception("renderer stopped")
            self.failed = True
            self._stop.set()

    def _start_action(self) -> None:
        self._prefill()
        self._action = self._mixer.play_ringbuffer(self._ring)

    def _renderer_steps(self) -> None:
        last_fill = self._ring.read_available
        next_callback = time.monotonic() + self._period_s
        while not self._stop.is_set():
            if self._mixer is not None:
                if self._action not in self._mixer.actions:
                    self.underruns += 1
                    if len(self.underrun_times) < 1000:
                        now = time.monotonic()
                        self.underrun_times.append(now)
                        self.underrun_context.append((round(1000 * (now - self._last_render_s), 2),
                                                      round(1000 * (now - next_callback), 2),
                                                      round(1000 * self._last_render_cost_s, 2)))
                    self._start_action()
                    last_fill = self._ring.read_available
                    continue
            now = time.monotonic()
            fill = self._ring.read_available
            if fill < last_fill:  # a callback ran at some moment before now
                if now < next_callback:  # earlier than predicted: follow it at once
                    next_callback = now + self._period_s
                else:  # we may have looked late: keep the beat, drift towards it slowly
                    next_callback += self._period_s + 0.1 * (now - next_callback)
            elif now > next_callback + 0.5 * self._period_s:
                next_callback += self._period_s  # no callback seen: keep the beat
            last_fill = fill
            if fill < self.buffer_frames:
                due = next_callback - self._margin_s
                if now >= due:
                    self._render()
                    self._last_render_s = now
                    self._last_render_cost_s = time.monotonic() - now
                    last_fill = self._ring.read_available
                    continue
                time.sleep(min(due - now, 0.002))
            else:  # ring ready: watch for the callback, so the next deadline is known precisely
                time.sleep(POLL_S)

    # -- device-free clock ---------------------------------------------------------------

    def _clock_loop(self) -> None:
        realtime_priority(RT_PRIORITY + 5)  # stands in for the device: it must not be late
        block = np.zeros((self._block, self.channels), dtype=np.float32)
        period = len(block) / self.sample_rate
        deadline = time.monotonic()
        while not self._stop.is_set():
            deadline += period
            delay = deadline - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            got = self._ring.readinto(block)
            if got < len(block):
                self.underruns += 1
                if len(self.underrun_times) < 1000:
                    self.underrun_times.append(time.monotonic())
                block[got:] = 0.0
            self.frames_out += len(block)
            if self.recorder is not None:
                self.recorder.put(block)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Prefill, open the output (or the clock) and start the threads.

        Raises:
            AudioDeviceError: the device cannot be opened (nothing is left running).
        """
        self._prefill()
        if self.device is not None:
            self._open_device()
            self._start_action()
        else:
            self._threads.append(threading.Thread(target=self._clock_loop, name="clock",
                                                  daemon=True))
        self._threads.append(threading.Thread(target=self._renderer_loop, name="renderer",
                                              daemon=True))
        for thread in self._threads:
            thread.start()

    def _open_device(self) -> None:
        import_sounddevice()
        import rtmixer

        try:
            with quiet_stderr() as lines:
                mixer = rtmixer.Mixer(device=self.device, channels=self.channels,
                                      samplerate=self.sample_rate, blocksize=self.blocksize,
                                      latency="low")
                mixer.start()
        except Exception as exc:  # noqa: BLE001 - PortAudio/rtmixer raise several types
            for line in lines:
                log.debug("portaudio: %s", line)
            raise AudioDeviceError(f"cannot open audio device {self.device!r}: {exc}") from None
        self._mixer = mixer
        self._device_latency_s = float(mixer.latency)

    def stop(self) -> None:
        """Stop threads and the stream, close the recording. Safe to call twice."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2.0)
        self._threads.clear()
        if self._mixer is not None:
            with contextlib.suppress(Exception):
                self._mixer.stop()
                self._mixer.close()
        if self.recorder is not None:
            self.recorder.close()  # kept: its summary() says what the file holds
