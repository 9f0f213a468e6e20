"""Static checks of the Max control patch ``max_patches/synth_server.maxpat`` (no Max needed).

The patch is read as the JSON Max writes. The checks:

- the file has the top-level structure of a Max 8 patcher, box ids are unique, every box declares
  its inlet/outlet counts (the common objects with the counts Max gives them);
- every patchline joins existing boxes, from an outlet the source has to an inlet the
  destination has;
- exactly one ``udpsend 127.0.0.1 <DEFAULT_PORT>`` and a ``udpreceive <DEFAULT_REPLY_PORT>``;
- every OSC message the patch can send is in the address table with arguments of the right kinds:
  the graph is walked backwards from ``udpsend``'s inlet and what each box outputs is inferred
  (``pack f f`` two floats, ``multislider`` a list of floats, ``number`` an int, ...); each
  message is checked with :func:`lookup` and :func:`validate` on representative values;
- every address of the table (and every argument form) can be sent from the patch, and the
  ``route`` after ``udpreceive`` covers every reply the table announces (``/pong``,
  ``/state/...``);
- the user-facing objects are in presentation mode;
- the keyboard (``kslider``) and ``notein`` play /note/on, and /error replies are shown;
- the descriptor names come from the server: the steering and heatmap menus hold no names of
  their own and are cleared and filled from the ``/descriptor/list`` reply (asked at load, after
  ``/model/loaded`` and by a button), and no ``/descriptor/NAME`` is fixed (a playable model has
  five of the seven descriptors; ``sprintf`` and ``prepend``'s ``set`` are followed for this);
- the presentation is tidy: no two boxes' ``presentation_rect`` overlap (boxes marked
  ``background: 1`` -- the window's panel and the heatmap picture behind the pad -- aside), every
  box lies inside the window (``patcher.rect``'s width and height), the text of every comment and
  message fits its box (Arial advance widths, wrapped as Max wraps), the pad is at least
  300 x 300 px with the heatmap exactly behind it, and the groups read like the web page
  (synth_server/control/web_page/index.html): pad and keyboard left of the controls, the controls
  top to bottom model, manifold, heatmap, sliders, gain, presets. The help patch, which opens in
  patching mode, is held to the same rules on its ``patching_rect``.

The negative tests at the end mutate an in-memory copy of the patch and check that the checks
fail and name the offending box.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from synth_server.control.controller import handler_of
from synth_server.dsp.features import NAMES
from synth_server.model.synthesis import FIXED_BY_FAMILY
from synth_server.control.addresses import (
    ADDRESSES,
    FLOAT,
    INT,
    STRING,
    OscArgumentError,
    lookup,
    validate,
)

try:
    from synth_server.control.addresses import DEFAULT_PORT, DEFAULT_REPLY_PORT
except ImportError:  # pragma: no cover - older tables; the server's documented defaults
    DEFAULT_PORT, DEFAULT_REPLY_PORT = 7400, 7401

PATCH_PATH = Path(__file__).resolve().parents[1] / "max_patches" / "synth_server.maxpat"
HELP_PATH = PATCH_PATH.with_name("synth_server.help.maxpat")
SEND_HOST = "127.0.0.1"

# Addresses (paths) that need no control in the patch, and (path, handler) forms likewise.
# /attribute/NAME builds its address from a model-dependent name: the patch lists the names
# (/attribute/list) and says how to send one; the table and tests/test_attributes.py cover it.
NO_UI_ADDRESSES: frozenset[str] = frozenset({"/attribute/*"})
FORMS_WITHOUT_UI: frozenset[tuple[str, str]] = frozenset()
# The addresses the patch must send whatever the table says.
REQUIRED_ADDRESSES = ("/pad", "/latent", "/gain", "/ping", "/state")
# Played notes: the patch sends these (keyboard, notein, bend, pedal, envelope).
NOTE_ADDRESSES = frozenset({"/note/on", "/note/off", "/note/all_off", "/pitchbend", "/sustain",
                            "/envelope"})

# Representative values of each inferred kind; FLOAT is not integral so that a float sent where
# the table wants an int fails validation.
REPR = {FLOAT: 0.5, INT: 1, STRING: "abc"}
BANG = "bang"  # what a bang looks like once prepended (Max sends the symbol "bang")

# Inlet/outlet counts Max 8 gives common objects; callables take the object's arguments.
FIXED_IO = {
    "message": (2, 1),
    "comment": (1, 0),
    "panel": (1, 0),
    "button": (1, 1),
    "toggle": (1, 1),
    "led": (1, 1),
    "number": (1, 2),
    "flonum": (1, 2),
    "slider": (1, 1),
    "multislider": (1, 2),
    "pictslider": (2, 2),
    "umenu": (1, 3),
    "fpic": (1, 1),
    "kslider": (2, 2),
}
NEWOBJ_IO: dict[str, Callable[[list[str]], tuple[int, int]]] = {
    "udpsend": lambda a: (1, 0),
    "udpreceive": lambda a: (1, 1),
    "route": lambda a: (max(len(a), 1) + 1, max(len(a), 1) + 1),
    "prepend": lambda a: (1, 1),
    "append": lambda a: (1, 1),
    "pack": lambda a: (max(len(a), 2), 1),
    "pak": lambda a: (max(len(a), 2), 1),
    "unpack": lambda a: (1, max(len(a), 2)),
    "scale": lambda a: (6, 1),
    "loadbang": lambda a: (1, 1),
    "delay": lambda a: (2, 1),
    "del": lambda a: (2, 1),
    "print": lambda a: (1, 0),
    "iter": lambda a: (1, 1),
    "t": lambda a: (1, max(len(a), 1)),
    "trigger": lambda a: (1, max(len(a), 1)),
    "notein": lambda a: (1, 3),
    "sprintf": lambda a: (max(len(_conversions(a)), 1), 1),
}
# Classes whose boxes a performer uses: they must be visible in presentation mode.
UI_CLASSES = {"pictslider", "slider", "multislider", "flonum", "number", "button", "toggle", "led",
              "umenu", "kslider"}


# sprintf's changeable arguments (Max: %s symbols, %ld/%d/%i ints, %f floats, %c characters).
_CONVERSION = re.compile(r"%[-+ #0-9.]*(l?[dif]|s|c)")


def _conversions(args: list[str]) -> list[str]:
    """The kinds ("s", "f", "d", "c", ...) of sprintf's changeable arguments, in inlet order."""
    words = [a for a in args if a != "symout"]
    return [m.group(1)[-1] for m in _CONVERSION.finditer(" ".join(words))]


def _sprintf_output(args: list[str]) -> list[Any]:
    """What ``sprintf ARGS`` sends: each changeable argument replaced by a representative value
    (a symbol like ``/descriptor/%s`` becomes ``/descriptor/abc``); without ``symout`` the text
    is split into atoms as Max does, with it the output is one symbol."""
    values = {"s": str(REPR[STRING]), "f": str(REPR[FLOAT]), "d": str(REPR[INT]),
              "i": str(REPR[INT]), "c": "a"}
    symout = args[:1] == ["symout"]
    text = _CONVERSION.sub(lambda m: values[m.group(1)[-1]],
                           " ".join(args[1:] if symout else args))
    return [text] if symout else [_atom(word) for word in text.split()]


