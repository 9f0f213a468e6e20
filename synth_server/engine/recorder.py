"""Recording the output to a WAV file without ever hurting the sound, or claiming a file it lost.

- **The audio side never waits and never allocates**: :meth:`WavRecorder.put` copies a block into
  a preallocated ring (``queue_s`` seconds, 4 s by default: 1.5 MB at 48 kHz stereo float32).
  When the writer is that far behind (a stalled disk), the block is dropped and counted in
  ``dropped_frames``; nothing grows.
- **A writer thread** empties the ring into the file every ``POLL_S`` (0.25 s) and, every
  ``header_interval_s`` (1 s), rewrites the WAV header (libsndfile's ``SFC_UPDATE_HEADER_NOW``):
  a process killed with SIGKILL leaves a file whose header counts the samples on disk, to within
  that interval. (``SoundFile.flush()`` only fsyncs; it leaves the header at 0 samples.)
- **Limits**: a size cap (``max_bytes``; a WAV cannot exceed 4 GiB) and a free-space reserve
  (``min_free_bytes``) checked at start (the recorder refuses to start) and every
  ``header_interval_s`` while recording (it stops, leaving a valid file, before the disk is full).
- **A failed write** (disk full, I/O error) stops the recording, logs one line and sets
  ``failed``; the audio keeps playing. :meth:`summary` says whether the file holds the whole
  session (``complete``) and, when not, why (``error``).

Numbers: 48 kHz stereo float32 is 384 000 bytes a second, 1382.4 MB (10^6 bytes) an hour.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

log = logging.getLogger(__name__)

MB = 1_000_000
DEFAULT_MAX_MB = 2048.0
"""Default size cap: about 1 h 29 min at 48 kHz stereo float32."""
DEFAULT_MIN_FREE_MB = 256.0
"""Default free-space reserve: recording refuses to start, or stops, below it."""
WAV_MAX_MB = 4000.0
"""Largest cap allowed: a WAV's sizes are 32-bit (4 GiB = 4295 MB), with room for the header."""
QUEUE_S = 4.0
HEADER_INTERVAL_S = 1.0
POLL_S = 0.25  # the writer's longest sleep (a quarter of the ring at most: see _poll_s)
_HEADER_BYTES = 4096  # kept free under the cap for the header and trailing chunks
_SFC_UPDATE_HEADER_NOW = 0x1060


class RecordError(OSError):
    """A recording cannot start; ``str()`` is one line."""


def free_bytes(folder: str | Path) -> int:
    """Bytes an unprivileged process may still write on the file system of ``folder``."""
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def _existing_folder(path: Path) -> Path:
    folder = path.parent.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_free_space(path: str | Path, min_free_bytes: int) -> None:
    """Raise :class:`RecordError` when the disk ``path`` would go to has less than
    ``min_free_bytes`` free."""
    folder = _existing_folder(Path(path))
    try:
        free = free_bytes(folder)
    except OSError as exc:
        raise RecordError(f"could not start recording to {path}: {exc}") from None
    if free < min_free_bytes:
        raise RecordError(f"could not start recording to {path}: only {free / MB:.0f} MB free "
                          f"on {folder}, the recording keeps {min_free_bytes / MB:.0f} MB free")


def duration_text(seconds: float) -> str:
    """``1 h 29 min`` / ``12 min`` / ``40 s``."""
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


@dataclass(frozen=True)
class RecordSpec:
    """Where and within which limits to record (picklable: it travels to the audio process).

    Attributes:
        path: the WAV file.
        max_bytes: size cap of the file.
        min_free_bytes: free space the recording leaves on its disk.
    """

    path: str
    max_bytes: int = int(DEFAULT_MAX_MB * MB)
    min_free_bytes: int = int(DEFAULT_MIN_FREE_MB * MB)

    def cap_seconds(self, sample_rate: int, channels: int) -> float:
        """How long the cap lasts at ``sample_rate`` Hz and ``channels`` float32 channels."""
        return (self.max_bytes - _HEADER_BYTES) / (4 * channels * sample_rate)


