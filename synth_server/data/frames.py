"""Audio folder → log-magnitude STFT frames for training.

Reads every ``*.wav``/``*.flac``/``*.ogg`` file under a folder (soundfile), mixes to mono, resamples
to the STFT's sample rate (librosa.resample, soxr) and keeps the frames whose peak normalised
magnitude is above a threshold (silence carries nothing to learn).
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.dsp.stft import stft_magnitude, to_log

log = logging.getLogger(__name__)
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".aiff", ".aif")


def audio_files(folder: str | Path) -> list[Path]:
    """Sorted audio files under ``folder`` (recursive).

    Raises:
        FileNotFoundError: ``folder`` is not a directory or holds no audio file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a directory")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"{folder}: no audio files ({', '.join(AUDIO_SUFFIXES)})")
    return files


def load_mono(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read an audio file as mono float32 at ``sample_rate`` Hz: [n_samples]."""
    import librosa
    import soundfile as sf

    y, sr = sf.read(str(path), dtype="float32", always_2d=True)
    y = y.mean(axis=1)
    if sr != sample_rate:
        y = librosa.resample(y, orig_sr=sr, target_sr=sample_rate)
    return np.ascontiguousarray(y, dtype=np.float32)


def load_frames(folder: str | Path, stft: StftConfig, min_frame_db: float = -60.0
                ) -> tuple[np.ndarray, np.ndarray, list[Path]]:
    """Log-magnitude frames of every audio file in ``folder``.

    Args:
        folder: dataset directory.
        stft: analysis parameters.
        min_frame_db: frames whose peak normalised magnitude is below this (dB re full scale)
            are dropped.
    Returns:
        (frames [n_frames, n_bins] float32 log-magnitude, file_index [n_frames] int64 index into
        the file list, file list). Unreadable files are logged and skipped.
    Raises:
        FileNotFoundError: no readable audio file, or no frame above ``min_frame_db``.
    """
    threshold = 10.0 ** (min_frame_db / 20.0)
    frames, owners, used = [], [], []
    for path in audio_files(folder):
        try:
            y = load_mono(path, stft.sample_rate)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is skipped, never fatal
            log.warning("skipping %s: %s", path, exc)
            continue
        mag = stft_magnitude(y, stft)
        keep = mag.max(axis=1) >= threshold
        if keep.any():
            frames.append(to_log(mag[keep], stft))
            owners.append(np.full(int(keep.sum()), len(used), dtype=np.int64))
            used.append(path)
    if not frames:
        raise FileNotFoundError(f"{folder}: no frames above {min_frame_db} dB")
    return np.concatenate(frames), np.concatenate(owners), used


def heldout_split(n_files: int, seed: int, validation_fraction: float = 0.1) -> set[int]:
    """Indices of the files held out for validation: the one definition of the train / held-out
    split. :func:`synth_server.train.loop.train_model` draws it and stores the held-out file
    names in config.json (``split.heldout_files``); ``evaluate`` reads them from there (it
    redraws with this function only for checkpoints older than that record).

    Args:
        n_files: number of audio files (in :func:`load_frames` order).
        seed: the training seed. validation_fraction: share of files held out.
    Returns:
        ``set(default_rng(seed).permutation(n_files)[:round(n_files * validation_fraction)])``;
        empty below 5 files.
    """
    if n_files < 5:
        return set()
    rng = np.random.default_rng(seed)
    return set(rng.permutation(n_files)[: int(round(n_files * validation_fraction))].tolist())