class PatchError(AssertionError):
    """The patch cannot be analysed (e.g. a box whose output the checker cannot infer)."""


# --------------------------------------------------------------------------------- the graph


def load_patch(path: Path = PATCH_PATH) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _args(box: dict) -> list[str]:
    """Creation arguments of an object box (attributes ``@name value`` left out)."""
    tokens = str(box.get("text", "")).split()[1:]
    for i, token in enumerate(tokens):
        if token.startswith("@"):
            return tokens[:i]
    return tokens


def _name(box: dict) -> str:
    """Object name of a newobj box ("route", "pack", ...) or the maxclass of other boxes."""
    if box.get("maxclass") == "newobj":
        words = str(box.get("text", "")).split()
        return words[0] if words else ""
    return str(box.get("maxclass", ""))


def describe(box: dict) -> str:
    text = box.get("text")
    label = f"{box.get('maxclass')} {text!r}" if text is not None else str(box.get("maxclass"))
    return f"box {box.get('id')} ({label})"


def _atom(token: str) -> Any:
    if re.fullmatch(r"[-+]?\d+", token):
        return int(token)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][-+]?\d+)", token):
        return float(token)
    return token


def _kind_of_arg(token: str) -> Any:
    """Representative value for one ``pack``/``pak``/``unpack``/``trigger`` argument."""
    if token in ("f", "float"):
        return REPR[FLOAT]
    if token in ("i", "int"):
        return REPR[INT]
    if token in ("s", "sym", "symbol"):
        return REPR[STRING]
    if token in ("b", "bang"):
        return BANG
    atom = _atom(token)
    if isinstance(atom, float):
        return REPR[FLOAT]
    if isinstance(atom, int):
        return REPR[INT]
    return atom  # a literal symbol


@dataclass(frozen=True)
class Sent:
    """One OSC message the patch can send: which box hands it to udpsend, address, arguments."""

    box: str
    address: Any
    args: tuple


class Patch:
    def __init__(self, data: dict):
        self.data = data
        self.patcher = data["patcher"]
        self.boxes: dict[str, dict] = {}
        for entry in self.patcher.get("boxes", []):
            box = entry["box"]
            self.boxes.setdefault(box["id"], box)
        self.lines = [entry["patchline"] for entry in self.patcher.get("lines", [])]

    def of_name(self, name: str) -> list[dict]:
        return [b for b in self.boxes.values() if _name(b) == name]

    def feeding(self, box_id: str, inlet: Optional[int] = None) -> list[tuple[str, int]]:
        """(source id, outlet) of the lines entering ``box_id`` (at ``inlet`` if given)."""
        return [
            (line["source"][0], line["source"][1])
            for line in self.lines
            if line["destination"][0] == box_id
            and (inlet is None or line["destination"][1] == inlet)
        ]

    def fed_by(self, box_id: str, outlet: Optional[int] = None) -> list[tuple[str, int]]:
        """(destination id, inlet) of the lines leaving ``box_id`` (from ``outlet`` if given)."""
        return [
            (line["destination"][0], line["destination"][1])
            for line in self.lines
            if line["source"][0] == box_id and (outlet is None or line["source"][1] == outlet)
        ]

    # -- what a box outputs -------------------------------------------------------------

    def inputs(self, box_id: str, inlet: int, stack: tuple) -> list[list[Any]]:
        messages: list[list[Any]] = []
        for src, outlet in self.feeding(box_id, inlet):
            messages.extend(self.outputs(src, outlet, stack))
        return messages

    def outputs(self, box_id: str, outlet: int, stack: tuple = ()) -> list[list[Any]]:
        """The messages (lists of representative atoms) ``box_id`` can send from ``outlet``."""
        box = self.boxes[box_id]
        if box_id in stack:
            raise PatchError(f"{describe(box)} is part of a feedback loop into udpsend")
        stack = stack + (box_id,)
        cls = box.get("maxclass")
        name = _name(box)
        args = _args(box)
        unknown = PatchError(
            f"{describe(box)} outlet {outlet}: the checker cannot tell what this outputs; "
            "teach Patch.outputs about it"
        )

        if cls == "flonum":
            return [[REPR[FLOAT]]] if outlet == 0 else [[BANG]]
        if cls == "number":
            return [[REPR[INT]]] if outlet == 0 else [[BANG]]
        if cls in ("slider", "dial"):
            return [[REPR[FLOAT] if box.get("floatoutput") else REPR[INT]]]
        if cls == "multislider" and outlet == 0:
            kind = INT if box.get("settype", 1) == 0 else FLOAT
            return [[REPR[kind]] * int(box.get("size", 1))]
        if cls in ("pictslider", "toggle", "kslider"):  # kslider: pitch, velocity (ints)
            return [[REPR[INT]]]
        if cls == "button":
            return [[BANG]]
        if cls == "umenu":  # outlet 0: the item's index; outlet 1: the item's text
            if outlet == 0:
                return [[REPR[INT]]]
            if outlet == 1:
                return [[REPR[STRING]]]
            raise unknown
        if cls == "message":
            return self._message_outputs(box, stack)
        if cls != "newobj":
            raise unknown

        if name in ("prepend", "append"):
            # "set MESSAGE" replaces the stored message without output (Max's prepend/append)
            fed = self.inputs(box_id, 0, stack)
            stored = [[_atom(a) for a in args]] + [m[1:] for m in fed if m[:1] == ["set"]]
            fed = [m for m in fed if m[:1] != ["set"]]
            if not fed:
                raise PatchError(f"{describe(box)} has nothing connected to its inlet")
            return [words + m if name == "prepend" else m + words
                    for words in stored for m in fed]
        if name == "sprintf":
            return [_sprintf_output(args)]
        if name in ("pack", "pak"):
            return [[_kind_of_arg(a) for a in (args or ["0", "0"])]]
        if name == "unpack":
            kinds = args or ["0", "0"]
            if outlet < len(kinds):
                return [[_kind_of_arg(kinds[outlet])]]
            raise unknown
        if name in ("t", "trigger"):
            kinds = args or ["b", "b"]
            if outlet >= len(kinds):
                raise unknown
            if kinds[outlet] in ("l", "list", "a", "anything"):
                return self.inputs(box_id, 0, stack)
            return [[_kind_of_arg(kinds[outlet])]]
        if name == "scale":
            is_float = any(isinstance(_atom(a), float) for a in args)
            return [[REPR[FLOAT] if is_float else REPR[INT]]]
        if name in ("/", "*", "+", "-", "!-", "!/"):
            is_float = bool(args) and isinstance(_atom(args[0]), float)
            return [[REPR[FLOAT] if is_float else REPR[INT]]]
        if name == "notein":  # pitch, velocity, channel
            return [[REPR[INT]]]
        if name in ("loadbang", "delay", "del", "metro"):
            return [[BANG]]
        if name in ("speedlim", "qlim", "defer", "deferlow"):
            return self.inputs(box_id, 0, stack)
        raise unknown

    def _message_outputs(self, box: dict, stack: tuple) -> list[list[Any]]:
        text = str(box.get("text", "")).split(";")[0]
        if not text.strip():
            raise PatchError(f"{describe(box)} is empty: what it sends cannot be known")
        # Only a message box with $1... depends on its input; otherwise a bang or a click sends it.
        fed = (self.inputs(box["id"], 0, stack) or [[0]]) if "$" in text else [[]]
        out = []
        for part in text.split(","):
            words = part.split()
            if not words or words[0] == "set":
                continue
            for message in fed if "$" in part else [[]]:
                atoms = []
                for word in words:
                    dollar = re.fullmatch(r"\$[if]?(\d+)", word)
                    if dollar:
                        index = int(dollar.group(1)) - 1
                        if index >= len(message):
                            raise PatchError(f"{describe(box)}: {word} has no matching input")
                        atoms.append(message[index])
                    else:
                        atoms.append(_atom(word))
                out.append(atoms)
        return out

    # -- what reaches udpsend -------------------------------------------------------------

    def sent_messages(self, udpsend_id: str) -> list[Sent]:
        sent = []
        for src, outlet in self.feeding(udpsend_id, 0):
            for message in self.outputs(src, outlet):
                address = message[0] if message else None
                sent.append(Sent(src, address, tuple(message[1:])))
        return sent

    def reaches(self, box_id: str, target_id: str) -> bool:
        seen, todo = set(), [box_id]
        while todo:
            current = todo.pop()
            if current == target_id:
                return True
            if current in seen:
                continue
            seen.add(current)
            todo.extend(dst for dst, _ in self.fed_by(current))
        return False


