"""The OSC address table: the one place that defines every address the server accepts.

Each :class:`Address` lists its accepted argument *forms* (types, ranges, units) and a help text;
the :class:`~synth_server.control.controller.Controller` method that handles each form says so
with ``@handles(path, form_index)``. The
server, ``render --score``, the generated docs and the Max/Pd patch checks all read this table.

Conventions (for Max/MSP and Pure Data users):

- ints are accepted wherever a float is expected (Max's ``pictslider`` sends ints);
- an integral float is accepted where an int is expected;
- out-of-range numbers are clamped to the range; NaN and Inf are rejected;
- replies carry 32-bit floats, ints and strings only (Max's ``udpreceive`` shows doubles as 0).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

FLOAT = "float"
INT = "int"
STRING = "string"


class OscArgumentError(ValueError):
    """Raised when an OSC message's arguments match none of its address's forms."""


@dataclass(frozen=True)
class Arg:
    """One OSC argument.

    Attributes:
        name: argument name as shown in docs.
        kind: ``"float"``, ``"int"`` or ``"string"``.
        minimum, maximum: inclusive range; numbers outside are clamped (None: unbounded).
        unit: unit of the value ("" when dimensionless).
    """

    name: str
    kind: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    unit: str = ""


@dataclass(frozen=True)
class Form:
    """One accepted argument signature of an address.

    Attributes:
        args: the fixed arguments, in order.
        variadic: when True the last arg may repeat (at least once, at most ``max_count`` in all).
        max_count: upper bound on the number of arguments of a variadic form.

    Which function handles a form is declared where it is written: the Controller method carries
    ``@handles(path, form_index)`` (synth_server/control/controller.py), and a check at import
    (and a test) keeps the table and the handlers one to one.
    """

    args: tuple[Arg, ...]
    variadic: bool = False
    max_count: int = 256


NOW = "now"  # applied on the receive thread, on arrival (cheap: well under 0.1 ms)
NEWEST = "worker, newest"  # on the worker thread; only the newest pending per sender and address
QUEUED = "worker, queued"  # on the worker thread, in order (bounded queue)


@dataclass(frozen=True)
class Address:
    """An OSC address: path, accepted forms, help text and what it replies.

    ``handled`` says where the server runs it: NOW on the receive thread, or (costly messages:
    descriptor and attribute steering, preset writes) on a worker thread, either NEWEST (stale
    requests of the same sender to the same address are dropped) or QUEUED.
    """

    path: str
    forms: tuple[Form, ...]
    help: str
    reply: str = ""
    handled: str = NOW

    @property
    def deferred(self) -> bool:
        """True when the server hands it to the worker thread."""
        return self.handled != NOW


_UNIT = (0.0, 1.0)
LATENT_LIMIT = 6.0  # latent coordinates are clamped to +-6 standard deviations of the prior

ADDRESSES: tuple[Address, ...] = (
    Address(
        "/pad",
        (Form((Arg("x", FLOAT, *_UNIT), Arg("y", FLOAT, *_UNIT))),),
        "Move the 2-D pad. x, y in [0, 1] (0,0 bottom-left) are mapped through the model's manifold "
        "to a latent vector; the sound glides there.",
    ),
    Address(
        "/latent",
        (
            Form((Arg("index", INT, 0, 255), Arg("value", FLOAT, -LATENT_LIMIT, LATENT_LIMIT, "sd"))),
            Form((Arg("value", FLOAT, -LATENT_LIMIT, LATENT_LIMIT, "sd"),),
                 variadic=True),
        ),
        "Set latent coordinates directly: `/latent i v` sets dimension i, `/latent v1 ... vN` sets "
        "the first N dimensions. Values are in prior standard deviations.",
    ),
    Address(
        "/slider",
        (Form((Arg("index", INT, 0, 7), Arg("value", FLOAT, *_UNIT))),),
        "Move slider `index` (0 .. n_sliders - 1, usually 4) of the selected manifold's k-D map; "
        "value in [0, 1] spans the data's extent on that axis. On the first slider move the "
        "sliders start at (pad x, pad y, 0.5, 0.5); a later /pad or /latent takes over again.",
    ),
    Address(
        "/manifold/select",
        (Form((Arg("name", STRING),)),),
        "Navigate the pad and sliders through another manifold of the playing model: pca, lle, "
        "laplacian, isomap or umap (those it was fitted with; see /manifold/list). The sound "
        "glides to the new map's point. Replies /manifold/selected name.",
        reply="/manifold/selected",
    ),
    Address(
        "/manifold/list",
        (Form(()),),
        "List the playing model's manifolds: replies /manifold/list name1 name2 ...",
        reply="/manifold/list",
    ),
    Address(
        "/attribute/*",
        (Form((Arg("amount", FLOAT, -3.0, 3.0, "x vector"),)),),
        "`/attribute/NAME amount`: add `amount` times the model's attribute vector NAME to "
        "wherever the pad, sliders or latent put the sound (MusicVAE attribute vectors: mean "
        "latent of the training sounds with the attribute minus the mean of those without). "
        "Amounts add up across names and stay while the pad moves; 0 removes one. Names come "
        "from the training labels (e.g. `f0_hz`, `noise_ratio`, `family_brass`); see "
        "/attribute/list.",
        handled=NEWEST,
    ),
    Address(
        "/attribute/list",
        (Form(()),),
        "List the playing model's attribute vectors: replies /attribute/list name1 name2 ...",
        reply="/attribute/list",
    ),
    Address(
        "/descriptor/*",
        (Form((Arg("value", FLOAT, -1e6, 1e6, "as named"),)),),
        "`/descriptor/NAME value`: glide to a sound whose descriptor NAME has `value`, the other "
        "descriptors kept near the current sound's (a surrogate fitted by `synth-server "
        "fit-descriptors` on the model's rendered audio, docs/descriptors.md). Names and units: "
        "centroid_hz, rolloff_hz, bandwidth_hz (Hz), flatness (0..1), loudness_db (dBFS), "
        "harmonicity (0..1), f0_hz (Hz); a playable (hpn) model, whose pitch and loudness come "
        "from the notes, has the first four and harmonicity, measured on its reference note "
        "(MIDI 60). Values are clamped to the model's achievable range "
        "(/descriptor/list). Sets the latent target directly (attribute amounts are cleared). "
        "Replies /descriptor/steered name asked predicted.",
        reply="/descriptor/steered",
        handled=NEWEST,
    ),
    Address(
        "/descriptor/list",
        (Form(()),),
        "Replies /descriptor/list name1 name2 ..., then /descriptor/range name unit low high "
        "for each descriptor of the playing model.",
        reply="/descriptor/list",
    ),
    Address(
        "/heatmap",
        (Form((Arg("descriptor", STRING),)),),
        "Replies /heatmap/path manifold descriptor path: a 200x200 PNG of the descriptor over "
        "the selected manifold's pad ((0, 0) bottom-left), to show behind the pad.",
        reply="/heatmap/path",
    ),
    Address(
        "/gain",
        (Form((Arg("gain", FLOAT, *_UNIT),)),),
        "Output gain, linear 0..1, smoothed.",
    ),
    Address(
        "/note/on",
        (Form((Arg("midi_pitch", FLOAT, 0.0, 127.0, "MIDI note"),
               Arg("velocity", FLOAT, 0.0, 127.0))),),
        "Start a note (hpn models): midi_pitch 0..127, fractional allowed (60 = middle C, "
        "60.5 a quarter tone above); velocity 0..127 sets the loudness, amplitude "
        "(velocity / 127)^2 (velocity 0 is a note off, as MIDI). The pad, sliders, "
        "descriptors and attributes set the timbre of every sounding note. 16 notes sound at "
        "once: a 17th steals the oldest (a released one first), faded out in 10.7 ms. A "
        "spectral model answers /error.",
    ),
    Address(
        "/note/off",
        (Form((Arg("midi_pitch", FLOAT, 0.0, 127.0, "MIDI note"),)),),
        "Release the note at midi_pitch (its envelope's release; held on while the sustain "
        "pedal is down). A note released before it sounded one hop (5.3 ms) still sounds "
        "that hop. A spectral model answers /error.",
    ),
    Address(
        "/note/all_off",
        (Form(()),),
        "Release every note and lift the sustain pedal.",
    ),
    Address(
        "/pitchbend",
        (Form((Arg("semitones", FLOAT, -24.0, 24.0, "semitones"),)),),
        "Bend every note by `semitones` (-24..24; 0 = none), at the next hop (kept across "
        "models: a spectral model plays no notes).",
    ),
    Address(
        "/sustain",
        (Form((Arg("on", INT, 0, 1),)),),
        "Sustain pedal: 1 down (released notes keep sounding), 0 up (they release).",
    ),
    Address(
        "/envelope",
        (Form((Arg("attack_s", FLOAT, 0.0, 10.0, "s"), Arg("decay_s", FLOAT, 0.0, 10.0, "s"),
               Arg("sustain", FLOAT, 0.0, 1.0), Arg("release_s", FLOAT, 0.0, 20.0, "s"))),),
        "ADSR of every note, linear segments: attack 0 -> 1 in attack_s, decay to the "
        "sustain level (0..1 of the velocity's amplitude; 0 ends the note after its decay) "
        "in decay_s, release to 0 in release_s after the note off. Sounding notes follow at "
        "once. Default 0.005 0.2 0.7 0.3.",
    ),
    Address(
        "/model/load",
        (Form((Arg("name", STRING),)),),
        "Crossfade (30 ms) to the model NAME, a folder in --models-dir (plain name, no path). "
        "The sound never stops: a missing, corrupt or incompatible model is refused with /error "
        "and the current one keeps playing. On success replies /model/loaded name latent_dim "
        "ms (request to new model alone at the device). Direct /latent targets are dropped "
        "(the new model's latent size may differ); the pad position is kept.",
        reply="/model/loaded",
    ),
    Address(
        "/model/list",
        (Form(()),),
        "List the models /model/load accepts: replies /model/list name1 name2 ... (the folders "
        "of --models-dir holding a config.json).",
        reply="/model/list",
    ),
    Address(
        "/subscribe",
        (Form((Arg("rate_hz", FLOAT, 0.0, 60.0, "Hz"),)),),
        "Push the state to the sender's host at rate_hz (0 stops): /state/model, "
        "/state/latent, /state/pad, /state/manifold, /state/sliders, /state/gain, "
        "/state/underruns, /state/voices, /state/level_db, /state/latency_ms, /state/record "
        "(when recording), as /state would. "
        "A lease: it lasts 10 s unless "
        "renewed by another /subscribe from the same host (the patches and `synth-server "
        "monitor` renew every 4 s), which also sets the rate. At most 16 hosts: a new one "
        "replaces an expired one, else the one renewed longest ago; all pushes together "
        "are capped at 120 per second (each host's rate shrinks to share them).",
        reply="/state/*",
    ),
    Address(
        "/preset/store",
        (Form((Arg("name", STRING),)),),
        "Remember where the sound is going (latent target and pad) under NAME: 1 to 64 "
        "characters, no control characters (an empty or longer name gets /error). Replies "
        "/preset/stored name once it is kept, and saved when the server has `--presets FILE`; "
        "when the file cannot be written the preset is kept for this session only and the "
        "reply is /error saying so.",
        reply="/preset/stored",
        handled=QUEUED,
    ),
    Address(
        "/preset/list",
        (Form(()),),
        "List the stored presets: replies /preset/list name1 name2 ... (sorted, at most 200).",
        reply="/preset/list",
    ),
    Address(
        "/preset/recall",
        (Form((Arg("name", STRING),)),),
        "Glide to preset NAME (its latent target; its pad when stored with another latent "
        "size). Unknown names get /error.",
    ),
    Address(
        "/interp",
        (Form((Arg("a", STRING), Arg("b", STRING), Arg("t", FLOAT, 0.0, 1.0))),
         Form((Arg("a", STRING), Arg("b", STRING), Arg("t", FLOAT, 0.0, 1.0),
               Arg("mode", STRING)))),
        "Glide between presets A and B (both stored with the current latent size): "
        "`/interp A B t` or `/interp A B t lerp` is (1 - t) A + t B; `/interp A B t slerp` "
        "follows the great circle between them (Shoemake 1985; White 2016, 'Sampling "
        "generative networks'), which keeps the prior's typical radius at mid-way points.",
    ),
    Address(
        "/random",
        (Form((Arg("temperature", FLOAT, 0.0, 3.0, "sd"),)),),
        "Glide to a random latent point drawn from the prior, N(0, temperature^2) per "
        "dimension (1 = typical sounds, higher = stranger).",
    ),
    Address(
        "/ping",
        (Form(()),),
        "Connection check: the server answers /pong to the sender's host at the reply port.",
        reply="/pong",
    ),
    Address(
        "/state",
        (Form(()),),
        "Ask for the state: replies /state/model name, /state/latent_dim n, /state/latent v1..vN, "
        "/state/pad x y, /state/manifold name, /state/sliders v1..vk (the pad when no slider "
        "moved), /state/gain g, /state/underruns n, /state/nan_frames n, "
        "/state/voices n (notes sounding), /state/level_db peak (output peak meter, dBFS, "
        "falling 20 dB/s), /state/synthesis_hop n (samples rendered per decoder run; divides "
        "the model's hop_length), "
        "/state/latency_ms median p99 (OSC arrival to device, measured; floats are 32-bit), "
        "when serve records /state/record status reason (recording \"\", or stopped / failed "
        "and why: the file then ends there), and "
        "when the model has descriptor data /state/descriptors with the sounding latent's "
        "predicted centroid_hz rolloff_hz bandwidth_hz flatness loudness_db harmonicity f0_hz.",
        reply="/state/*",
    ),
)

_BY_PATH = {a.path: a for a in ADDRESSES}
_PREFIXES = tuple((a.path[:-1], a) for a in ADDRESSES if a.path.endswith("/*"))
_NAME = re.compile(r"[A-Za-z0-9_]{1,48}")


def lookup(path: str) -> Optional[Address]:
    """Return the :class:`Address` for ``path`` or None when the server does not accept it.

    A table path ending in ``/*`` (e.g. ``/attribute/*``) matches ``/attribute/NAME`` for a
    NAME of 1-48 letters, digits or underscores; :func:`wildcard_name` gives NAME.
    """
    found = _BY_PATH.get(path)
    if found is not None:
        return found
    for prefix, address in _PREFIXES:
        if path.startswith(prefix) and _NAME.fullmatch(path[len(prefix):]):
            return address
    return None


def wildcard_name(address: Address, path: str) -> Optional[str]:
    """NAME of ``path`` for a ``/.../*`` address, else None."""
    if not address.path.endswith("/*") or path == address.path:
        return None
    return path[len(address.path) - 1:]


def _convert(value: Any, arg: Arg) -> Any:
    """Convert and clamp one OSC value to ``arg``; raise OscArgumentError when impossible."""
    if arg.kind == STRING:
        if not isinstance(value, str):
            raise OscArgumentError(f"{arg.name}: expected a string")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OscArgumentError(f"{arg.name}: expected a number")
    number = float(value)
    if not math.isfinite(number):
        raise OscArgumentError(f"{arg.name}: not a finite number")
    if arg.minimum is not None:
        number = max(number, arg.minimum)
    if arg.maximum is not None:
        number = min(number, arg.maximum)
    if arg.kind == INT:
        if number != int(number):
            raise OscArgumentError(f"{arg.name}: expected an integer")
        if number != float(value):  # an index is never clamped: out of range is an error
            raise OscArgumentError(f"{arg.name}: {value} out of range "
                                   f"[{arg.minimum:g}, {arg.maximum:g}]")
        return int(number)
    return number


def _form_matches_types(form: Form, values: Sequence[Any]) -> bool:
    """True when ``values`` has the arity of ``form`` and its ints sit where ints are required."""
    n = len(values)
    if form.variadic:
        if n < len(form.args) or n > form.max_count:
            return False
    elif n != len(form.args):
        return False
    for i, value in enumerate(values):
        arg = form.args[min(i, len(form.args) - 1)]
        if arg.kind == INT and not isinstance(value, int):
            return False
    return True


def validate(address: Address, values: Sequence[Any]) -> tuple[Form, tuple[Any, ...]]:
    """Choose the form of ``address`` that ``values`` fits and convert them.

    Forms whose int arguments receive OSC ints win, and their errors are final (so
    ``/latent 2 0.5`` is the index form, ``/latent -1 0.5`` an out-of-range index error, and
    ``/latent 0.1 0.5`` the vector form); otherwise any form of the right arity is tried.

    Returns:
        (form, converted values), numbers clamped to their ranges.
    Raises:
        OscArgumentError: no form accepts the values; the message says why.
    """
    typed = [f for f in address.forms if _form_matches_types(f, values)
             and any(a.kind == INT for a in f.args)]
    # a form whose int slots got OSC ints is what the sender meant: its errors are final
    candidates = typed or list(address.forms)
    error: Optional[OscArgumentError] = None
    for form in candidates:
        n = len(values)
        if form.variadic:
            if n < len(form.args) or n > form.max_count:
                continue
        elif n != len(form.args):
            continue
        try:
            converted = tuple(
                _convert(v, form.args[min(i, len(form.args) - 1)]) for i, v in enumerate(values)
            )
        except OscArgumentError as exc:
            error = error or exc
            continue
        return form, converted
    if error is not None:
        raise error
    expected = " | ".join(signature(f) or "(no arguments)" for f in address.forms)
    raise OscArgumentError(f"wrong number of arguments ({len(values)}); expected {expected}")


def signature(form: Form) -> str:
    """Human-readable signature of a form, e.g. ``x:float[0,1] y:float[0,1]``."""
    parts = []
    for arg in form.args:
        rng = ""
        if arg.minimum is not None or arg.maximum is not None:
            lo = "" if arg.minimum is None else f"{arg.minimum:g}"
            hi = "" if arg.maximum is None else f"{arg.maximum:g}"
            rng = f"[{lo},{hi}]"
        parts.append(f"{arg.name}:{arg.kind}{rng}")
    if form.variadic:
        parts.append("...")
    return " ".join(parts)


def markdown_table() -> str:
    """The address table as Markdown (the source of docs/osc.md)."""
    lines = [
        "| address | arguments | reply | handled | description |",
        "|---|---|---|---|---|",
    ]
    for address in ADDRESSES:
        sigs = "<br>".join(f"`{signature(f)}`" if f.args else "(none)" for f in address.forms)
        lines.append(f"| `{address.path}` | {sigs} | {address.reply or '-'} | "
                     f"{address.handled} | {address.help} |")
    return "\n".join(lines) + "\n"

DEFAULT_PORT = 7400
DEFAULT_REPLY_PORT = 7401
