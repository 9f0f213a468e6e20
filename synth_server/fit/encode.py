"""Encode a folder of audio with a checkpoint's encoder (manifolds, attribute vectors)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Union

import numpy as np

from synth_server.data.frames import load_frames
from synth_server.dsp.filterbank import log_features_from_log_magnitude


def encode_folder(checkpoint: Any, data_dir: Union[str, Path], min_frame_db: float = -60.0
                  ) -> tuple[np.ndarray, np.ndarray, list[Path]]:
    """Encoder means of every audible frame of a folder of audio (uses torch).

    Args:
        checkpoint: a loaded :class:`~synth_server.artifacts.checkpoint.Checkpoint`.
        data_dir: folder of audio files (any rate; see :func:`synth_server.data.frames.load_frames`).
        min_frame_db: frames quieter than this (dB re full scale) are skipped.
    Returns:
        (latents [n_frames, latent_dim] float32, owners [n_frames] int index into files, files).
    Raises:
        FileNotFoundError: no usable audio in ``data_dir``.
    """
    import torch

    from synth_server.model.vae import FrameVAE, encode_means

    log_frames, owners, files = load_frames(data_dir, checkpoint.stft, min_frame_db)
    features = log_features_from_log_magnitude(log_frames, checkpoint.stft)
    model = FrameVAE.from_arrays(checkpoint.vae, checkpoint.arrays)
    with torch.inference_mode():
        x = model.normalise(torch.from_numpy(features))
    return encode_means(model, x), owners, files