# --------------------------------------------------------------------------------- checks
# Each returns a list of problems (empty when the patch is fine) so that a failure lists them all.


def structure_errors(data: Any, presentation: bool = True) -> list[str]:
    errors = []
    if not isinstance(data, dict) or set(data) != {"patcher"}:
        return ["top level must be an object with the single key 'patcher'"]
    patcher = data["patcher"]
    if patcher.get("fileversion") != 1:
        errors.append("patcher.fileversion must be 1")
    app = patcher.get("appversion")
    if not isinstance(app, dict) or not {"major", "minor", "revision"} <= set(app):
        errors.append("patcher.appversion must give major, minor and revision")
    elif app["major"] < 8:
        errors.append(f"patcher.appversion.major is {app['major']}; the patch targets Max 8+")
    if patcher.get("classnamespace") != "box":
        errors.append("patcher.classnamespace must be 'box'")
    if not _is_rect(patcher.get("rect")):
        errors.append("patcher.rect must be 4 numbers")
    if presentation and patcher.get("openinpresentation") != 1:
        errors.append("patcher.openinpresentation must be 1 (the patch opens as a control panel)")
    if not isinstance(patcher.get("boxes"), list) or not isinstance(patcher.get("lines"), list):
        errors.append("patcher.boxes and patcher.lines must be lists")
        return errors
    for i, entry in enumerate(patcher["boxes"]):
        if not (isinstance(entry, dict) and set(entry) == {"box"}
                and isinstance(entry["box"], dict)):
            errors.append(f"boxes[{i}] must be {{'box': {{...}}}}")
    for i, entry in enumerate(patcher["lines"]):
        line = entry.get("patchline") if isinstance(entry, dict) else None
        if not isinstance(line, dict) or not all(
            isinstance(line.get(end), list) and len(line[end]) == 2
            and isinstance(line[end][0], str) and isinstance(line[end][1], int)
            for end in ("source", "destination")
        ):
            errors.append(f"lines[{i}] must be {{'patchline': {{'source': [id, n], "
                          f"'destination': [id, n]}}}}")
    return errors


def _is_rect(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))


def box_errors(data: dict) -> list[str]:
    errors = []
    seen: dict[str, int] = {}
    for entry in data["patcher"]["boxes"]:
        box = entry["box"]
        box_id = box.get("id")
        if not isinstance(box_id, str):
            errors.append(f"a {box.get('maxclass')} box has no string id")
            continue
        seen[box_id] = seen.get(box_id, 0) + 1
        for key in ("maxclass", "numinlets", "numoutlets", "patching_rect"):
            if key not in box:
                errors.append(f"{describe(box)} lacks {key!r}")
        if not _is_rect(box.get("patching_rect")):
            errors.append(f"{describe(box)}: patching_rect must be 4 numbers")
        n_out = box.get("numoutlets", 0)
        if n_out and len(box.get("outlettype", [])) != n_out:
            errors.append(f"{describe(box)}: outlettype must list {n_out} outlet types")
        if box.get("maxclass") == "newobj" and not str(box.get("text", "")).strip():
            errors.append(f"{describe(box)}: an object box needs its text")
        expected = FIXED_IO.get(box.get("maxclass"))
        if box.get("maxclass") == "newobj" and _name(box) in NEWOBJ_IO:
            expected = NEWOBJ_IO[_name(box)](_args(box))
        if expected and (box.get("numinlets"), box.get("numoutlets")) != expected:
            errors.append(f"{describe(box)} declares {box.get('numinlets')} inlets / "
                          f"{box.get('numoutlets')} outlets; Max gives it {expected[0]} / "
                          f"{expected[1]}")
    errors += [f"box id {box_id!r} is used by {n} boxes" for box_id, n in seen.items() if n > 1]
    return errors


def line_errors(patch: Patch) -> list[str]:
    errors = []
    seen = set()
    for line in patch.lines:
        (src, outlet), (dst, inlet) = line["source"], line["destination"]
        key = (src, outlet, dst, inlet)
        if key in seen:
            errors.append(f"duplicate patchline {src}:{outlet} -> {dst}:{inlet}")
        seen.add(key)
        if src not in patch.boxes:
            errors.append(f"patchline {src}:{outlet} -> {dst}:{inlet}: no source box {src!r}")
        elif not 0 <= outlet < patch.boxes[src]["numoutlets"]:
            errors.append(f"patchline {src}:{outlet} -> {dst}:{inlet}: "
                          f"{describe(patch.boxes[src])} has only "
                          f"{patch.boxes[src]['numoutlets']} outlets")
        if dst not in patch.boxes:
            errors.append(f"patchline {src}:{outlet} -> {dst}:{inlet}: "
                          f"no destination box {dst!r}")
        elif not 0 <= inlet < patch.boxes[dst]["numinlets"]:
            errors.append(f"patchline {src}:{outlet} -> {dst}:{inlet}: "
                          f"{describe(patch.boxes[dst])} has only "
                          f"{patch.boxes[dst]['numinlets']} inlets")
    return errors


def find_udpsend(patch: Patch) -> tuple[Optional[dict], list[str]]:
    senders = patch.of_name("udpsend")
    if len(senders) != 1:
        return None, [f"expected exactly one udpsend, found {len(senders)}: "
                      + ", ".join(describe(b) for b in senders)]
    box = senders[0]
    args = _args(box)
    errors = []
    if len(args) < 2 or args[0] != SEND_HOST or _atom(args[1]) != DEFAULT_PORT:
        errors.append(f"{describe(box)} must be 'udpsend {SEND_HOST} {DEFAULT_PORT}' "
                      "(the server's host and default port)")
    return box, errors


