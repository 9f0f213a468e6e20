"""Presets saved to a JSON file, so a performer's /preset/store survives a restart.

File: ``{"presets": {NAME: {"latent": [float, ...], "pad": [x, y]}}}``, at most
:data:`~synth_server.control.controller.MAX_PRESETS` names of at most 64 characters, finite
numbers. Written atomically (temporary file + rename) on every /preset/store.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Union

Presets = dict[str, tuple[tuple[float, ...], tuple[float, float]]]
MAX_FILE_BYTES = 4 * 1024 * 1024


def load_presets(path: Union[str, Path], max_presets: int) -> Presets:
    """Presets stored in ``path`` ({} when the file does not exist).

    Raises:
        ValueError: unreadable JSON or an entry that is not a name with a list of finite
            latent values and a finite (x, y) pad (one line).
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError("larger than 4 MB")
        entries = json.loads(path.read_text(encoding="utf-8"))["presets"]
        if not isinstance(entries, dict) or len(entries) > max_presets:
            raise ValueError(f"'presets' must be an object of at most {max_presets} entries")
        out: Presets = {}
        for name, entry in entries.items():
            latent = tuple(float(v) for v in entry["latent"])
            pad = tuple(float(v) for v in entry["pad"])
            if not isinstance(name, str) or not 0 < len(name) <= 64 or len(pad) != 2 \
                    or not 0 < len(latent) <= 256 \
                    or not all(math.isfinite(v) for v in latent + pad):
                raise ValueError(f"bad preset {str(name)[:64]!r}")
            out[name] = (latent, (pad[0], pad[1]))
        return out
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {str(exc).splitlines()[0][:160] if str(exc) else exc}") \
            from None


def save_presets(path: Union[str, Path], presets: Presets) -> None:
    """Write ``presets`` to ``path`` atomically (the old file stays whole if this fails).

    Raises:
        OSError: the folder is not writable.
    """
    path = Path(path)
    document = {"presets": {name: {"latent": list(latent), "pad": list(pad)}
                            for name, (latent, pad) in presets.items()}}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=1)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
