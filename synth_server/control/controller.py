"""Validated control state and the dispatcher that turns OSC messages into new states.

The state is immutable; a message builds a new :class:`ControlState` and publishes it by replacing
one reference (atomic in CPython), so the renderer thread reads it without a lock.
The same :class:`Controller` serves live OSC and ``render --score``.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Any, Callable, Optional, Sequence

import numpy as np

from synth_server.control.addresses import (LATENT_LIMIT, Address, OscArgumentError, lookup,
                                            validate, wildcard_name)
from synth_server.core.contract import ControlState, EngineStatus
from synth_server.nav.maps import slerp

Reply = tuple[str, tuple[Any, ...]]
log = logging.getLogger(__name__)
MAX_SUBSCRIBERS = 16
SUBSCRIBE_LEASE_S = 10.0  # a /subscribe lasts this long unless renewed (the patches renew every 4 s)
MAX_PRESETS = 256
MAX_SKIPPED_LOG_LINES = 20  # bad preset entries logged one by one at load; then a count


class UnknownAddressError(OscArgumentError):
    """Raised for an OSC address the table does not define."""


Handler = Callable[..., list[Reply]]
#: (address path, form index) -> the Controller method that handles that form of the table
HANDLERS: dict[tuple[str, int], Handler] = {}


def handles(path: str, form: int = 0) -> Callable[[Handler], Handler]:
    """Declare the decorated Controller method the handler of form ``form`` of the address
    table's ``path`` (stack one per form it handles). The method is called with the converted
    arguments (a ``/NAME/*`` address's NAME first) and returns its replies.

    Raises:
        RuntimeError: a form given two handlers.
    """
    def register(function: Handler) -> Handler:
        if (path, form) in HANDLERS:
            raise RuntimeError(f"{path} form {form} has two handlers")
        HANDLERS[(path, form)] = function
        return function
    return register


def handler_of(address: Address, form: Any) -> Handler:
    """The function that handles ``form`` (one of ``address.forms``)."""
    return HANDLERS[(address.path, address.forms.index(form))]


def check_handlers(addresses: Sequence[Address]) -> list[str]:
    """Problems between the address table and :data:`HANDLERS` (each form exactly one
    handler, no handler of a form that is not in the table); [] when they agree."""
    wanted = {(a.path, i) for a in addresses for i in range(len(a.forms))}
    problems = [f"{p} form {i} has no handler" for p, i in sorted(wanted - set(HANDLERS))]
    problems += [f"{p} form {i} is handled but not in the table"
                 for p, i in sorted(set(HANDLERS) - wanted)]
    return problems


class Controller:
    """Dispatches OSC messages (address, values) to handlers and publishes the new state.

    Args:
        status: callable returning the current :class:`EngineStatus`.
        initial: first state.
        on_change: called with every newly published state (e.g. to copy it to the audio
            process); called under the writer lock, so calls are ordered.
        model_loader: called with (name, received_s, sender host) for /model/load; None when
            models cannot be loaded (render).
        latency: returns the measured control latency (median, p99) in ms for /state.
        model_names: returns the loadable model names for /model/list.
        navigation: returns the playing model's (manifold names, slider count).
        attributes: returns the playing model's attribute vectors {name: [latent_dim]}.
        descriptors: returns the playing model's DescriptorSurrogate (with its decoder
            attached) or None.
        heatmaps: returns the playing model's {(manifold, descriptor): PNG path}.
        recording: returns (status, reason) of the recording for /state/record: ("recording",
            ""), ("stopped", why) or ("failed", why); None (or a None result): not recording.
        presets_path: JSON file the presets are read from and saved to on every store (None:
            this session only). Bad entries are skipped one by one (one log line each, listed
            in ``presets_error``) and written back unchanged on the next save; a file that
            cannot be read as a whole is reported and never overwritten, and every store then
            answers /error (kept for this session only).
        notes: what plays notes (the engine: ``note_on(midi_pitch, velocity, received_s)``,
            ``note_off(midi_pitch, received_s)``, ``all_notes_off()``,
            ``set_pitchbend(semitones)``, ``set_sustain(on)``, ``set_envelope(attack_s,
            decay_s, sustain, release_s)``; they raise ValueError / RuntimeError on refusal),
            or None (/note/* then answer /error). Notes need the playing model's family
            (``status().family``) to be "hpn".
    """

    def __init__(self, status: Callable[[], EngineStatus], initial: ControlState = ControlState(),
                 on_change: Optional[Callable[[ControlState], None]] = None,
                 model_loader: Optional[Callable[[str, float, str], None]] = None,
                 latency: Optional[Callable[[], tuple[float, float]]] = None,
                 model_names: Optional[Callable[[], list[str]]] = None,
                 navigation: Optional[Callable[[], tuple[tuple[str, ...], int]]] = None,
                 attributes: Optional[Callable[[], dict[str, np.ndarray]]] = None,
                 descriptors: Optional[Callable[[], Any]] = None,
                 heatmaps: Optional[Callable[[], dict[tuple[str, str], str]]] = None,
                 presets_path: Optional[Any] = None,
                 recording: Optional[Callable[[], Optional[tuple[str, str]]]] = None,
                 notes: Optional[Any] = None):
        self._status = status
        self._notes = notes
        self._recording = recording or (lambda: None)
        self._model_loader = model_loader
        self._latency = latency
        self._model_names = model_names
        self._navigation = navigation or (lambda: (("pca",), 2))
        self._attributes = attributes or (lambda: {})
        self._descriptors = descriptors or (lambda: None)
        self._heatmaps = heatmaps or (lambda: {})
        self.attribute_amounts: dict[str, float] = {}
        self.subscribers: dict[str, float] = {}  # host -> rate_hz (see on_subscribe)
        self.subscriber_expiry: dict[str, float] = {}  # host -> monotonic end of its lease
        self.subscribers_evicted = 0
        # set on every /subscribe: the pusher sleeps on it while nobody subscribes
        self.subscribed = threading.Event()
        self.presets: dict[str, tuple[tuple[float, ...], tuple[float, float]]] = {}
        self.presets_path = presets_path
        self.presets_error = ""  # what went wrong reading presets_path ("" when all loaded)
        self._presets_unsaved = ""  # why stores cannot be saved ("" when they can)
        self._presets_kept: dict[str, Any] = {}  # skipped file entries, written back unchanged
        self._presets_save_lock = threading.Lock()  # one save at a time, in store order
        if presets_path is not None:
            self._load_presets(presets_path)
        self._rng = np.random.default_rng()
        self._local = threading.local()  # sender and arrival time of the message in hand, per
        # thread: the OSC receive thread and the worker of expensive messages dispatch at once
        self._state = initial
        self._on_change = on_change
        self._write_lock = threading.Lock()  # serialises writers; readers never take it

    @property
    def _received_s(self) -> float:
        return getattr(self._local, "received_s", 0.0)

    @_received_s.setter
    def _received_s(self, value: float) -> None:
        self._local.received_s = value

    @property
    def _sender(self) -> str:
        return getattr(self._local, "sender", "")

    @_sender.setter
    def _sender(self, value: str) -> None:
        self._local.sender = value

    def _load_presets(self, path: Any) -> None:
        from synth_server.control.presets import load_presets

        try:
            loaded = load_presets(path, MAX_PRESETS)
        except ValueError as exc:
            self.presets_error = str(exc)
            self._presets_unsaved = f"{path} could not be read at start, so it is not overwritten"
            log.warning("presets not loaded, and will not be saved: %s", exc)
            return
        self.presets = loaded.presets
        self._presets_kept = loaded.kept
        for name, reason in loaded.skipped[:MAX_SKIPPED_LOG_LINES]:
            log.warning("presets file %s: bad entry %r skipped (kept in the file): %s", path,
                        name[:64], reason)
        if len(loaded.skipped) > MAX_SKIPPED_LOG_LINES:
            log.warning("presets file %s: %d more bad entries skipped (kept in the file)", path,
                        len(loaded.skipped) - MAX_SKIPPED_LOG_LINES)
        if loaded.skipped:
            names = ", ".join(repr(name[:64]) for name, _ in loaded.skipped[:10])
            more = f" and {len(loaded.skipped) - 10} more" if len(loaded.skipped) > 10 else ""
            self.presets_error = (f"{path}: {len(loaded.skipped)} bad preset(s) skipped "
                                  f"(kept in the file): {names}{more}")
        log.info("presets: %d loaded from %s", len(self.presets), path)

    @property
    def state(self) -> ControlState:
        """The newest published state (lock-free read)."""
        return self._state

    def _publish(self, **changes: Any) -> None:
        with self._write_lock:
            current = self._state
            self._state = dataclasses.replace(current, version=current.version + 1,
                                              received_s=self._received_s, **changes)
            if self._on_change is not None:
                self._on_change(self._state)

    def check(self, path: str, values: Sequence[Any]) -> Address:
        """The table entry of ``path`` when ``values`` fit one of its forms (what the receive
        thread checks before handing a costly message to the worker).

        Raises:
            UnknownAddressError: address not in the table.
            OscArgumentError: arguments fit none of the address's forms.
        """
        return self._resolve(path, values)[0]

    @staticmethod
    def _resolve(path: str, values: Sequence[Any]
                 ) -> tuple[Address, Any, tuple[Any, ...], Optional[str]]:
        """(table entry, matching form, converted values, wildcard name or None) of a message;
        raises as :meth:`check`."""
        address = lookup(path)
        if address is None:
            raise UnknownAddressError("unknown address")
        form, converted = validate(address, values)
        name = None
        if address.path.endswith("/*"):
            name = wildcard_name(address, path)
            if name is None:
                raise OscArgumentError(f"use {address.path[:-1]}NAME")
        return address, form, converted, name

    def dispatch(self, path: str, values: Sequence[Any], received_s: float = 0.0,
                 sender: str = "") -> list[Reply]:
        """Validate and apply one message.

        Args:
            path: OSC address, e.g. "/pad".
            values: decoded OSC arguments.
            received_s: time.monotonic() when the packet arrived (0 when not from the network).
            sender: host that sent it (asynchronous replies such as /model/loaded go there).
        Returns:
            Replies to send back, as (address, args) with 32-bit-float-safe values.
        Raises:
            UnknownAddressError: address not in the table.
            OscArgumentError: arguments fit none of the address's forms.
        """
        address, form, converted, name = self._resolve(path, values)
        handler = handler_of(address, form)
        self._received_s = received_s
        self._sender = sender
        if name is not None:
            return handler(self, name, *converted) or []
        return handler(self, *converted) or []

    # -- handlers (each declares the forms of the address table it handles) ------------------

    @handles("/pad")
    def on_pad(self, x: float, y: float) -> list[Reply]:
        """/pad x y: follow the pad."""
        self._publish(pad=(x, y), latent=None, sliders=None)
        return []

    @handles("/slider")
    def on_slider(self, index: int, value: float) -> list[Reply]:
        """/slider k v: move slider k of the manifold's k-D map (the others stay; on the first
        slider move they start at (pad x, pad y, 0.5, ...))."""
        _, n_sliders = self._navigation()
        if index >= n_sliders:
            raise OscArgumentError(f"slider {index} >= {n_sliders} sliders of this model")
        state = self._state
        base = list(state.sliders or (*state.pad, *[0.5] * 8))[:n_sliders]
        base += [0.5] * (n_sliders - len(base))
        base[index] = value
        self._publish(sliders=tuple(base), latent=None)
        return []

    @handles("/manifold/select")
    def on_manifold_select(self, name: str) -> list[Reply]:
        """/manifold/select NAME: navigate through another manifold of the playing model."""
        names, _ = self._navigation()
        if name not in names:
            raise OscArgumentError(f"no manifold {name[:32]!r} in this model "
                                   f"(has {' '.join(names)})")
        self._publish(manifold=name)
        return [("/manifold/selected", (name,))]

    @handles("/attribute/*")
    def on_attribute(self, name: str, amount: float) -> list[Reply]:
        """/attribute/NAME amount: add amount x the attribute vector NAME to the target."""
        vectors = self._attributes()
        if name not in vectors:
            raise OscArgumentError(f"no attribute {name!r} in this model (/attribute/list)")
        with self._write_lock:
            if amount == 0.0:
                self.attribute_amounts.pop(name, None)
            else:
                self.attribute_amounts[name] = amount
            amounts = dict(self.attribute_amounts)
        offset = None
        if amounts:
            total = sum(a * np.asarray(vectors[n], dtype=np.float64) for n, a in amounts.items()
                        if n in vectors)
            offset = tuple(float(v) for v in np.clip(total, -LATENT_LIMIT, LATENT_LIMIT))
        self._publish(offset=offset)
        return []

    def _surrogate(self) -> Any:
        surrogate = self._descriptors()
        if surrogate is None:
            raise OscArgumentError("this model has no descriptor data (run synth-server "
                                   "fit-descriptors --model DIR)")
        return surrogate

    @handles("/descriptor/*")
    def on_descriptor(self, name: str, value: float) -> list[Reply]:
        """/descriptor/NAME value: glide to a latent whose sound has that descriptor value
        (the others kept near the current sound's); replies /descriptor/steered."""
        surrogate = self._surrogate()
        if name not in surrogate.names:
            raise OscArgumentError(f"no descriptor {name!r} (/descriptor/list)")
        asked = surrogate.clamp(name, value)
        try:
            z = surrogate.steer(np.asarray(self._target_now(), dtype=np.float64), name, asked)
        except (ValueError, FloatingPointError) as exc:  # LinAlgError is a ValueError
            raise OscArgumentError(f"steering to {name} = {asked:g} failed "
                                   f"({type(exc).__name__}); the sound stays where it is") from None
        if not np.all(np.isfinite(z)):  # a damaged surrogate must not silence the sound
            raise OscArgumentError(f"steering to {name} = {asked:g} gave no finite latent; "
                                   "the sound stays where it is")
        z = np.clip(z, -LATENT_LIMIT, LATENT_LIMIT)
        with self._write_lock:
            self.attribute_amounts.clear()
        self._publish(latent=tuple(float(v) for v in z), offset=None)
        predicted = surrogate.predict(z)[name]
        return [("/descriptor/steered", (name, float(asked), float(predicted)))]

    @handles("/descriptor/list")
    def on_descriptor_list(self) -> list[Reply]:
        """/descriptor/list → /descriptor/list names..., then /descriptor/range name unit lo hi
        for each."""
        surrogate = self._surrogate()
        replies: list[Reply] = [("/descriptor/list", tuple(surrogate.names))]
        for name in surrogate.names:
            lo, hi = surrogate.ranges[name]
            replies.append(("/descriptor/range", (name, surrogate.units[name], float(lo),
                                                  float(hi))))
        return replies

    @handles("/heatmap")
    def on_heatmap(self, descriptor: str) -> list[Reply]:
        """/heatmap DESCRIPTOR → /heatmap/path manifold descriptor path (a 200x200 PNG of the
        descriptor over the selected manifold's pad, (0, 0) bottom-left)."""
        manifold = self._state.manifold
        path = self._heatmaps().get((manifold, descriptor))
        if path is None:
            raise OscArgumentError(f"no heatmap of {descriptor[:32]!r} on {manifold}")
        return [("/heatmap/path", (manifold, descriptor, path))]

    @handles("/attribute/list")
    def on_attribute_list(self) -> list[Reply]:
        """/attribute/list → /attribute/list name1 name2 ..."""
        return [("/attribute/list", tuple(sorted(self._attributes())[:200]))]

    @handles("/manifold/list")
    def on_manifold_list(self) -> list[Reply]:
        """/manifold/list → /manifold/list name1 name2 ... (the playing model's)."""
        return [("/manifold/list", tuple(self._navigation()[0]))]

    @handles("/latent")
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

    @handles("/latent", 1)
    def on_latent_vector(self, *values: float) -> list[Reply]:
        """/latent v1 ... vN: set the first N dimensions (extra values are ignored)."""
        status = self._status()
        base = list(self._state.latent or status.target_latent)
        base += [0.0] * (status.latent_dim - len(base))
        n = min(len(values), status.latent_dim)
        base[:n] = values[:n]
        self._publish(latent=tuple(base[: status.latent_dim]))
        return []

    @handles("/gain")
    def on_gain(self, gain: float) -> list[Reply]:
        """/gain g."""
        self._publish(gain=gain)
        return []

    # -- notes (hpn models) -------------------------------------------------------------------

    def _note_player(self, notes_only: bool = True) -> Any:
        """The engine's note API when the playing model plays notes, else OscArgumentError
        (``notes_only=False``: pitch bend, pedal and envelope are kept for any model)."""
        if self._notes is None:
            raise OscArgumentError("notes cannot be played here")
        if not notes_only:
            return self._notes
        status = self._status()
        if status.family != "hpn":
            raise OscArgumentError(f"model {status.model_name!r} is {status.family}: notes "
                                   "need an hpn model")
        return self._notes

    def _play(self, call: Callable[..., None], *args: Any) -> list[Reply]:
        try:
            call(*args)
        except (ValueError, RuntimeError) as exc:
            raise OscArgumentError(str(exc).splitlines()[0]) from None
        return []

    @handles("/note/on")
    def on_note_on(self, midi_pitch: float, velocity: float) -> list[Reply]:
        """/note/on midi_pitch velocity (velocity 0: note off, as MIDI)."""
        notes = self._note_player()
        if velocity <= 0.0:
            return self._play(notes.note_off, midi_pitch, self._received_s)
        return self._play(notes.note_on, midi_pitch, velocity, self._received_s)

    @handles("/note/off")
    def on_note_off(self, midi_pitch: float) -> list[Reply]:
        """/note/off midi_pitch."""
        return self._play(self._note_player().note_off, midi_pitch, self._received_s)

    @handles("/note/all_off")
    def on_note_all_off(self) -> list[Reply]:
        """/note/all_off: release every note, lift the pedal."""
        return self._play(self._note_player(False).all_notes_off)

    @handles("/pitchbend")
    def on_pitchbend(self, semitones: float) -> list[Reply]:
        """/pitchbend semitones."""
        return self._play(self._note_player(False).set_pitchbend, semitones)

    @handles("/sustain")
    def on_sustain(self, on: int) -> list[Reply]:
        """/sustain 0|1."""
        return self._play(self._note_player(False).set_sustain, bool(on))

    @handles("/envelope")
    def on_envelope(self, attack_s: float, decay_s: float, sustain: float,
                    release_s: float) -> list[Reply]:
        """/envelope attack_s decay_s sustain release_s."""
        return self._play(self._note_player(False).set_envelope, attack_s, decay_s, sustain,
                          release_s)

    @handles("/model/load")
    def on_model_load(self, name: str) -> list[Reply]:
        """/model/load NAME: validate and crossfade to another model (replies later)."""
        if self._model_loader is None:
            raise OscArgumentError("models cannot be loaded here")
        self._model_loader(name, self._received_s, self._sender)
        return []

    @handles("/subscribe")
    def on_subscribe(self, rate_hz: float) -> list[Reply]:
        """/subscribe rate_hz: push /state replies to the sender's host (0 stops) for
        SUBSCRIBE_LEASE_S seconds; a repeated /subscribe renews the lease (and sets the rate).
        At most MAX_SUBSCRIBERS hosts: a new one replaces an expired one, else the one whose
        lease was renewed longest ago (so forged or forgotten subscribers never lock out a
        live one)."""
        if not self._sender:
            raise OscArgumentError("only a network client can subscribe")
        host = self._sender
        now = time.monotonic()
        with self._write_lock:
            self._expire_subscribers(now)
            if rate_hz <= 0.0:
                self.subscribers.pop(host, None)
                self.subscriber_expiry.pop(host, None)
                return []
            if host not in self.subscribers and len(self.subscribers) >= MAX_SUBSCRIBERS:
                oldest = min(self.subscriber_expiry, key=self.subscriber_expiry.__getitem__)
                self.subscribers.pop(oldest, None)
                self.subscriber_expiry.pop(oldest, None)
                self.subscribers_evicted += 1
            self.subscribers[host] = rate_hz
            self.subscriber_expiry[host] = now + SUBSCRIBE_LEASE_S
        self.subscribed.set()
        return []

    def _expire_subscribers(self, now: float) -> None:
        """Forget subscribers whose lease ended (caller holds the write lock)."""
        for host in [h for h, end in self.subscriber_expiry.items() if end <= now]:
            self.subscribers.pop(host, None)
            self.subscriber_expiry.pop(host, None)

    def subscriber_rates(self) -> dict[str, float]:
        """A copy of {host: rate_hz} of the hosts within their /subscribe lease (any thread)."""
        with self._write_lock:
            self._expire_subscribers(time.monotonic())
            return dict(self.subscribers)

    def pushed_state(self) -> list[Reply]:
        """The replies a subscriber gets each time (the /state replies but latent_dim and
        nan_frames, which rarely change)."""
        return [r for r in self.on_state()
                if r[0] not in ("/state/latent_dim", "/state/nan_frames")]

    # -- presets, interpolation, random -----------------------------------------------------

    def _target_now(self) -> tuple[float, ...]:
        status = self._status()
        return tuple(self._state.latent or status.target_latent)[: status.latent_dim]

    @handles("/preset/store")
    def on_preset_store(self, name: str) -> list[Reply]:
        """/preset/store NAME: remember the latent target and pad, and save them when the
        controller has a presets file.

        Returns:
            [("/preset/stored", (name,))] once the preset is kept (and saved, with a file).
        Raises:
            OscArgumentError: a name or value :func:`~synth_server.control.presets.check_preset`
                refuses, or already MAX_PRESETS presets (nothing stored); or the presets file
                cannot be written (the preset is kept for this session only, and the reply
                says so instead of /preset/stored).
        """
        from synth_server.control.presets import PresetError, check_preset, save_presets

        try:
            name, preset = check_preset(name, self._target_now(), self._state.pad)
        except PresetError as exc:
            raise OscArgumentError(str(exc)) from None
        with self._presets_save_lock:
            with self._write_lock:
                if name not in self.presets and len(self.presets) >= MAX_PRESETS:
                    raise OscArgumentError(f"already {MAX_PRESETS} presets")
                self.presets[name] = preset
                presets = dict(self.presets)
            if self.presets_path is None:
                return [("/preset/stored", (name,))]
            reason = self._presets_unsaved
            if not reason:
                try:
                    save_presets(self.presets_path, presets, self._presets_kept)
                    return [("/preset/stored", (name,))]
                except OSError as exc:
                    reason = f"cannot write {self.presets_path}: {exc.strerror or exc}"
        log.warning("preset %r kept for this session only: %s", name, reason)
        raise OscArgumentError(f"preset {name!r} kept for this session only, not saved: "
                               f"{reason}")

    def _preset(self, name: str) -> tuple[tuple[float, ...], tuple[float, float]]:
        if name not in self.presets:
            raise OscArgumentError(f"no preset {name[:64]!r}")
        return self.presets[name]

    @handles("/preset/list")
    def on_preset_list(self) -> list[Reply]:
        """/preset/list → /preset/list name1 name2 ... (sorted, at most 200)."""
        with self._write_lock:
            names = sorted(self.presets)[:200]
        return [("/preset/list", tuple(names))]

    @handles("/preset/recall")
    def on_preset_recall(self, name: str) -> list[Reply]:
        """/preset/recall NAME: glide to it."""
        latent, pad = self._preset(name)
        if len(latent) == self._status().latent_dim:
            self._publish(latent=latent, pad=pad)
        else:  # stored with another model: its pad position still means something
            self._publish(latent=None, pad=pad)
        return []

    @handles("/interp")
    @handles("/interp", 1)
    def on_interp(self, a: str, b: str, t: float, mode: str = "lerp") -> list[Reply]:
        """/interp A B t [lerp|slerp]: glide to the blend of two presets."""
        if mode not in ("lerp", "slerp"):
            raise OscArgumentError("mode must be lerp or slerp")
        za, zb = (np.asarray(self._preset(n)[0], dtype=np.float64) for n in (a, b))
        dim = self._status().latent_dim
        if len(za) != dim or len(zb) != dim:
            raise OscArgumentError(f"presets {a[:64]!r} and {b[:64]!r} need latent_dim {dim}")
        z = slerp(za, zb, t) if mode == "slerp" else (1.0 - t) * za + t * zb
        self._publish(latent=tuple(float(v) for v in z))
        return []

    @handles("/random")
    def on_random(self, temperature: float) -> list[Reply]:
        """/random temperature: glide to a point drawn from N(0, temperature^2 I)."""
        z = np.clip(temperature * self._rng.standard_normal(self._status().latent_dim),
                    -LATENT_LIMIT, LATENT_LIMIT)
        self._publish(latent=tuple(float(v) for v in z))
        return []

    @handles("/model/list")
    def on_model_list(self) -> list[Reply]:
        """/model/list → /model/list name1 name2 ..."""
        names = self._model_names() if self._model_names else [self._status().model_name]
        return [("/model/list", tuple(names[:200]))]

    def model_changed(self) -> None:
        """After a hot-swap: drop direct latent targets and slider positions (their size may
        differ); follow the pad, through the same manifold when the new model has it."""
        self._received_s = 0.0
        names, _ = self._navigation()
        manifold = self._state.manifold if self._state.manifold in names else "pca"
        with self._write_lock:
            self.attribute_amounts.clear()
        self._publish(latent=None, sliders=None, manifold=manifold, offset=None)

    @handles("/ping")
    def on_ping(self) -> list[Reply]:
        """/ping → /pong."""
        return [("/pong", ())]

    @handles("/state")
    def on_state(self) -> list[Reply]:
        """/state → one reply per field."""
        status = self._status()
        state = self._state
        return [
            ("/state/model", (status.model_name,)),
            ("/state/latent_dim", (int(status.latent_dim),)),
            ("/state/latent", tuple(float(v) for v in status.latent)),
            ("/state/pad", (float(state.pad[0]), float(state.pad[1]))),
            ("/state/manifold", (state.manifold,)),
            ("/state/sliders", tuple(float(v) for v in (state.sliders or state.pad))),
            ("/state/gain", (float(state.gain),)),
            ("/state/underruns", (int(status.underruns),)),
            ("/state/nan_frames", (int(status.nan_frames),)),
            ("/state/voices", (int(status.voices),)),
            ("/state/level_db", (float(status.level_db),)),
            ("/state/synthesis_hop", (int(status.synthesis_hop),)),
            ("/state/latency_ms", tuple(float(v) for v in
                                        (self._latency() if self._latency else (0.0, 0.0)))),
            *self._state_record(),
            *self._state_descriptors(status),
        ]

    def _state_record(self) -> list[Reply]:
        record = self._recording()
        return [] if record is None else [("/state/record", (str(record[0]), str(record[1])))]

    def _state_descriptors(self, status: EngineStatus) -> list[Reply]:
        surrogate = self._descriptors()
        if surrogate is None or len(status.latent) != surrogate.latent_dim:
            return []
        values = surrogate.predict(np.asarray(status.latent, dtype=np.float64))
        return [("/state/descriptors", tuple(float(values[n]) for n in surrogate.names))]


def _check_table() -> None:
    from synth_server.control.addresses import ADDRESSES

    problems = check_handlers(ADDRESSES)
    if problems:  # a programming error: fail at import, not on the first packet
        raise RuntimeError("address table and handlers disagree: " + "; ".join(problems))


_check_table()