def find_udpreceive(patch: Patch) -> tuple[Optional[dict], list[str]]:
    receivers = [b for b in patch.of_name("udpreceive")
                 if _args(b) and _atom(_args(b)[0]) == DEFAULT_REPLY_PORT]
    if len(receivers) != 1:
        found = ", ".join(describe(b) for b in patch.of_name("udpreceive")) or "none"
        return None, [f"expected one 'udpreceive {DEFAULT_REPLY_PORT}' (the server's reply port), "
                      f"found: {found}"]
    return receivers[0], []


def osc_errors(patch: Patch) -> tuple[list[str], set[tuple[str, str]]]:
    """Problems with the messages sent to udpsend, and the (path, handler) forms exercised."""
    udpsend, errors = find_udpsend(patch)
    if udpsend is None:
        return errors, set()
    try:
        sent = patch.sent_messages(udpsend["id"])
    except PatchError as exc:
        return errors + [str(exc)], set()
    if not sent:
        errors.append(f"nothing is connected to {describe(udpsend)}")
    exercised = set()
    for message in sent:
        origin = describe(patch.boxes[message.box])
        shown = " ".join(str(a) for a in (message.address,) + message.args)
        if not isinstance(message.address, str) or not message.address.startswith("/"):
            errors.append(f"{origin} sends {shown!r} to udpsend: not an OSC address")
            continue
        address = lookup(message.address)
        if address is None:
            errors.append(f"{origin} sends {message.address}, which is not in the OSC address "
                          "table (synth_server/control/addresses.py)")
            continue
        try:
            form, _ = validate(address, message.args)
        except OscArgumentError as exc:
            errors.append(f"{origin} sends {shown!r}: arguments do not fit {message.address}: "
                          f"{exc}")
            continue
        exercised.add((address.path, handler_of(address, form).__name__))

    # Every OSC-looking control must actually be wired to udpsend.
    for box in patch.boxes.values():
        text = str(box.get("text", ""))
        is_osc_msg = box.get("maxclass") == "message" and text.startswith("/")
        is_osc_prepend = _name(box) == "prepend" and any(
            a.startswith("/") for a in _args(box)[:1])
        if (is_osc_msg or is_osc_prepend) and not patch.reaches(box["id"], udpsend["id"]):
            errors.append(f"{describe(box)} looks like an OSC message but does not reach udpsend")
    return errors, exercised


def coverage_errors(exercised: set[tuple[str, str]]) -> list[str]:
    errors = []
    sent_paths = {path for path, _ in exercised}
    table_paths = {address.path for address in ADDRESSES}
    for path in REQUIRED_ADDRESSES:
        if path not in sent_paths and (path not in table_paths or path in NO_UI_ADDRESSES):
            errors.append(f"the patch never sends {path}")
    for address in ADDRESSES:
        if address.path in NO_UI_ADDRESSES:
            continue
        if address.path not in sent_paths:
            errors.append(f"the patch never sends {address.path} (in the address table); add a "
                          "control for it or list it in NO_UI_ADDRESSES")
            continue
        for form in address.forms:
            name = handler_of(address, form).__name__
            if (address.path, name) not in exercised | FORMS_WITHOUT_UI:
                errors.append(f"the patch never sends the {name} form of {address.path}")
    return errors


def receive_errors(patch: Patch) -> list[str]:
    receiver, errors = find_udpreceive(patch)
    if receiver is None:
        return errors
    routes = [patch.boxes[dst] for dst, _ in patch.fed_by(receiver["id"], 0)
              if _name(patch.boxes[dst]) == "route"]
    if not routes:
        return [f"{describe(receiver)} feeds no route object"]
    selectors = {arg: (route, i) for route in routes for i, arg in enumerate(_args(route))}
    for address in ADDRESSES:
        reply = address.reply
        if not reply:
            continue
        if reply.endswith("/*"):
            prefix = reply[:-1]
            if not any(s.startswith(prefix) for s in selectors):
                errors.append(f"no route after {describe(receiver)} handles replies {reply} "
                              f"(to {address.path})")
        elif reply not in selectors:
            errors.append(f"no route after {describe(receiver)} handles the reply {reply} "
                          f"(to {address.path})")
    if "/pong" not in selectors:
        errors.append(f"no route after {describe(receiver)} handles /pong")
    for selector, (route, outlet) in selectors.items():
        if not patch.fed_by(route["id"], outlet):
            errors.append(f"{describe(route)}: the outlet for {selector} is not connected")
    if "/pong" in selectors:
        route, outlet = selectors["/pong"]
        lights = [patch.boxes[dst] for dst, _ in patch.fed_by(route["id"], outlet)
                  if patch.boxes[dst].get("maxclass") in ("led", "button")]
        if not lights:
            errors.append(f"{describe(route)}: /pong should flash a led or button")
    return errors


def presentation_errors(patch: Patch) -> list[str]:
    errors = []
    for box in patch.boxes.values():
        text = str(box.get("text", ""))
        # An OSC message box without $1... is a button to click (one with $1 is plumbing).
        user_facing = box.get("maxclass") in UI_CLASSES or (
            box.get("maxclass") == "message" and text.startswith("/") and "$" not in text)
        if not user_facing:
            continue
        if box.get("presentation") != 1:
            errors.append(f"{describe(box)} is a control but not in presentation mode")
        elif not _is_rect(box.get("presentation_rect")):
            errors.append(f"{describe(box)}: presentation_rect must be 4 numbers")
    if not any(b.get("maxclass") == "comment" and b.get("presentation") == 1
               for b in patch.boxes.values()):
        errors.append("no comment labels in presentation mode")
    return errors


# Advance widths of Arial (metric-compatible with Helvetica: the standard Helvetica AFM widths),
# in 1/1000 em, for printable ASCII; other characters count as 1 em.
_ARIAL_WIDTHS = dict(zip(
    (chr(code) for code in range(32, 127)),  # " " to "~"
    (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278)
    + (556,) * 10
    + (278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
       556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278,
       469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
       556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584), strict=True))
# Max's inner margin of a comment or message box (left + right) and its line height per point.
TEXT_MARGIN_PX = 10.0
LINE_HEIGHT_PER_PT = 1.25
MIN_PAD_PX = 300.0


def text_width_px(text: str, fontsize: float, bold: bool = False) -> float:
    """Width in pixels of ``text`` set in Arial at ``fontsize`` points (Max: 1 pt = 1 px), from
    Arial's advance widths; bold is counted 10 % wider."""
    width = sum(_ARIAL_WIDTHS.get(ch, 1000) for ch in text) * fontsize / 1000.0
    return width * 1.1 if bold else width


def text_lines(text: str, fontsize: float, width: float, bold: bool = False) -> int:
    """Lines Max needs to show ``text`` in a box ``width`` px wide (greedy word wrap)."""
    usable = width - TEXT_MARGIN_PX
    lines, current = 1, ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and text_width_px(trial, fontsize, bold) > usable:
            lines, current = lines + 1, word
        else:
            current = trial
    if text_width_px(current, fontsize, bold) > usable:  # one word wider than the box
        lines += 1
    return lines


def _intersection(a: list[float], b: list[float]) -> float:
    """Area shared by two [x, y, width, height] rectangles (0 when they only touch)."""
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _rect(box: dict, key: str) -> Optional[list[float]]:
    rect = box.get(key)
    return [float(v) for v in rect] if _is_rect(rect) else None


