"""Offline rendering from a pad path, a score or a MIDI file, through the same Controller and
Renderer as serve.

A *score* is a CSV of rows ``time_s,address,arg1,arg2,...`` (any message the server accepts,
applied at its time); a *pad path* is a CSV with header ``time_s,x,y``, followed linearly
between its rows. Messages are applied at
the first hop boundary at or after their time (hop = 5.33 ms at 48 kHz / 256).

Times are seconds, finite, >= 0 and at most ``MAX_RENDER_S`` (4 h); the audio is produced in
blocks (:class:`OfflineRender`), so memory does not grow with the duration.
"""
from __future__ import annotations

import bisect
import contextlib
import csv
import heapq
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

import numpy as np

from synth_server.core.config import MAX_RENDER_S, model_family
from synth_server.app.wiring import Steering, build_controller
from synth_server.control.controller import ControlState
from synth_server.control.midi import MidiError, midi_file_events
from synth_server.engine.realtime import CallbackEngine
from synth_server.engine.renderer import Renderer
from synth_server.artifacts.checkpoint import Checkpoint

ScoreEvent = tuple[float, str, tuple[Any, ...]]
RENDER_BLOCK_HOPS = 256  # hops synthesised per batch (same samples as hop by hop)
DEFAULT_TAIL_S = 1.0  # a render without a duration ends this long after its last event


class RenderError(ValueError):
    """Offline render input out of range (a duration, an event out of time order)."""


class ScoreError(RenderError):
    """A score or pad-path file that cannot be read; the message names file and line."""


