"""Encode a folder of audio with a checkpoint's encoder (manifolds, attribute vectors).

A spectral model encodes each audible frame's features; an hpn model (``checkpoint.family ==
"hpn"``, a conditional VAE) encodes the harmonic-plus-noise analysis of each labelled note's
frames together with their conditioning c = (MIDI pitch, loudness), as it was trained
(:mod:`synth_server.data.hpn_frames`, :mod:`synth_server.train.hpn`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from synth_server.data.frames import load_frames
from synth_server.dsp.filterbank import log_features_from_log_magnitude


def hpn_frame_stride(checkpoint: Any) -> int:
    """The frame stride an hpn checkpoint was trained with (config.json ``stats.frame_stride``;
    1 when not recorded)."""
    stats = checkpoint.meta.get("stats") if isinstance(checkpoint.meta, dict) else None
    stride = stats.get("frame_stride") if isinstance(stats, dict) else None
    return int(stride) if isinstance(stride, int) and stride >= 1 else 1


def encode_hpn_folder(checkpoint: Any, data_dir: Union[str, Path], min_frame_db: float = -60.0,
                      frame_stride: Optional[int] = None
                      ) -> tuple[np.ndarray, np.ndarray, list[Path]]:
    """Encoder means of the frames of every labelled note of a folder, for an hpn model.

    Each note is analysed at its labelled pitch (:func:`synth_server.data.hpn_frames.
    load_hpn_frames`, no spectral targets) and its frames encoded with their conditioning
    (:func:`synth_server.data.hpn_frames.frame_conditioning`), as training did (uses torch).

    Args:
        checkpoint: a loaded hpn :class:`~synth_server.artifacts.checkpoint.Checkpoint`.
        data_dir: folder of single notes with known pitch (``labels.csv`` or ``_nPPP_`` names).
        min_frame_db: frames whose amplitude is below this (dB) are skipped.
        frame_stride: keep every n-th frame (default: the stride the model was trained with,
            :func:`hpn_frame_stride`).
    Returns:
        (latents [n_frames, latent_dim] float32, owners [n_frames] int64 index into files, files).
    Raises:
        FileNotFoundError: no note with a known pitch, or no audible frame.
        ValueError: a checkpoint that is not of the hpn family.
    """
    import torch

    from synth_server.data.hpn_frames import frame_conditioning, load_hpn_frames
    from synth_server.model.vae import FrameVAE, encode_means

    if checkpoint.family != "hpn":
        raise ValueError(f"{checkpoint.name}: encode_hpn_folder needs an hpn model, "
                         f"not {checkpoint.family!r}")
    stride = hpn_frame_stride(checkpoint) if frame_stride is None else int(frame_stride)
    frames = load_hpn_frames(data_dir, checkpoint.stft, min_frame_db, stride, fft_sizes=())
    model = FrameVAE.from_arrays(checkpoint.vae, checkpoint.arrays)
    with torch.inference_mode():
        x = model.normalise(torch.from_numpy(np.ascontiguousarray(frames.features)))
    c = torch.from_numpy(np.ascontiguousarray(frame_conditioning(frames), dtype=np.float32))
    return encode_means(model, x, c=c), frames.owners, list(frames.files)


def encode_folder(checkpoint: Any, data_dir: Union[str, Path], min_frame_db: float = -60.0
                  ) -> tuple[np.ndarray, np.ndarray, list[Path]]:
    """Encoder means of every audible frame of a folder of audio (uses torch).

    Args:
        checkpoint: a loaded :class:`~synth_server.artifacts.checkpoint.Checkpoint`; an hpn
            one is encoded by :func:`encode_hpn_folder` (its notes need a known pitch).
        data_dir: folder of audio files (any rate; see :func:`synth_server.data.frames.load_frames`).
        min_frame_db: frames quieter than this (dB re full scale) are skipped.
    Returns:
        (latents [n_frames, latent_dim] float32, owners [n_frames] int index into files, files).
    Raises:
        FileNotFoundError: no usable audio in ``data_dir``.
    """
    import torch

    from synth_server.model.vae import FrameVAE, encode_means

    if checkpoint.family == "hpn":
        return encode_hpn_folder(checkpoint, data_dir, min_frame_db)
    log_frames, owners, files = load_frames(data_dir, checkpoint.stft, min_frame_db)
    features = log_features_from_log_magnitude(log_frames, checkpoint.stft)
    model = FrameVAE.from_arrays(checkpoint.vae, checkpoint.arrays)
    with torch.inference_mode():
        x = model.normalise(torch.from_numpy(features))
    return encode_means(model, x), owners, files