def _is_background(box: dict) -> bool:
    """A box drawn behind the others on purpose (Max's "Include in Background", ``background:
    1``): the panel that colours the window and the heatmap picture behind the pad."""
    return box.get("background") == 1


def overlap_errors(data: dict, key: str = "presentation_rect",
                   only_presentation: bool = True) -> list[str]:
    """No two boxes (background boxes aside) overlap, every box lies inside the window
    (patcher.rect gives its width and height), and the text of every comment and message fits
    its box (wrapped in Max's way; a longer text would spill onto its neighbours)."""
    patcher = data["patcher"]
    window = patcher.get("rect", [0, 0, 0, 0])
    default_size = float(patcher.get("default_fontsize", 12.0))
    boxes = [e["box"] for e in patcher["boxes"]
             if not only_presentation or e["box"].get("presentation") == 1]
    errors, placed = [], []
    for box in boxes:
        rect = _rect(box, key)
        if rect is None or rect[2] <= 0 or rect[3] <= 0:
            errors.append(f"{describe(box)}: {key} must be 4 numbers with a positive size")
            continue
        if rect[0] < 0 or rect[1] < 0 or rect[0] + rect[2] > window[2] \
                or rect[1] + rect[3] > window[3]:
            errors.append(f"{describe(box)}: {key} {rect} is outside the window "
                          f"(0, 0, {window[2]}, {window[3]})")
        text = str(box.get("text", ""))
        if box.get("maxclass") in ("comment", "message") and text.strip():
            size = float(box.get("fontsize", default_size))
            bold = box.get("fontface") in (1, 3)
            lines = text_lines(text, size, rect[2], bold)
            needed = lines * size * LINE_HEIGHT_PER_PT + 4
            if needed > rect[3] + 0.5:
                errors.append(f"{describe(box)}: its text needs {lines} line(s) "
                              f"({needed:.0f} px high) in a box {rect[2]:.0f} x {rect[3]:.0f} px")
        if not _is_background(box):
            placed.append((box, rect))
    for i, (a, ra) in enumerate(placed):
        for b, rb in placed[i + 1:]:
            area = _intersection(ra, rb)
            if area > 0:
                errors.append(f"{describe(a)} and {describe(b)} overlap ({area:.0f} px^2 of "
                              f"{key})")
    return errors


def pad_errors(patch: Patch) -> list[str]:
    """The pad (the one pictslider) is at least 300 x 300 px in presentation, and the heatmap
    picture (fpic) lies exactly behind it as a background box."""
    pads = patch.of_name("pictslider")
    if len(pads) != 1:
        return [f"expected one pictslider (the pad), found {len(pads)}"]
    pad = pads[0]
    rect = _rect(pad, "presentation_rect")
    if rect is None:
        return [f"{describe(pad)} has no presentation_rect"]
    errors = []
    if rect[2] < MIN_PAD_PX or rect[3] < MIN_PAD_PX:
        errors.append(f"{describe(pad)} is {rect[2]:.0f} x {rect[3]:.0f} px in presentation; "
                      f"the pad must be at least {MIN_PAD_PX:.0f} x {MIN_PAD_PX:.0f}")
    for pic in patch.of_name("fpic"):
        if pic.get("presentation") == 1 and (_rect(pic, "presentation_rect") != rect
                                             or not _is_background(pic)):
            errors.append(f"{describe(pic)} (the heatmap) must be a background box with the "
                          f"pad's presentation_rect {rect}")
    return errors


# The web page's order (synth_server/control/web_page/index.html): the pad and the keyboard on the
# left; then, top to bottom, model / manifold / heatmap menus, sliders, output, presets.
def _first(patch: Patch, test: Callable[[dict], bool]) -> Optional[dict]:
    return next((b for b in patch.boxes.values() if b.get("presentation") == 1 and test(b)), None)


def _feeds(patch: Patch, prefix: str) -> Callable[[dict], bool]:
    """A box from which a box whose text starts with ``prefix`` is reached."""
    targets = [b["id"] for b in patch.boxes.values()
               if str(b.get("text", "")).startswith(prefix)]

    def test(box: dict) -> bool:
        return any(patch.reaches(box["id"], target) for target in targets)
    return test


def group_errors(patch: Patch) -> list[str]:
    """The presentation reads like the web page: play (pad, keyboard) left of the controls, and
    the controls in the page's order from top to bottom."""
    play = {"the pad": _first(patch, lambda b: b.get("maxclass") == "pictslider"),
            "the keyboard": _first(patch, lambda b: b.get("maxclass") == "kslider")}
    def control(cls: str, prefix: str) -> Optional[dict]:
        feeds = _feeds(patch, prefix)
        return _first(patch, lambda b: b.get("maxclass") == cls and feeds(b))

    controls = {
        "the model menu": control("umenu", "prepend /model/load"),
        "the manifold menu": control("umenu", "prepend /manifold/select"),
        "the heatmap menu": control("umenu", "prepend /heatmap"),
        "the sliders": control("slider", "prepend /slider"),
        "the gain": control("slider", "prepend /gain"),
        "the presets": _first(patch, lambda b: str(b.get("text", "")).startswith("/preset/")),
    }
    errors = [f"{name} is not in presentation mode" for name, box in {**play, **controls}.items()
              if box is None]
    if errors:
        return errors
    rects = {name: _rect(box, "presentation_rect") for name, box in {**play, **controls}.items()}
    left_edge = min(r[0] for name, r in rects.items() if name in controls)
    for name in play:
        if rects[name][0] + rects[name][2] > left_edge:
            errors.append(f"{name} must be left of the controls (as on the web page)")
    names = list(controls)
    for upper, lower in zip(names, names[1:]):
        if rects[upper][1] >= rects[lower][1]:
            errors.append(f"{upper} must be above {lower} (the web page's order)")
    return errors


def _route_outlet(patch: Patch, selector: str) -> Optional[tuple[dict, int]]:
    """(route, outlet) after udpreceive that passes the replies ``selector``."""
    receiver, _ = find_udpreceive(patch)
    if receiver is None:
        return None
    for dst, _ in patch.fed_by(receiver["id"], 0):
        route = patch.boxes[dst]
        if _name(route) == "route" and selector in _args(route):
            return route, _args(route).index(selector)
    return None


