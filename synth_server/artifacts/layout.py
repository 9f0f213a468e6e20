"""The checkpoint directory's layout: every file name, and the provenance of derived files.

This is the one place that names the files of a checkpoint directory (``models/NAME/``)::

    config.json            format, stft, vae and train settings, the producing command, the
                           train / held-out split, training stats                 (training)
    weights.safetensors    every tensor of the decoder and encoder                (training)
    manifold.json          the 2-D PCA pad map                                    derived
    manifolds.json/.npz    every navigation manifold (pad + sliders)              derived
    attributes.json        attribute vectors from the training labels             derived
    descriptors.json/.npz  the descriptor surrogate                               derived
    heatmaps.json, heatmaps/*.png   descriptor maps over each manifold's pad      derived
    report/                ``synth-server evaluate``'s report                     derived
    train/                 Lightning's resume state (``train --resume``)

A *derived* file is computed from the weights. Each records the sha256 of the weights file it was
made from (``"weights_sha256"`` in its JSON); loading refuses one whose hash differs from the
weights beside it (:func:`check_provenance`), so a surrogate, map or heatmap of another decoder
can never steer this one. Heatmaps also record the hash of the manifolds they were drawn on.
"""
from __future__ import annotations

from typing import Any

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"
MANIFOLD_FILE = "manifold.json"
MANIFOLDS_JSON = "manifolds.json"
MANIFOLDS_NPZ = "manifolds.npz"
ATTRIBUTES_JSON = "attributes.json"
DESCRIPTORS_JSON = "descriptors.json"
DESCRIPTORS_NPZ = "descriptors.npz"
HEATMAP_DIR = "heatmaps"
HEATMAPS_JSON = "heatmaps.json"
REPORT_DIR = "report"
TRAIN_DIR = "train"

# every derived file or folder, and the command that rewrites it
DERIVED = {
    MANIFOLD_FILE: "fit-manifolds", MANIFOLDS_JSON: "fit-manifolds",
    MANIFOLDS_NPZ: "fit-manifolds", ATTRIBUTES_JSON: "fit-manifolds --data DIR",
    DESCRIPTORS_JSON: "fit-descriptors", DESCRIPTORS_NPZ: "fit-descriptors",
    HEATMAPS_JSON: "fit-descriptors", HEATMAP_DIR: "fit-descriptors", REPORT_DIR: "evaluate",
}

MAX_CONFIG_BYTES = 1024 * 1024
MAX_WEIGHTS_BYTES = 512 * 1024 * 1024
MAX_MANIFOLDS_NPZ_BYTES = 64 * 1024 * 1024
MAX_DESCRIPTORS_NPZ_BYTES = 16 * 1024 * 1024
MAX_DERIVED_JSON_BYTES = 16 * 1024 * 1024
PROVENANCE_KEY = "weights_sha256"
MANIFOLDS_PROVENANCE_KEY = "manifolds_sha256"


class ProvenanceError(ValueError):
    """A derived file made from other weights (or with no record of its weights)."""


def check_provenance(document: Any, file_name: str, weights_sha256: str) -> None:
    """Refuse a derived file whose recorded weights hash is not ``weights_sha256``.

    Args:
        document: the derived file's parsed JSON object.
        file_name: its name in the checkpoint directory (a key of :data:`DERIVED`).
        weights_sha256: hex sha256 of the checkpoint's ``weights.safetensors``.
    Raises:
        ProvenanceError: one line naming the file, both hashes and the command that refits it.
    """
    recorded = document.get(PROVENANCE_KEY) if isinstance(document, dict) else None
    refit = DERIVED.get(file_name, "fit-manifolds / fit-descriptors")
    if recorded is None:
        raise ProvenanceError(f"{file_name}: no record of the weights it was made from "
                              f"(refit it: synth-server {refit} --model DIR)")
    if recorded != weights_sha256:
        raise ProvenanceError(f"{file_name}: made from other weights (sha256 "
                              f"{str(recorded)[:12]}..., these weights are "
                              f"{weights_sha256[:12]}...); refit it: synth-server {refit} "
                              f"--model DIR")
