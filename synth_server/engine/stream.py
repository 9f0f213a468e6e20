"""The real-time engine: renderer thread → ring buffer → audio callback (or a device-free clock).

- The **renderer thread** keeps the ring buffer filled to ``buffer_frames`` (that fill is the
  engine's latency) by calling :meth:`Renderer.render_hop`.
- With a device, the **audio callback is rtmixer's C callback**, which copies from the lock-free
  PortAudio ring buffer: no Python, so no GIL, runs at audio time. When the ring buffer runs short
  rtmixer ends the playback action; the renderer thread sees that, counts an underrun, refills and
  starts a new action.
- With no device, a **clock thread** consumes ``blocksize`` frames every ``blocksize /
  sample_rate`` seconds (catching up when late) and hands them to the recorder, so the session is
  still played in real time and recorded.
- The **recorder** thread writes a WAV (soundfile) from a queue; closing it leaves a valid file.
"""
from __future__ import annotations

import contextlib
import logging
import os
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from synth_server.control.controller import ControlState, EngineStatus
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


class WavRecorder:
    """Writes stereo float32 blocks to a WAV file from a background thread.

    Args:
        path: output file (its folder is created).
        sample_rate: Hz.
        channels: channel count.
    """

    def __init__(self, path: str | Path, sample_rate: int, channels: int):
        import soundfile as sf

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = sf.SoundFile(str(self.path), "w", samplerate=sample_rate, channels=channels,
                                  subtype="FLOAT", format="WAV")
        self._queue: "queue.SimpleQueue[Optional[np.ndarray]]" = queue.SimpleQueue()
        self.frames = 0
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    def put(self, block: np.ndarray) -> None:
        """Queue a copy of ``block`` [frames, channels]."""
        self._queue.put(np.array(block, dtype=np.float32, copy=True))

    def _run(self) -> None:
        while True:
            block = self._queue.get()
            if block is None:
                break
            self._file.write(block)
            self.frames += len(block)

    def close(self) -> None:
        """Write what is queued and close the file (the WAV header is then complete)."""
        self._queue.put(None)
        self._thread.join()
        self._file.close()


def _ring_size(frames: int) -> int:
    size = 1
    while size < frames:
        size *= 2
    return size


class Engine:
    """Owns the renderer thread, the ring buffer, the output and the recorder.

    Args:
        renderer: the hop renderer.
        state: callable returning the newest :class:`ControlState`.
        device: PortAudio output device name/index, or None for no device (internal clock).
        blocksize: audio block in frames (0 lets PortAudio choose; the clock uses hop_length).
        buffer_ms: ring-buffer fill the renderer keeps ahead of the output (the engine latency).
        record_path: WAV to record to, or None.
    Raises:
        AudioDeviceError: (from :meth:`start`) the device cannot be opened.
    """

    def __init__(self, renderer: Renderer, state: Callable[[], ControlState],
                 device: Any = None, blocksize: int = 256, buffer_ms: float = 20.0,
                 record_path: Optional[str | Path] = None):
        import rtmixer

        self.renderer = renderer
        self._state = state
        self.device = device
        self.sample_rate = renderer.sample_rate
        self.channels = renderer.channels
        self.blocksize = blocksize
        hop = renderer.hop_length
        wanted = int(round(buffer_ms / 1000.0 * self.sample_rate))
        self.buffer_frames = max(hop, blocksize, -(-wanted // hop) * hop)
        self._ring = rtmixer.RingBuffer(4 * self.channels,
                                        _ring_size(4 * (self.buffer_frames + hop + blocksize)))
        self.underruns = 0
        self.frames_out = 0
        self.failed = False
        self.recorder = WavRecorder(record_path, self.sample_rate, self.channels) \
            if record_path else None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._mixer: Any = None
        self._action: Any = None
        self._status = renderer.status(0)

    # -- status --------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """Latest :class:`EngineStatus` (published by the renderer thread once per hop)."""
        return self._status

    @property
    def latency_ms(self) -> float:
        """Ring-buffer fill plus the device's reported output latency, in ms."""
        device_s = float(self._mixer.latency) if self._mixer is not None else 0.0
        return 1000.0 * (self.buffer_frames / self.sample_rate + device_s)

    # -- renderer side -------------------------------------------------------------------

    def _render_into_ring(self) -> None:
        block = self.renderer.render_hop(self._state())
        if self._ring.write_available < len(block):
            return
        self._ring.write(block)
        if self.recorder is not None and self.device is not None:
            self.recorder.put(block)
        self._status = self.renderer.status(self.underruns)

    def _prefill(self) -> None:
        while self._ring.read_available < self.buffer_frames:
            self._render_into_ring()

    def _renderer_loop(self) -> None:
        try:
            import torch

            torch.set_num_threads(1)
        except Exception:  # noqa: BLE001 - torch already configured
            pass
        try:
            self._renderer_steps()
        except Exception:  # noqa: BLE001 - report, and let the owner see the engine stopped
            log.exception("renderer stopped")
            self.failed = True
            self._stop.set()

    def _renderer_steps(self) -> None:
        while not self._stop.is_set():
            if self._mixer is not None and self._action not in self._mixer.actions:
                self.underruns += 1
                self._prefill()
                self._action = self._mixer.play_ringbuffer(self._ring)
                continue
            if self._ring.read_available < self.buffer_frames:
                self._render_into_ring()
            else:
                time.sleep(0.0005)

    # -- device-free clock ---------------------------------------------------------------

    def _clock_loop(self) -> None:
        block = np.zeros((self.renderer.hop_length, self.channels), dtype=np.float32)
        period = len(block) / self.sample_rate
        deadline = time.perf_counter()
        while not self._stop.is_set():
            deadline += period
            delay = deadline - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            got = self._ring.readinto(block)
            if got < len(block):
                self.underruns += 1
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
            self._action = self._mixer.play_ringbuffer(self._ring)
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
            self.recorder.close()
            self.recorder = None