def descriptor_menu_errors(patch: Patch) -> list[str]:
    """The descriptor names come from the server, as the model and preset names do: a playable
    (hpn) model has five of the seven (no f0_hz, no loudness_db; docs/descriptors.md), so a
    fixed list offers names that answer /error. The menu that chooses what to steer
    (``/descriptor/NAME value``) and the heatmap menu (``/heatmap NAME``) hold no names of their
    own; the ``/descriptor/list`` reply clears them and appends each name (Max's trigger fires
    right to left: ``clear`` from an outlet right of ``iter``'s); ``/descriptor/list`` is asked
    at load and after each ``/model/loaded``; every ``prepend /descriptor/NAME`` has its NAME set
    by the steering menu (``set /descriptor/NAME``), never fixed."""
    errors = []
    heatmap = [b for b in patch.of_name("umenu")
               if any(patch.reaches(b["id"], t["id"]) for t in patch.boxes.values()
                      if str(t.get("text", "")).startswith("prepend /heatmap"))]
    steer_boxes = [b for b in patch.boxes.values()
                   if _name(b) == "prepend" and _args(b)[:1]
                   and _args(b)[0].startswith("/descriptor/")]
    steer = [b for b in patch.of_name("umenu")
             if any(patch.reaches(b["id"], t["id"]) for t in steer_boxes)]
    if not heatmap:
        errors.append("no umenu chooses the heatmap (prepend /heatmap)")
    if not steer:
        errors.append("no umenu chooses the descriptor to steer (prepend /descriptor/NAME)")
    for box in steer_boxes:
        if not any(patch.reaches(menu["id"], box["id"]) for menu in steer):
            errors.append(f"{describe(box)} steers a fixed descriptor: a model may not have it "
                          "(choose the name from a menu filled by /descriptor/list)")
    found = _route_outlet(patch, "/descriptor/list")
    if found is None:
        return errors + ["no route after udpreceive passes the /descriptor/list reply"]
    route, outlet = found
    starts = [dst for dst, _ in patch.fed_by(route["id"], outlet)]
    triggers = [patch.boxes[b] for b in starts if _name(patch.boxes[b]) in ("t", "trigger")]
    for menu in heatmap + steer:
        if [i for i in menu.get("items", []) if i != ","]:
            errors.append(f"{describe(menu)} lists descriptor names of its own "
                          f"({', '.join(i for i in menu['items'] if i != ',')}): fill it from "
                          "/descriptor/list")
        sources = [patch.boxes[src] for src, _ in patch.feeding(menu["id"], 0)]
        append = next((b["id"] for b in sources if b.get("text") == "prepend append"), None)
        clear = next((b["id"] for b in sources
                      if b.get("maxclass") == "message" and b.get("text") == "clear"), None)
        if append is None or clear is None or not any(
                patch.reaches(b, append) and patch.reaches(b, clear) for b in starts):
            errors.append(f"{describe(menu)} is not filled from the /descriptor/list reply "
                          "(clear, then prepend append of each name)")
            continue
        def outlets_to(trigger: dict, target: str) -> list[int]:
            return [o for o in range(trigger["numoutlets"])
                    for dst, _ in patch.fed_by(trigger["id"], o) if patch.reaches(dst, target)]
        if not any(outlets_to(t, append) and outlets_to(t, clear)
                   and min(outlets_to(t, append)) < max(outlets_to(t, clear))
                   for t in triggers):
            errors.append(f"{describe(menu)}: the /descriptor/list reply must clear it before "
                          "appending (a trigger's clear outlet right of its list outlet)")
    asks = [b for b in patch.boxes.values() if b.get("maxclass") == "message"
            and b.get("text") == "/descriptor/list"]
    if not asks:
        return errors + ["no message box sends /descriptor/list"]
    if not any(b.get("presentation") == 1 for b in asks):
        errors.append("no /descriptor/list button in presentation mode")
    loadbangs = patch.of_name("loadbang")
    if not any(patch.reaches(lb["id"], ask["id"]) for lb in loadbangs for ask in asks):
        errors.append("/descriptor/list is not asked at load")
    loaded = _route_outlet(patch, "/model/loaded")
    if loaded is None or not any(patch.reaches(dst, ask["id"]) for ask in asks
                                 for dst, _ in patch.fed_by(loaded[0]["id"], loaded[1])):
        errors.append("/descriptor/list is not asked after /model/loaded")
    return errors


def layout_errors(data: dict) -> list[str]:
    patch = Patch(data)
    return overlap_errors(data) + pad_errors(patch) + group_errors(patch)


def all_errors(data: dict) -> list[str]:
    errors = structure_errors(data)
    if errors:
        return errors
    errors = box_errors(data)
    patch = Patch(data)
    errors += line_errors(patch)
    if errors:  # the graph walk needs sound boxes and lines
        return errors
    sent, exercised = osc_errors(patch)
    errors += sent + coverage_errors(exercised) + receive_errors(patch)
    errors += presentation_errors(patch) + layout_errors(data) + descriptor_menu_errors(patch)
    return errors


def _fmt(errors: list[str]) -> str:
    return "\n".join(["problems in " + str(PATCH_PATH.name) + ":"] + errors)


# --------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def data() -> dict:
    return load_patch()


@pytest.fixture(scope="module")
def patch(data) -> Patch:
    return Patch(data)


def test_patch_is_json_with_max_patcher_structure(data):
    errors = structure_errors(data)
    assert not errors, _fmt(errors)


def test_boxes_have_unique_ids_and_inlet_outlet_counts(data):
    errors = box_errors(data)
    assert not errors, _fmt(errors)


def test_patchlines_join_existing_inlets_and_outlets(patch):
    errors = line_errors(patch)
    assert not errors, _fmt(errors)


def test_udpsend_targets_the_server_default_port(patch):
    box, errors = find_udpsend(patch)
    assert not errors, _fmt(errors)
    assert box is not None


def test_udpreceive_listens_on_the_reply_port(patch):
    box, errors = find_udpreceive(patch)
    assert not errors, _fmt(errors)
    assert box is not None


def test_every_sent_message_is_in_the_address_table(patch):
    errors, _ = osc_errors(patch)
    assert not errors, _fmt(errors)


def test_every_address_in_the_table_can_be_sent(patch):
    _, exercised = osc_errors(patch)
    errors = coverage_errors(exercised)
    assert not errors, _fmt(errors)


def test_replies_are_routed_to_displays(patch):
    errors = receive_errors(patch)
    assert not errors, _fmt(errors)


def test_controls_are_in_presentation_mode(patch):
    errors = presentation_errors(patch)
    assert not errors, _fmt(errors)


def test_inferred_messages_are_the_expected_ones(patch):
    """Pin the inference itself on this patch, so a checker bug cannot pass vacuously."""
    udpsend, _ = find_udpsend(patch)
    sent = {(m.address, tuple(type(a).__name__ for a in m.args))
            for m in patch.sent_messages(udpsend["id"])}
    assert ("/pad", ("float", "float")) in sent
    assert ("/gain", ("float",)) in sent
    assert ("/latent", ("float",) * 8) in sent
    assert ("/latent", ("int", "float")) in sent
    assert ("/ping", ()) in sent
    assert ("/state", ()) in sent
    assert ("/slider", ("int", "float")) in sent
    assert ("/manifold/select", ("str",)) in sent
    assert ("/model/load", ("str",)) in sent
    assert ("/descriptor/centroid_hz", ("float",)) in sent  # before the menu is filled
    assert (f"/descriptor/{REPR[STRING]}", ("float",)) in sent  # the name chosen in the menu
    assert ("/heatmap", ("str",)) in sent
    assert ("/preset/list", ()) in sent
    assert ("/preset/recall", ("str",)) in sent