def parse_value(text: str) -> Any:
    """A CSV or command-line argument as an OSC value: int, then float, else the string."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def time_problem(value: float, max_time_s: float = MAX_RENDER_S) -> Optional[str]:
    """Why a time in seconds is refused, or None when it is usable.

    Args:
        value: time or duration (s).
        max_time_s: largest accepted value (s).
    Returns:
        ``"is not a finite number"``, ``"is negative"``, ``"is past the ... limit"`` or None.
    """
    if not math.isfinite(value):
        return "is not a finite number"
    if value < 0:
        return "is negative"
    if value > max_time_s:
        return f"is past the {max_time_s:g} s ({max_time_s / 3600:g} h) limit"
    return None


def _read_time(text: str, where: str, max_time_s: float) -> float:
    """A CSV time cell in seconds; raises ScoreError naming ``where`` (``file:line``)."""
    try:
        value = float(text)
    except ValueError:
        raise ScoreError(f"{where}: bad time {text!r}") from None
    problem = time_problem(value, max_time_s)
    if problem is not None:
        raise ScoreError(f"{where}: time {text.strip()!r} {problem}")
    return value


@contextlib.contextmanager
def _csv_errors(path: str | Path) -> Iterator[None]:
    """Turn a file that is not UTF-8 text or not CSV into a ScoreError naming ``path``."""
    try:
        yield
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ScoreError(f"{path}: not a UTF-8 CSV file ({exc})") from None


def read_score(path: str | Path, max_time_s: float = MAX_RENDER_S) -> list[ScoreEvent]:
    """Read a score CSV (optional header row starting with ``time_s``).

    Args:
        path: CSV file of rows ``time_s,address,arg1,...``.
        max_time_s: latest accepted event time (s).
    Returns:
        Events sorted by time (stable: rows at the same time keep their order):
        (time_s, address, args). Memory grows with the file, not with the times in it.
    Raises:
        ScoreError: unreadable rows (bad, non-finite, negative or too late time; missing
            address), naming file and line; a file that is not UTF-8 CSV.
        OSError: the file cannot be opened.
    """
    events: list[ScoreEvent] = []
    with open(path, newline="", encoding="utf-8") as fh, _csv_errors(path):
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
                continue
            if row[0].strip() == "time_s":
                continue
            if len(row) < 2 or not row[1].strip().startswith("/"):
                raise ScoreError(f"{path}:{line_no}: expected time_s,address,args...")
            time_s = _read_time(row[0], f"{path}:{line_no}", max_time_s)
            args = tuple(parse_value(v) for v in row[2:] if v.strip() != "")
            events.append((time_s, row[1].strip(), args))
    return sorted(events, key=lambda e: e[0])


def read_midi(path: str | Path, max_time_s: float = MAX_RENDER_S) -> list[ScoreEvent]:
    """Read a Standard MIDI File as score events: the messages ``serve --midi`` makes of its
    notes, pitch bend, pedal and controllers (:func:`synth_server.control.midi.translate`),
    at the times mido computes from the file's tempo map.

    Args:
        path: .mid file.
        max_time_s: latest accepted event time (s).
    Returns:
        (time_s, address, args) in time order.
    Raises:
        ScoreError: unreadable, corrupt, too large or too long a file (one line).
    """
    try:
        return midi_file_events(path, max_time_s=max_time_s)
    except MidiError as exc:
        raise ScoreError(str(exc)) from None


class PadPath(Sequence[ScoreEvent]):
    """The /pad events of a pad path, computed when asked for: memory grows with the rows of
    the file, not with its duration (a 4-hour path is 1.44 million events at 10 ms).

    Event ``k`` inside the segment from row (t0, x0, y0) to row (t1, x1, y1), split into
    ``n = round((t1 - t0) / step_s)`` steps, is ``(t0 + a (t1 - t0), "/pad", (x0 + a (x1 - x0),
    y0 + a (y1 - y0)))`` with ``a = i / n``, ``i = 0 .. n-1``; the last row closes the path.
    Segments shorter than half a step add nothing (a row followed by another at the same time
    is a jump). Events are in time order.

    Args:
        rows: (time_s, x, y) rows sorted by time.
        step_s: spacing of the interpolated events (s), > 0.
    """

    def __init__(self, rows: Sequence[tuple[float, float, float]], step_s: float = 0.01):
        self._segments: list[tuple[float, float, float, float, float, float, int]] = []
        self._starts: list[int] = []  # index of each segment's first event
        count = 0
        for (t0, x0, y0), (t1, x1, y1) in zip(rows, rows[1:]):
            n = int(round((t1 - t0) / step_s))
            if n > 0:
                self._starts.append(count)
                self._segments.append((t0, x0, y0, t1, x1, y1, n))
                count += n
        self._last: Optional[ScoreEvent] = (
            (rows[-1][0], "/pad", (rows[-1][1], rows[-1][2])) if len(rows) else None)
        self._len = count + (1 if self._last is not None else 0)

    @property
    def end_s(self) -> Optional[float]:
        """Time of the last event (s), or None for an empty path."""
        return None if self._last is None else self._last[0]

    def __len__(self) -> int:
        return self._len

    @staticmethod
    def _event(segment: tuple[float, float, float, float, float, float, int], i: int
               ) -> ScoreEvent:
        t0, x0, y0, t1, x1, y1, n = segment
        a = i / n
        return (t0 + a * (t1 - t0), "/pad", (x0 + a * (x1 - x0), y0 + a * (y1 - y0)))

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        index = int(index)
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("pad path index out of range")
        if index == self._len - 1:
            return self._last
        k = bisect.bisect_right(self._starts, index) - 1
        return self._event(self._segments[k], index - self._starts[k])

    def __iter__(self) -> Iterator[ScoreEvent]:
        for segment in self._segments:
            for i in range(segment[-1]):
                yield self._event(segment, i)
        if self._last is not None:
            yield self._last


def read_pad_path(path: str | Path, step_s: float = 0.01,
                  max_time_s: float = MAX_RENDER_S) -> PadPath:
    """Read a ``time_s,x,y`` CSV into /pad events, moving linearly between its rows.

    Args:
        path: CSV file with header ``time_s,x,y``.
        step_s: spacing of the interpolated /pad events (s); a row that follows another at the
            same time is a jump.
        max_time_s: latest accepted row time (s).
    Returns:
        A :class:`PadPath`: a sequence of (time_s, "/pad", (x, y)) in time order, computed on
        demand.
    Raises:
        ScoreError: missing columns, non-numeric or non-finite values, negative or too late
            times, naming file and line; a file that is not UTF-8 CSV.
        OSError: the file cannot be opened.
    """
    rows: list[tuple[float, float, float]] = []
    with open(path, newline="", encoding="utf-8") as fh, _csv_errors(path):
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"time_s", "x", "y"} <= set(reader.fieldnames):
            raise ScoreError(f"{path}: needs a header with columns time_s,x,y")
        for line_no, row in enumerate(reader, start=2):
            where = f"{path}:{line_no}"
            try:
                time_s, x, y = float(row["time_s"]), float(row["x"]), float(row["y"])
            except (TypeError, ValueError):
                raise ScoreError(f"{where}: non-numeric value") from None
            _read_time(row["time_s"], where, max_time_s)
            for name, value in (("x", x), ("y", y)):
                if not math.isfinite(value):
                    raise ScoreError(f"{where}: {name} {row[name].strip()!r} is not a finite "
                                     "number")
            rows.append((time_s, x, y))
    rows.sort(key=lambda r: r[0])
    return PadPath(rows, step_s)


def events_end_s(*sources: Sequence[ScoreEvent]) -> Optional[float]:
    """Latest event time (s) of time-sorted event sequences, or None when all are empty."""
    ends = [source[-1][0] for source in sources if len(source)]
    return max(ends) if ends else None


def merge_events(*sources: Iterable[ScoreEvent]) -> Iterator[ScoreEvent]:
    """Time-sorted event sources merged lazily into one time-sorted stream; events at the same
    time keep the order of their sources (as ``sorted(a + b)`` would)."""
    return heapq.merge(*sources, key=lambda e: e[0])


class OfflineRender:
    """An offline render, produced block by block: memory does not grow with the duration.

    Args:
        checkpoint: model.
        events: (time_s, address, args) in time order (a list or tuple may be in any order: it
            is sorted here; any other iterable, e.g. :class:`PadPath` or :func:`merge_events`,
            is read lazily while rendering).
        duration_s: output length (s), finite, 0 .. ``max_duration_s``.
        initial: starting control state.
        channels: output channels.
        phase: phase reconstruction ("peak" or "rtpghi").
        max_duration_s: longest accepted ``duration_s`` (s).
    Raises:
        RenderError: ``duration_s`` non-finite, negative or over ``max_duration_s``.
        ValueError: unknown ``phase``.

    Attributes:
        sample_rate: Hz.
        channels: output channels.
        n_samples: frames :meth:`blocks` yields in all (``round(duration_s * sample_rate)``).
        errors: ``"<time>s <address>: <reason>"`` for each rejected event, filled while
            rendering.
    """

    def __init__(self, checkpoint: Checkpoint, events: Iterable[ScoreEvent], duration_s: float,
                 initial: ControlState = ControlState(), channels: int = 2, phase: str = "peak",
                 max_duration_s: float = MAX_RENDER_S):
        problem = time_problem(duration_s, max_duration_s)
        if problem is not None:
            raise RenderError(f"duration {duration_s!r} s {problem}")
        self.channels = channels
        self.engine: Optional[CallbackEngine] = None
        if model_family(checkpoint.stft) == "hpn":
            # notes: the live kernel itself, run hop by hop in this thread (the same samples
            # as serve; deterministic: fixed seeds, events applied at hop boundaries)
            self.engine = CallbackEngine(checkpoint, checkpoint.name, None,
                                         checkpoint.stft.hop_length, channels=channels)
            self.engine.publish(initial)
            self.sample_rate = self.engine.sample_rate
            self.hop_length = self.engine.hop_length
        else:
            self.renderer = Renderer(checkpoint, channels=channels, phase=phase)
            self.sample_rate = self.renderer.sample_rate
            self.hop_length = self.renderer.hop_length
        self.duration_s = float(duration_s)
        self.n_samples = int(round(duration_s * self.sample_rate))
        self.errors: list[str] = []
        self._events = sorted(events, key=lambda e: e[0]) if isinstance(events, (list, tuple)) \
            else events
        steering = Steering.of(checkpoint)
        if self.engine is not None:
            self.controller = build_controller(self.engine.status, initial, lambda: steering,
                                               on_change=self.engine.publish, notes=self.engine)
            return
        # Events see the engine as it is before rendering (as when every control target was
        # computed before any audio): a score renders the same whatever the block size.
        status = self.renderer.status(0)
        self.controller = build_controller(lambda: status, initial, lambda: steering)

    def blocks(self) -> Iterator[np.ndarray]:
        """The audio, in order: float32 arrays [frames, channels] of at most
        ``RENDER_BLOCK_HOPS * hop_length`` frames, ``n_samples`` frames in all.

        Raises:
            RenderError: an event earlier than the one before it in a lazily read stream.
        """
        hop, rate = self.hop_length, self.sample_rate
        n_hops = int(np.ceil(self.duration_s * rate / hop))
        events = iter(self._events)
        pending = next(events, None)
        last_time = -math.inf
        left = self.n_samples
        if self.engine is not None:
            yield from self._kernel_blocks(n_hops, events, pending)
            return
        renderer = self.renderer
        targets = np.empty((RENDER_BLOCK_HOPS, renderer.latent_dim), dtype=np.float64)
        gains = np.empty(RENDER_BLOCK_HOPS, dtype=np.float64)
        for first in range(0, n_hops, RENDER_BLOCK_HOPS):
            count = min(RENDER_BLOCK_HOPS, n_hops - first)
            for j in range(count):
                pending, last_time = self._dispatch_due((first + j) * hop / rate, events,
                                                        pending, last_time)
                targets[j] = renderer.target_for(self.controller.state)
                gains[j] = self.controller.state.gain
            block = renderer.render_block(targets[:count], gains[:count])[:left]
            left -= len(block)
            if len(block):
                yield block

    def _dispatch_due(self, now: float, events: Iterator[ScoreEvent],
                      pending: Optional[ScoreEvent], last_time: float
                      ) -> tuple[Optional[ScoreEvent], float]:
        """Apply the events due at ``now`` (s); returns the next pending event and the time of
        the last applied one."""
        while pending is not None and pending[0] <= now:
            time_s, address, args = pending
            if time_s < last_time:
                raise RenderError(f"event at {time_s:.3f}s comes after one at "
                                  f"{last_time:.3f}s: events must be in time order")
            last_time = time_s
            try:
                self.controller.dispatch(address, args)
            except ValueError as exc:
                self.errors.append(f"{time_s:.3f}s {address}: {exc}")
            pending = next(events, None)
        return pending, last_time

    def _kernel_blocks(self, n_hops: int, events: Iterator[ScoreEvent],
                       pending: Optional[ScoreEvent]) -> Iterator[np.ndarray]:
        """An hpn model's audio: the live kernel, one hop per call, events at hop boundaries."""
        assert self.engine is not None
        hop, rate = self.hop_length, self.sample_rate
        left = self.n_samples
        last_time = -math.inf
        for first in range(0, n_hops, RENDER_BLOCK_HOPS):
            count = min(RENDER_BLOCK_HOPS, n_hops - first)
            block = np.empty((count * hop, self.channels), dtype=np.float32)
            for j in range(count):
                pending, last_time = self._dispatch_due((first + j) * hop / rate, events,
                                                        pending, last_time)
                block[j * hop:(j + 1) * hop] = self.engine.render_offline(hop)
            block = block[:left]
            left -= len(block)
            if len(block):
                yield block


