"""Presets saved to a JSON file, so a performer's /preset/store survives a restart.

File: ``{"presets": {NAME: {"latent": [float, ...], "pad": [x, y]}}}``, at most
:data:`~synth_server.control.controller.MAX_PRESETS` names. One function,
:func:`check_preset`, says what a preset may hold; /preset/store and the loader both use it, so
whatever a store accepts loads again after a restart:

- name: 1 to 64 characters (Unicode code points); any character but control characters
  (newline, tab, ...);
- latent: 1 to 256 finite numbers (any latent size: a preset stored with another model still
  recalls its pad);
- pad: 2 finite numbers, clamped to [0, 1] like /pad.

Loading skips a bad entry (and reports it) but keeps the good ones; skipped entries are written
back unchanged on the next save, so nothing in the file is lost. Saving writes a temporary file
beside the real file (the target of a symlink, which stays a symlink) and renames it over.
"""
from __future__ import annotations

import errno
import math
import numbers
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from synth_server.core.files import (FileFormatError, json_bytes, parse_json, read_bytes,
                                     write_atomic)

Preset = tuple[tuple[float, ...], tuple[float, float]]
Presets = dict[str, Preset]
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NAME_CHARS = 64
MAX_LATENT_VALUES = 256


class PresetError(ValueError):
    """A preset name or value that :func:`check_preset` refuses (message: one line)."""


def check_name(name: Any) -> str:
    """``name`` if it is a valid preset name.

    Raises:
        PresetError: not a string, empty, longer than 64 characters, or holding a control
            character.
    """
    if not isinstance(name, str):
        raise PresetError(f"preset name must be a string, not {type(name).__name__}")
    if not name:
        raise PresetError("empty preset name (use 1 to 64 characters)")
    if len(name) > MAX_NAME_CHARS:
        raise PresetError(f"preset name {name[:MAX_NAME_CHARS]!r}... is {len(name)} characters "
                          f"(at most {MAX_NAME_CHARS})")
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise PresetError(f"preset name {name!r} holds a control character "
                              f"(U+{ord(char):04X})")
    return name


def check_preset(name: Any, latent: Any, pad: Any) -> tuple[str, Preset]:
    """Validate one preset; the single rule used by /preset/store and by the file loader.

    Args:
        name: preset name (see :func:`check_name`).
        latent: sequence of 1 to 256 numbers.
        pad: sequence of 2 numbers (clamped to [0, 1]).
    Returns:
        (name, (latent as a tuple of floats, (x, y))).
    Raises:
        PresetError: a bad name, a latent or pad of the wrong size, or a value that is not a
            finite number (one line, naming the preset).
    """
    name = check_name(name)

    def finite_numbers(what: str, values: Any, lo: int, hi: int) -> tuple[float, ...]:
        if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__len__"):
            raise PresetError(f"preset {name!r}: {what} must be a list of numbers")
        if not lo <= len(values) <= hi:
            size = f"{lo}" if lo == hi else f"{lo} to {hi}"
            raise PresetError(f"preset {name!r}: {what} has {len(values)} values (needs {size})")
        out = []
        for v in values:
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise PresetError(f"preset {name!r}: {what} value {str(v)[:20]!r} is not a "
                                  "finite number")
            out.append(float(v))
        return tuple(out)

    latent_values = finite_numbers("latent", latent, 1, MAX_LATENT_VALUES)
    x, y = (min(1.0, max(0.0, v)) for v in finite_numbers("pad", pad, 2, 2))
    return name, (latent_values, (x, y))


@dataclass
class LoadedPresets:
    """What :func:`load_presets` read.

    Attributes:
        presets: the valid presets, by name.
        skipped: (name, reason) of each entry that was not loaded.
        kept: the skipped entries as they are in the file (name -> JSON value); pass them to
            :func:`save_presets` so that saving does not drop them.
    """

    presets: Presets = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    kept: dict[str, Any] = field(default_factory=dict)


def load_presets(path: Union[str, Path], max_presets: int) -> LoadedPresets:
    """Presets stored in ``path`` (none when the file does not exist); never writes.

    A bad entry (see :func:`check_preset`), and every entry beyond ``max_presets`` good ones,
    is skipped and listed in ``skipped`` / ``kept``; the others load.

    Raises:
        ValueError: the file as a whole cannot be used: unreadable, larger than 4 MB, not
            JSON, or without a ``"presets"`` object (one line, starting with the path).
    """
    path = Path(path)
    if not path.exists():
        return LoadedPresets()
    try:
        document = parse_json(read_bytes(path, MAX_FILE_BYTES), str(path))
        entries = document.get("presets") if isinstance(document, dict) else None
        if not isinstance(entries, dict):
            raise ValueError("needs a 'presets' object: {\"presets\": {NAME: {\"latent\": "
                             "[...], \"pad\": [x, y]}}}")
    except FileFormatError as exc:  # already "<path>: <reason>"
        raise ValueError(str(exc)) from None
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        text = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise ValueError(f"{path}: {text}") from None
    loaded = LoadedPresets()
    for name, entry in entries.items():
        try:
            if not isinstance(entry, dict):
                raise PresetError(f"preset {name!r}: needs an object with 'latent' and 'pad'")
            if len(loaded.presets) >= max_presets:
                raise PresetError(f"preset {name!r}: more than {max_presets} presets")
            good, preset = check_preset(name, entry.get("latent"), entry.get("pad"))
            loaded.presets[good] = preset
        except PresetError as exc:
            loaded.skipped.append((name, str(exc)))
            loaded.kept[name] = entry
    return loaded


def save_presets(path: Union[str, Path], presets: Presets,
                 kept: Union[dict[str, Any], None] = None) -> None:
    """Write ``presets`` (and the ``kept`` entries a load skipped) to ``path`` atomically.

    When ``path`` is a symlink the file it points to is replaced and the link stays. The
    temporary file is written in the target's folder, flushed to disk, given the old file's
    permissions (0600 for a new file) and renamed over it, so the old file stays whole if
    anything fails.

    Args:
        path: the presets file.
        presets: valid presets by name; a name in both wins over ``kept``.
        kept: JSON values of entries to keep unchanged (see :attr:`LoadedPresets.kept`).
    Raises:
        OSError: the file or its folder cannot be written (permission, disk full, missing or
            not a folder, a symlink loop).
    """
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops at a loop; never replace a link by a file
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    entries: dict[str, Any] = {name: value for name, value in (kept or {}).items()
                               if name not in presets}
    entries.update({name: {"latent": list(latent), "pad": list(pad)}
                    for name, (latent, pad) in presets.items()})
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600  # a new file: readable by its owner only, as mkstemp makes it
    write_atomic(target, json_bytes({"presets": entries}), mode)