def test_preset_list_fills_a_menu_that_recalls(patch):
    """The /preset/list reply is appended to a umenu (cleared first), whose chosen name is sent as
    /preset/recall NAME; the list is asked at load and again after each /preset/stored."""
    receiver, _ = find_udpreceive(patch)
    routes = [patch.boxes[dst] for dst, _ in patch.fed_by(receiver["id"], 0)
              if "/preset/list" in _args(patch.boxes[dst])]
    assert len(routes) == 1, "no route /preset/list after udpreceive"
    outlet = _args(routes[0]).index("/preset/list")
    recall = next(b for b in patch.boxes.values() if b.get("text") == "prepend /preset/recall")
    menus = [b for b in patch.of_name("umenu") if patch.reaches(b["id"], recall["id"])]
    assert len(menus) == 1 and menus[0].get("presentation") == 1
    assert any(patch.reaches(dst, menus[0]["id"])
               for dst, _ in patch.fed_by(routes[0]["id"], outlet))
    ask = next(b for b in patch.boxes.values() if b.get("text") == "/preset/list")
    loadbang = patch.of_name("loadbang")[0]
    assert patch.reaches(loadbang["id"], ask["id"])
    stored_route = next(b for b in patch.boxes.values()
                        if _name(b) == "route" and "/preset/stored" in _args(b))
    stored_outlet = _args(stored_route).index("/preset/stored")
    assert any(patch.reaches(dst, ask["id"])
               for dst, _ in patch.fed_by(stored_route["id"], stored_outlet))


def test_descriptor_menus_are_filled_from_descriptor_list(patch):
    """The steering and heatmap menus list the names the server's /descriptor/list gives (asked
    at load, after /model/loaded and by a button), not a fixed list: a playable model has five
    descriptors and answers /error to f0_hz and loudness_db."""
    errors = descriptor_menu_errors(patch)
    assert not errors, _fmt(errors)
    texts = " ".join(str(b.get("text", "")) + " " + " ".join(b.get("items", []))
                     for b in patch.boxes.values())
    for name in FIXED_BY_FAMILY["hpn"]:
        assert name not in texts, f"the patch names {name}, which a playable model lacks"
    # the steering menu's choice rewrites the address: set /descriptor/NAME, then the value
    steer = next(b for b in patch.boxes.values()
                 if str(b.get("text", "")).startswith("prepend /descriptor/"))
    every_family = set(NAMES) - {n for fixed in FIXED_BY_FAMILY.values() for n in fixed}
    assert _args(steer)[0].split("/")[-1] in every_family  # its name before the menu is filled
    fed = patch.inputs(steer["id"], 0, ())
    assert ["set", f"/descriptor/{REPR[STRING]}"] in fed and [REPR[FLOAT]] in fed


def test_keyboard_notein_and_note_controls_reach_udpsend(patch):
    """kslider and notein play /note/on pitch velocity (velocity 0 = off); a number box sends
    /note/off, a button /note/all_off; bend, pedal and envelope have controls."""
    udpsend, _ = find_udpsend(patch)
    sent = {(m.address, tuple(type(a).__name__ for a in m.args))
            for m in patch.sent_messages(udpsend["id"])}
    assert ("/note/on", ("int", "int")) in sent
    assert ("/note/off", ("int",)) in sent
    assert ("/note/all_off", ()) in sent
    assert ("/pitchbend", ("float",)) in sent
    assert ("/sustain", ("int",)) in sent
    assert ("/envelope", ("float",) * 4) in sent
    note_on = next(b for b in patch.boxes.values() if b.get("text") == "prepend /note/on")
    for name in ("kslider", "notein"):
        boxes = patch.of_name(name)
        assert len(boxes) == 1, f"expected one {name}"
        assert patch.reaches(boxes[0]["id"], note_on["id"]), f"{name} does not play notes"
    kslider = patch.of_name("kslider")[0]
    assert kslider.get("mode") == 1, "polyphonic: a second click sends velocity 0 (note off)"


def test_note_messages_fit_the_address_table(patch):
    errors, _ = osc_errors(patch)
    assert not [e for e in errors if any(a in e for a in NOTE_ADDRESSES)], _fmt(errors)
    sent = {m.address for m in patch.sent_messages(find_udpsend(patch)[0]["id"])}
    assert NOTE_ADDRESSES <= sent


def test_errors_from_the_server_are_shown(patch):
    """/error replies reach a message box in presentation mode (not only the console)."""
    receiver, _ = find_udpreceive(patch)
    routes = [patch.boxes[dst] for dst, _ in patch.fed_by(receiver["id"], 0)
              if _name(patch.boxes[dst]) == "route" and "/error" in _args(patch.boxes[dst])]
    assert routes, "no route /error after udpreceive"
    route = routes[0]
    outlet = _args(route).index("/error")
    shown = [patch.boxes[dst] for dst, _ in patch.fed_by(route["id"], outlet)
             if patch.boxes[dst].get("text") == "prepend set"]
    assert shown, "/error is not set into a display"
    displays = [patch.boxes[dst] for dst, _ in patch.fed_by(shown[0]["id"], 0)
                if patch.boxes[dst].get("maxclass") == "message"]
    assert displays and displays[0].get("presentation") == 1


def test_presentation_boxes_do_not_overlap_and_fit_the_window(data):
    """No two presentation boxes share area (the background panel and the heatmap behind the pad
    aside), each lies inside the window and its text fits it."""
    errors = overlap_errors(data)
    assert not errors, _fmt(errors)


def test_pad_is_at_least_300_px_with_the_heatmap_behind_it(patch):
    errors = pad_errors(patch)
    assert not errors, _fmt(errors)


def test_groups_read_left_to_right_like_the_web_page(patch):
    errors = group_errors(patch)
    assert not errors, _fmt(errors)


@pytest.mark.skipif(not HELP_PATH.exists(), reason="no help patch")
def test_help_patch_boxes_do_not_overlap():
    """The help patch opens in patching mode: its boxes' patching_rects do not overlap, lie inside
    its window, and their texts fit."""
    errors = overlap_errors(load_patch(HELP_PATH), key="patching_rect", only_presentation=False)
    assert not errors, "\n".join([f"problems in {HELP_PATH.name}:"] + errors)


@pytest.mark.skipif(not HELP_PATH.exists(), reason="no help patch")
def test_help_patch_is_sound_and_its_examples_are_valid():
    help_data = load_patch(HELP_PATH)
    errors = structure_errors(help_data, presentation=False)
    if not errors:
        errors = box_errors(help_data) + line_errors(Patch(help_data))
    if not errors:
        errors, _ = osc_errors(Patch(help_data))
    assert not errors, "\n".join([f"problems in {HELP_PATH.name}:"] + errors)


# --------------------------------------------------------------------------------- negative tests


def _box(data: dict, text: str) -> dict:
    for entry in data["patcher"]["boxes"]:
        if entry["box"].get("text") == text:
            return entry["box"]
    raise KeyError(text)


def _line_into(data: dict, box_id: str) -> dict:
    for entry in data["patcher"]["lines"]:
        if entry["patchline"]["destination"][0] == box_id:
            return entry["patchline"]
    raise KeyError(box_id)


def _to_missing_inlet(d):
    target = _box(d, "prepend /gain")
    _line_into(d, target["id"])["destination"][1] = 3
    return target["id"]


def _from_missing_box(d):
    target = _box(d, "prepend /pad")
    _line_into(d, target["id"])["source"][0] = "obj-9999"
    return "obj-9999"


def _duplicate_id(d):
    first, second = d["patcher"]["boxes"][0]["box"], d["patcher"]["boxes"][1]["box"]
    second["id"] = first["id"]
    return first["id"]


def _wrong_port(d):
    box = _box(d, f"udpsend {SEND_HOST} {DEFAULT_PORT}")
    box["text"] = f"udpsend {SEND_HOST} {DEFAULT_PORT + 100}"
    return box["id"]