def render_events(checkpoint: Checkpoint, events: Iterable[ScoreEvent],
                  duration_s: Optional[float] = None, initial: ControlState = ControlState(),
                  channels: int = 2, phase: str = "peak",
                  max_duration_s: float = MAX_RENDER_S) -> tuple[np.ndarray, list[str]]:
    """Render events offline into one array (for short renders; the CLI streams
    :meth:`OfflineRender.blocks` to a file instead).

    Args:
        checkpoint: model.
        events: (time_s, address, args), any order (a list is sorted; see
            :class:`OfflineRender` for lazy streams).
        duration_s: output length (s); default last event + 1 s.
        initial: starting control state.
        channels: output channels.
        phase: phase reconstruction ("peak" or "rtpghi").
        max_duration_s: longest accepted duration (s).
    Returns:
        (audio [n_samples, channels] float32, error lines for rejected events).
    Raises:
        RenderError: ``duration_s`` non-finite, negative or too long.
    """
    if not isinstance(events, Sequence) or isinstance(events, (list, tuple)):
        events = sorted(events, key=lambda e: e[0])
    if duration_s is None:
        end = events_end_s(events)
        duration_s = (end if end is not None else 0.0) + DEFAULT_TAIL_S
    render = OfflineRender(checkpoint, events, duration_s, initial=initial, channels=channels,
                           phase=phase, max_duration_s=max_duration_s)
    blocks = list(render.blocks())
    audio = np.concatenate(blocks) if blocks else np.zeros((0, channels), dtype=np.float32)
    return audio, render.errors