def open_recorder(target: str | Path | RecordSpec, sample_rate: int, channels: int,
                  **kwargs: Any) -> "WavRecorder":
    """A :class:`WavRecorder` for a path (default limits) or a :class:`RecordSpec`."""
    if isinstance(target, RecordSpec):
        kwargs = {"max_bytes": target.max_bytes, "min_free_bytes": target.min_free_bytes,
                  **kwargs}
        target = target.path
    return WavRecorder(target, sample_rate, channels, **kwargs)


class WavRecorder:
    """Writes float32 blocks to a WAV file from a background thread (see the module docstring).

    Args:
        path: output file (its folder is created).
        sample_rate: Hz.
        channels: channel count.
        max_bytes: size cap of the file; the recording stops there (``stopped`` says so).
        min_free_bytes: free space to leave on the disk: refuse to start below it, stop when
            the disk gets there.
        queue_s: seconds of audio the ring holds for a slow disk.
        header_interval_s: how often the header is rewritten and the free space checked.
        thread_setup: called first in the writer thread (e.g. to raise its priority).
    Raises:
        RecordError: not enough free space.
        OSError, RuntimeError: the file cannot be created.

    Attributes:
        frames: frames written to the file.
        dropped_frames: frames :meth:`put` dropped because the ring was full.
        failed: why writing failed (the file lacks audio from then on), or None.
        stopped: why the recording stopped early with a valid file (cap, disk nearly full),
            or None.
    """

    def __init__(self, path: str | Path, sample_rate: int, channels: int, *,
                 max_bytes: int = int(DEFAULT_MAX_MB * MB),
                 min_free_bytes: int = int(DEFAULT_MIN_FREE_MB * MB),
                 queue_s: float = QUEUE_S, header_interval_s: float = HEADER_INTERVAL_S,
                 thread_setup: Optional[Callable[[], Any]] = None):
        import soundfile as sf

        self.path = Path(path)
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.max_bytes = int(max_bytes)
        self.min_free_bytes = int(min_free_bytes)
        self.header_interval_s = float(header_interval_s)
        self._frame_bytes = 4 * self.channels
        self._max_frames = max(0, (self.max_bytes - _HEADER_BYTES) // self._frame_bytes)
        check_free_space(self.path, self.min_free_bytes)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = sf.SoundFile(str(self.path), "w", samplerate=self.sample_rate,
                                  channels=self.channels, subtype="FLOAT", format="WAV")
        self._ring = np.zeros((max(1, int(queue_s * self.sample_rate)), self.channels),
                              dtype=np.float32)
        self._ring[:] = 0.0  # touch every page now, not on the audio path
        # single producer (put) / single consumer (writer): each counter has one writer
        self._written = 0  # frames put into the ring since start
        self._read = 0  # frames taken out of it
        self.frames = 0
        self.dropped_frames = 0
        self.failed: Optional[str] = None
        self.stopped: Optional[str] = None
        self.header_updates = 0
        self._no_header_updates = False
        self._active = True  # False once the recording ended: put() returns at once
        self._closing = False
        self._closed = False
        self._lock = threading.Lock()  # close() against the writer's own early close
        self._wake = threading.Event()  # close() wakes the writer at once
        self._poll_s = min(POLL_S, 0.25 * len(self._ring) / self.sample_rate)
        self._thread_setup = thread_setup
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    # -- audio side ------------------------------------------------------------------------

    def put(self, block: np.ndarray) -> None:
        """Copy ``block`` [frames, channels] into the ring; never waits, never allocates.
        A block that does not fit is dropped and counted in ``dropped_frames``."""
        if not self._active:
            return
        n = len(block)
        size = len(self._ring)
        start = self._written
        if n > size - (start - self._read):
            self.dropped_frames += n
            return
        i = start % size
        k = min(n, size - i)
        self._ring[i:i + k] = block[:k]
        if k < n:
            self._ring[:n - k] = block[k:]
        self._written = start + n

    # -- writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        if self._thread_setup is not None:
            with contextlib.suppress(Exception):
                self._thread_setup()
        next_check = time.monotonic() + self.header_interval_s
        while self._active:
            closing = self._closing
            self._drain()
            if closing or not self._active:
                break
            now = time.monotonic()
            if now >= next_check:
                next_check = now + self.header_interval_s
                self._update_header()
                self._check_space()
            self._wake.wait(min(self._poll_s, max(next_check - time.monotonic(), 0.0)))

    def _drain(self) -> None:
        size = len(self._ring)
        start = self._read
        n = self._written - start
        if n <= 0:
            return
        room = self._max_frames - self.frames
        take = min(n, room)
        i = start % size
        k = min(take, size - i)
        try:
            if k:
                self._file.write(self._ring[i:i + k])
            if take > k:
                self._file.write(self._ring[:take - k])
        except Exception as exc:  # noqa: BLE001 - any write error ends the recording
            self._end(failed=f"write failed: {self._error_text(exc)}")
            return
        self.frames += take
        self._read = start + n
        if take < n:
            self._end(stopped=f"size cap of {self.max_bytes / MB:g} MB reached after "
                              f"{duration_text(self.frames / self.sample_rate)}")

    def _error_text(self, exc: BaseException) -> str:
        """libsndfile's own message ("System error : No space left on device.") when it has
        one: the exception only says "System error"."""
        with contextlib.suppress(Exception):
            from soundfile import _ffi, _snd

            text = _ffi.string(_snd.sf_strerror(self._file._file)).decode("utf-8", "replace")
            if text.strip():
                return " ".join(text.split())
        return _one_line(exc)

    def _update_header(self) -> None:
        if self._no_header_updates:
            return
        try:
            from soundfile import _ffi, _snd  # private: libsndfile's sf_command

            command, handle = _snd.sf_command, self._file._file
        except (ImportError, AttributeError) as exc:  # a soundfile without them: record on
            self._no_header_updates = True
            log.warning("this soundfile cannot rewrite a WAV header while recording (%s): a "
                        "killed server would leave a header of 0 samples", _one_line(exc))
            return
        try:
            command(handle, _SFC_UPDATE_HEADER_NOW, _ffi.NULL, 0)
            self.header_updates += 1
        except Exception as exc:  # noqa: BLE001 - a header that cannot be written is a failure
            self._end(failed=f"header update failed: {_one_line(exc)}")

    def _check_space(self) -> None:
        try:
            free = free_bytes(self.path.parent)
        except OSError:
            return
        if free < self.min_free_bytes:
            self._end(stopped=f"the disk is nearly full ({free / MB:.0f} MB free, the "
                              f"recording keeps {self.min_free_bytes / MB:.0f} MB free)")

    def _end(self, failed: Optional[str] = None, stopped: Optional[str] = None) -> None:
        """Stop recording (writer thread): close the file, say why in one log line."""
        self._active = False
        self.failed, self.stopped = failed, stopped
        self._close_file()
        log.warning("recording stopped: %s; %s holds the first %s; the sound goes on",
                    failed or stopped, self.path, duration_text(self.frames / self.sample_rate))

    def _close_file(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._file.close()
            except Exception as exc:  # noqa: BLE001 - the header could not be written
                if self.failed is None:
                    self.failed = f"closing the file failed: {_one_line(exc)}"

    # -- owner -----------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """True once the recording stopped by itself (``failed`` or ``stopped`` says why)."""
        return self.failed is not None or self.stopped is not None

    def close(self) -> None:
        """Write what is queued and close the file (the WAV header is then complete).
        Safe to call twice."""
        self._closing = True
        self._wake.set()
        self._thread.join()
        self._active = False
        self._close_file()

    def summary(self) -> dict[str, Any]:
        """What the file holds: {"path", "frames", "seconds", "bytes", "dropped_frames",
        "complete", "failed", "error"}. ``complete`` is true only when the file is closed and
        holds every frame played while it recorded; otherwise ``error`` says why not.
        ``failed``: a write failed (rather than a limit stopping the recording)."""
        error = self.failed or self.stopped
        if error is None and self.dropped_frames:
            error = (f"{self.dropped_frames} frames "
                     f"({self.dropped_frames / self.sample_rate:.2f} s) dropped: the disk "
                     "was too slow")
        if error is None and not self._closed:
            error = "the recording has not been closed"
        return {"path": str(self.path), "frames": self.frames,
                "seconds": round(self.frames / self.sample_rate, 3),
                "bytes": self.frames * self._frame_bytes, "dropped_frames": self.dropped_frames,
                "complete": error is None, "failed": self.failed is not None, "error": error}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