def _unknown_address(d):
    box = _box(d, "prepend /pad")
    box["text"] = "prepend /padd"
    return box["id"]


def _wrong_arity(d):
    pack = _box(d, "pack f f")
    pack["text"], pack["numinlets"] = "pack f f f", 3
    return _box(d, "prepend /pad")["id"]  # the box that hands /pad x y z to udpsend


def _index_sent_as_float(d):
    pak = _box(d, "pak 0 0.")
    pak["text"] = "pak 0. 0."  # /latent 0.5 0.5: now never the (index, value) form
    return "on_latent_index"


def _string_argument(d):
    box = _box(d, "/ping")
    box["text"] = "/gain loud"
    return box["id"]


def _no_ping(d):
    box = _box(d, "/ping")
    box["text"] = "hello"
    return "/ping"


def _pong_not_routed(d):
    route = next(e["box"] for e in d["patcher"]["boxes"] if _name(e["box"]) == "route")
    route["text"] = route["text"].replace("/pong", "/pongg")
    return "/pong"


def _disconnected_osc_box(d):
    state = _box(d, "/state")
    d["patcher"]["lines"] = [e for e in d["patcher"]["lines"]
                             if e["patchline"]["source"][0] != state["id"]]
    return state["id"]


def _wrong_route_counts(d):
    route = next(e["box"] for e in d["patcher"]["boxes"] if _name(e["box"]) == "route")
    route["numinlets"] = 1
    return route["id"]


def _presented(d, cls):
    return next(e["box"] for e in d["patcher"]["boxes"]
                if e["box"].get("maxclass") == cls and e["box"].get("presentation") == 1)


def _overlapping_boxes(d):
    ping, state = _box(d, "/ping"), _box(d, "/state")
    x, y = ping["presentation_rect"][:2]
    state["presentation_rect"][:2] = [x + 5, y + 5]
    return state["id"]


def _small_pad(d):
    pad = _presented(d, "pictslider")
    pad["presentation_rect"][2:] = [200.0, 200.0]
    return pad["id"]


def _heatmap_not_behind_pad(d):
    pic = _presented(d, "fpic")
    del pic["background"]
    return pic["id"]


def _outside_the_window(d):
    box = _box(d, "/random 1.")
    box["presentation_rect"][0] = d["patcher"]["rect"][2] - 10
    return box["id"]


def _text_too_long(d):
    box = _box(d, "/random 1.")
    box["text"] = "/random 1. " + "0" * 40  # no longer fits its box (nor the table: one float)
    return box["id"]


def _keyboard_right_of_controls(d):
    kslider = _presented(d, "kslider")
    kslider["presentation_rect"][0] = d["patcher"]["rect"][2] - kslider["presentation_rect"][2]
    return "the keyboard"


def _fixed_heatmap_menu(d):
    menu = next(e["box"] for e in d["patcher"]["boxes"]
                if e["box"].get("maxclass") == "umenu"
                and Patch(d).reaches(e["box"]["id"], _box(d, "prepend /heatmap")["id"]))
    menu["items"] = ["centroid_hz", ",", "loudness_db", ",", "f0_hz"]
    return menu["id"]


def _fixed_steering(d):
    box = next(e["box"] for e in d["patcher"]["boxes"]
               if str(e["box"].get("text", "")).startswith("prepend /descriptor/"))
    d["patcher"]["lines"] = [e for e in d["patcher"]["lines"]
                             if e["patchline"]["destination"][0] != box["id"]
                             or _name(Patch(d).boxes[e["patchline"]["source"][0]]) != "sprintf"]
    return box["id"]


def _descriptor_menu_not_filled(d):
    menu = next(e["box"] for e in d["patcher"]["boxes"]
                if e["box"].get("maxclass") == "umenu"
                and Patch(d).reaches(e["box"]["id"], _box(d, "prepend /heatmap")["id"]))
    boxes = Patch(d).boxes
    d["patcher"]["lines"] = [e for e in d["patcher"]["lines"]
                             if e["patchline"]["destination"][0] != menu["id"]
                             or boxes[e["patchline"]["source"][0]].get("text") != "prepend append"]
    return menu["id"]


def _descriptor_menu_cleared_after_filling(d):
    patch = Patch(d)
    route, outlet = _route_outlet(patch, "/descriptor/list")
    trigger = next(dst for dst, _ in patch.fed_by(route["id"], outlet)
                   if _name(patch.boxes[dst]) == "t")
    last = patch.boxes[trigger]["numoutlets"] - 1
    for entry in d["patcher"]["lines"]:  # swap the trigger's rightmost and leftmost outlets
        line = entry["patchline"]
        if line["source"][0] == trigger and line["source"][1] in (0, last):
            line["source"][1] = last - line["source"][1]
    return next(e["box"]["id"] for e in d["patcher"]["boxes"]
                if e["box"].get("maxclass") == "umenu"
                and patch.reaches(e["box"]["id"], _box(d, "prepend /heatmap")["id"]))


def _descriptor_list_not_asked_on_model_loaded(d):
    ask = _box(d, "/descriptor/list")
    patch = Patch(d)
    route, outlet = _route_outlet(patch, "/model/loaded")
    starts = {dst for dst, _ in patch.fed_by(route["id"], outlet)}
    d["patcher"]["lines"] = [e for e in d["patcher"]["lines"]
                             if not (e["patchline"]["source"][0] in starts
                                     and e["patchline"]["destination"][0] == ask["id"])]
    return "/model/loaded"


MUTATIONS = {
    "line to a missing inlet": _to_missing_inlet,
    "line from a missing box": _from_missing_box,
    "duplicate box id": _duplicate_id,
    "udpsend on the wrong port": _wrong_port,
    "address not in the table": _unknown_address,
    "wrong number of arguments": _wrong_arity,
    "form never sent": _index_sent_as_float,
    "string where a float is needed": _string_argument,
    "address never sent": _no_ping,
    "/pong not routed": _pong_not_routed,
    "OSC message box not wired": _disconnected_osc_box,
    "route with the wrong inlet count": _wrong_route_counts,
    "overlapping presentation boxes": _overlapping_boxes,
    "pad smaller than 300 px": _small_pad,
    "heatmap not a background box": _heatmap_not_behind_pad,
    "box outside the window": _outside_the_window,
    "text wider than its box": _text_too_long,
    "keyboard right of the controls": _keyboard_right_of_controls,
    "heatmap menu with fixed names": _fixed_heatmap_menu,
    "steering a fixed descriptor": _fixed_steering,
    "descriptor menu not filled": _descriptor_menu_not_filled,
    "descriptor menu cleared after filling": _descriptor_menu_cleared_after_filling,
    "/descriptor/list not asked after /model/loaded": _descriptor_list_not_asked_on_model_loaded,
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=list(MUTATIONS))
def test_checks_fail_on_a_broken_copy(data, mutate):
    assert not all_errors(data), _fmt(all_errors(data))
    broken = copy.deepcopy(data)
    culprit = mutate(broken)
    errors = all_errors(broken)
    assert errors, "the checks accepted a broken patch"
    assert any(culprit in e for e in errors), (
        f"no error names {culprit!r}:\n" + "\n".join(errors))
