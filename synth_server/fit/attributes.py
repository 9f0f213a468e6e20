"""Attribute vectors: directions in latent space that add a labelled quality to any sound.

Method (MusicVAE, Roberts et al. 2018, section 5.2): the attribute vector of a quality is the
mean latent code of the training sounds that have it minus the mean of those that do not. Labels
come from the dataset's own label file (``factors.csv`` of a toy set, ``labels.csv`` of a
SoundFont set, beside the audio or one folder up):

- a numeric label with more than two values (``f0_hz``, ``noise_ratio``, ``velocity`` ...)
  gives one vector named after the column: frames above the label's median minus frames at or
  below it ("more of it");
- a two-valued numeric label: high value minus low value;
- a text label (``family_name``, ``program_name``) gives one vector per value,
  ``COLUMN_VALUE`` (e.g. ``family_name_brass``), with minus without, for values covering
  1-90 % of the frames.

Stored in the checkpoint as ``attributes.json`` (names, vectors, frame counts); played by
``/attribute/NAME amount`` (see :mod:`synth_server.control.controller`).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from synth_server.artifacts.navigation import (ATTRIBUTE_NAME, MAX_ATTRIBUTES,
                                               save_attributes)
from synth_server.data.labels import BOOKKEEPING_COLUMNS, CATEGORY_ID_COLUMNS, read_labels

#: Columns never made into attributes: bookkeeping, and numeric ids whose order means nothing
#: (their names are kept as text).
SKIP_COLUMNS = BOOKKEEPING_COLUMNS | CATEGORY_ID_COLUMNS


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text.strip().lower()).strip("_")[:48]


def attribute_vectors(latents: np.ndarray, owners: np.ndarray, files: Sequence[Union[str, Path]],
                      labels: dict[Path, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Attribute vectors from labelled frames.

    Args:
        latents: [n_frames, latent_dim] encoder means.
        owners: [n_frames] int index into ``files`` of each frame's file.
        files: the audio files (their resolved paths are looked up in ``labels``).
        labels: {resolved audio path: {column: value}} (values as numbers or text; see
            :func:`synth_server.data.labels.read_labels`).
    Returns:
        {name: {"vector": [latent_dim] list, "n_with": int, "n_without": int, "column": str}},
        at most MAX_ATTRIBUTES, empty when no frame has labels.
    """
    latents = np.asarray(latents, dtype=np.float64)
    rows = [labels.get(Path(f).resolve()) for f in files]
    has = np.array([rows[o] is not None for o in owners])
    if not has.any():
        return {}
    z = latents[has]
    frame_rows = [rows[o] for o in owners[has]]
    columns = [c for c in frame_rows[0] if c not in SKIP_COLUMNS]
    out: dict[str, dict[str, Any]] = {}

    def add(name: str, column: str, mask: np.ndarray) -> None:
        n_with = int(mask.sum())
        if not ATTRIBUTE_NAME.fullmatch(name) or n_with == 0 or n_with == len(mask) \
                or len(out) >= MAX_ATTRIBUTES:
            return
        vector = z[mask].mean(0) - z[~mask].mean(0)
        out[name] = {"vector": [round(float(v), 6) for v in vector], "n_with": n_with,
                     "n_without": int(len(mask) - n_with), "column": column}

    for column in columns:
        values = [r.get(column, "") for r in frame_rows]
        try:
            numbers = np.array([float(v) for v in values])
        except ValueError:
            numbers = None
        if numbers is not None and np.isfinite(numbers).all():
            distinct = np.unique(numbers)
            if len(distinct) < 2:
                continue
            threshold = np.median(numbers) if len(distinct) > 2 else distinct[0]
            if len(distinct) > 2 and (numbers > threshold).sum() == 0:
                threshold = distinct[-2]
            add(_slug(column), column, numbers > threshold)
        else:
            texts = np.array([str(v) for v in values])
            for value in np.unique(texts):
                share = float((texts == value).mean())
                if 0.01 <= share <= 0.9:
                    add(_slug(f"{column}_{value}"), column, texts == value)
    return out


def fit_attributes(model_dir: Union[str, Path], data_dir: Union[str, Path], checkpoint: Any,
                   encoded: Optional[tuple[np.ndarray, np.ndarray, list]] = None
                   ) -> dict[str, dict[str, Any]]:
    """Encode ``data_dir``'s frames with the checkpoint and store its attribute vectors.

    Args:
        model_dir: checkpoint directory (``attributes.json`` is rewritten).
        data_dir: folder of audio with a label file (:func:`synth_server.data.labels.read_labels`).
        checkpoint: the loaded checkpoint of ``model_dir``.
        encoded: (latents, owners, files) of :func:`synth_server.fit.encode.encode_folder`, when
            the caller already has them.
    Returns:
        The attributes written ({} and nothing written when the data has no label file).
    Raises:
        ValueError: a malformed label file (one line naming the file and line).
    """
    from synth_server.fit.encode import encode_folder

    labels, _ = read_labels(data_dir)
    if not labels:
        return {}
    latents, owners, files = encoded if encoded is not None else encode_folder(checkpoint, data_dir)
    attributes = attribute_vectors(latents, owners, files, labels)
    if attributes:
        save_attributes(model_dir, attributes, checkpoint.weights_sha256, source=str(data_dir))
    return attributes
