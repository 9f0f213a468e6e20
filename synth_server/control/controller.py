"""Validated control state and the dispatcher that turns OSC messages into new states.

The state is immutable; a message builds a new :class:`ControlState` and publishes it by replacing
one reference (atomic in CPython), so the renderer thread reads it without a lock.
The same :class:`Controller` serves live OSC and ``render --score``.
"""
from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np

from synth_server.control.addresses import OscArgumentError, lookup, validate

Reply = tuple[str, tuple[Any, ...]]


class UnknownAddressError(OscArgumentError):
    """Raised for an OSC address the table does not define."""


@dataclass(frozen=True)
class ControlState:
    """What the performer asked for (targets; the renderer smooths towards them).

    Attributes:
        pad: (x, y) in [0, 1].
        latent: direct latent target (prior standard deviations) or None to follow the pad.
        gain: linear output gain in [0, 1].
        version: increases with every published change.
    """

    pad: tuple[float, float] = (0.5, 0.5)
    latent: Optional[tuple[float, ...]] = None
    gain: float = 0.5
    version: int = 0


@dataclass(frozen=True)
class EngineStatus:
    """What /state reports about the sound (filled by the engine).

    Attributes:
        model_name: loaded checkpoint's name.
        latent_dim: its latent size.
        latent: the latent vector currently sounding (after smoothing).
        target_latent: the latent vector the sound is gliding to.
        underruns: audio blocks that found the ring buffer short.
        nan_frames: decoder frames replaced by silence because they were not finite.
    """

    model_name: str
    latent_dim: int
    latent: tuple[float, ...]
    target_latent: tuple[float, ...]
    underruns: int = 0
    nan_frames: int = 0


class Controller:
    """Dispatches OSC messages (address, values) to handlers and publishes the new state.

    Args:
        status: callable returning the current :class:`EngineStatus`.
        initial: first state.
        on_change: called with every newly published state (e.g. to copy it to the audio
            process); called under the writer lock, so calls are ordered.
    """

    def __init__(self, status: Callable[[], EngineStatus], initial: ControlState = ControlState(),
                 on_change: Optional[Callable[[ControlState], None]] = None):
        self._status = status
        self._state = initial
        self._on_change = on_change
        self._write_lock = threading.Lock()  # serialises writers; readers never take it

    @property
    def state(self) -> ControlState:
        """The newest published state (lock-free read)."""
        return self._state

    def _publish(self, **changes: Any) -> None:
        with self._write_lock:
            current = self._state
            self._state = dataclasses.replace(current, version=current.version + 1, **changes)
            if self._on_change is not None:
                self._on_change(self._state)

    def dispatch(self, path: str, values: Sequence[Any]) -> list[Reply]:
        """Validate and apply one message.

        Args:
            path: OSC address, e.g. "/pad".
            values: decoded OSC arguments.
        Returns:
            Replies to send back, as (address, args) with 32-bit-float-safe values.
        Raises:
            UnknownAddressError: address not in the table.
            OscArgumentError: arguments fit none of the address's forms.
        """
        address = lookup(path)
        if address is None:
            raise UnknownAddressError("unknown address")
        form, converted = validate(address, values)
        handler = getattr(self, form.handler)
        return handler(*converted) or []

    # -- handlers (names referenced from the address table) ---------------------------------

    def on_pad(self, x: float, y: float) -> list[Reply]:
        """/pad x y: follow the pad."""
        self._publish(pad=(x, y), latent=None)
        return []

    def on_latent_index(self, index: int, value: float) -> list[Reply]:
        """/latent i v: set one latent dimension, keeping the others where the sound is going."""
        status = self._status()
        if index >= status.latent_dim:
            raise OscArgumentError(f"index {index} >= latent_dim {status.latent_dim}")
        base = list(self._state.latent or status.target_latent)
        base += [0.0] * (status.latent_dim - len(base))
        base[index] = value
        self._publish(latent=tuple(base[: status.latent_dim]))
        return []

    def on_latent_vector(self, *values: float) -> list[Reply]:
        """/latent v1 ... vN: set the first N dimensions (extra values are ignored)."""
        status = self._status()
        base = list(self._state.latent or status.target_latent)
        base += [0.0] * (status.latent_dim - len(base))
        n = min(len(values), status.latent_dim)
        base[:n] = values[:n]
        self._publish(latent=tuple(base[: status.latent_dim]))
        return []

    def on_gain(self, gain: float) -> list[Reply]:
        """/gain g."""
        self._publish(gain=gain)
        return []

    def on_ping(self) -> list[Reply]:
        """/ping → /pong."""
        return [("/pong", ())]

    def on_state(self) -> list[Reply]:
        """/state → one reply per field."""
        status = self._status()
        state = self._state
        return [
            ("/state/model", (status.model_name,)),
            ("/state/latent_dim", (int(status.latent_dim),)),
            ("/state/latent", tuple(float(v) for v in status.latent)),
            ("/state/pad", (float(state.pad[0]), float(state.pad[1]))),
            ("/state/gain", (float(state.gain),)),
            ("/state/underruns", (int(status.underruns),)),
            ("/state/nan_frames", (int(status.nan_frames),)),
        ]


def latent_target(state: ControlState, to_latent: Callable[[np.ndarray], np.ndarray],
                  latent_dim: int) -> np.ndarray:
    """The latent vector [latent_dim] float64 that ``state`` asks for (pad through the manifold)."""
    if state.latent is None:
        return to_latent(np.asarray(state.pad, dtype=np.float64))
    z = np.zeros(latent_dim, dtype=np.float64)
    n = min(latent_dim, len(state.latent))
    z[:n] = state.latent[:n]
    return z
