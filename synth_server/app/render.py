"""Offline rendering from a pad path or a score, through the same Controller and Renderer as serve.

A *score* is a CSV of rows ``time_s,address,arg1,arg2,...`` (any message the server accepts,
applied at its time); a *pad path* is a CSV with header ``time_s,x,y``, followed linearly
between its rows. Messages are applied at
the first hop boundary at or after their time (hop = 5.33 ms at 48 kHz / 256).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Optional

import numpy as np

from synth_server.control.controller import ControlState, Controller
from synth_server.nav.surrogate import playable_surrogate
from synth_server.nav.maps import navigation_of
from synth_server.engine.renderer import Renderer
from synth_server.artifacts.checkpoint import Checkpoint

ScoreEvent = tuple[float, str, tuple[Any, ...]]
RENDER_BLOCK_HOPS = 256  # hops synthesised per batch (same samples as hop by hop)


class ScoreError(ValueError):
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


def read_score(path: str | Path) -> list[ScoreEvent]:
    """Read a score CSV (optional header row starting with ``time_s``).

    Returns:
        Events sorted by time: (time_s, address, args).
    Raises:
        ScoreError: unreadable rows (bad time, missing address).
    """
    events: list[ScoreEvent] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
                continue
            if row[0].strip() == "time_s":
                continue
            if len(row) < 2 or not row[1].strip().startswith("/"):
                raise ScoreError(f"{path}:{line_no}: expected time_s,address,args...")
            try:
                time_s = float(row[0])
            except ValueError:
                raise ScoreError(f"{path}:{line_no}: bad time {row[0]!r}") from None
            args = tuple(parse_value(v) for v in row[2:] if v.strip() != "")
            events.append((time_s, row[1].strip(), args))
    return sorted(events, key=lambda e: e[0])


def read_pad_path(path: str | Path, step_s: float = 0.01) -> list[ScoreEvent]:
    """Read a ``time_s,x,y`` CSV into /pad events, moving linearly between its rows.

    Args:
        path: CSV file with header ``time_s,x,y``.
        step_s: spacing of the interpolated /pad events (s); a row that follows another at the
            same time is a jump.
    Raises:
        ScoreError: missing columns or non-numeric values.
    """
    events: list[ScoreEvent] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"time_s", "x", "y"} <= set(reader.fieldnames):
            raise ScoreError(f"{path}: needs a header with columns time_s,x,y")
        for line_no, row in enumerate(reader, start=2):
            try:
                events.append((float(row["time_s"]), "/pad", (float(row["x"]), float(row["y"]))))
            except (TypeError, ValueError):
                raise ScoreError(f"{path}:{line_no}: non-numeric value") from None
    events.sort(key=lambda e: e[0])
    path_events: list[ScoreEvent] = []
    for (t0, _, (x0, y0)), (t1, _, (x1, y1)) in zip(events, events[1:]):
        n = int(round((t1 - t0) / step_s))
        for i in range(n):
            a = i / n
            path_events.append((t0 + a * (t1 - t0), "/pad", (x0 + a * (x1 - x0),
                                                             y0 + a * (y1 - y0))))
    return path_events + events[-1:]


def render_events(checkpoint: Checkpoint, events: list[ScoreEvent],
                  duration_s: Optional[float] = None, initial: ControlState = ControlState(),
                  channels: int = 2, phase: str = "peak") -> tuple[np.ndarray, list[str]]:
    """Render events offline.

    Args:
        checkpoint: model.
        events: (time_s, address, args), any order.
        duration_s: output length; default last event + 1 s.
        initial: starting control state.
        channels: output channels.
        phase: phase reconstruction ("peak" or "rtpghi").
    Returns:
        (audio [n_samples, channels] float32, error lines for rejected events).
    """
    renderer = Renderer(checkpoint, channels=channels, phase=phase)
    navigation = navigation_of(checkpoint)
    surrogate = playable_surrogate(checkpoint)
    controller = Controller(lambda: renderer.status(0), initial, navigation=lambda: navigation,
                            attributes=lambda: checkpoint.attributes,
                            descriptors=lambda: surrogate, heatmaps=lambda: checkpoint.heatmaps)
    events = sorted(events, key=lambda e: e[0])
    if duration_s is None:
        duration_s = (events[-1][0] if events else 0.0) + 1.0
    hop = renderer.hop_length
    n_hops = int(np.ceil(duration_s * renderer.sample_rate / hop))
    targets = np.empty((n_hops, renderer.latent_dim), dtype=np.float64)
    gains = np.empty(n_hops, dtype=np.float64)
    errors: list[str] = []
    next_event = 0
    for h in range(n_hops):
        now = h * hop / renderer.sample_rate
        while next_event < len(events) and events[next_event][0] <= now:
            time_s, address, args = events[next_event]
            next_event += 1
            try:
                controller.dispatch(address, args)
            except ValueError as exc:
                errors.append(f"{time_s:.3f}s {address}: {exc}")
        targets[h] = renderer.target_for(controller.state)
        gains[h] = controller.state.gain
    out = np.concatenate([renderer.render_block(targets[i:i + RENDER_BLOCK_HOPS],
                                                gains[i:i + RENDER_BLOCK_HOPS])
                          for i in range(0, n_hops, RENDER_BLOCK_HOPS)]) if n_hops else \
        np.zeros((0, channels), dtype=np.float32)
    return out[: int(round(duration_s * renderer.sample_rate))], errors
