"""Harmonic-plus-noise training frames from labelled notes (known MIDI pitch).

Reads a folder of single notes whose pitch is known from a label file (a SoundFont set's
``labels.csv``, :func:`synth_server.data.soundfont.load_labels`, in the folder or its parent), or
else from a ``_n{pitch:03d}_`` file name (the SoundFont set's pattern); analyses every note with
:func:`synth_server.dsp.hpn.analyse` at its nominal f0 (refined per frame within 50 cents) and
keeps, for training through the differentiable synthesizer, the normalised STFT magnitudes of
the same frames at several window sizes (log, float16).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.data.frames import audio_files, load_mono

log = logging.getLogger(__name__)
TARGET_FFT_SIZES = (2048, 1024, 512)  #: window sizes of the spectral training targets
_PITCH_IN_NAME = re.compile(r"_n(\d{1,3})_")


@dataclass
class HpnFrames:
    """HPN frames of a set of notes.

    Attributes:
        features: [n, n_features] float32 h (:func:`synth_server.dsp.hpn.features_from_components`).
        midi_pitch: [n] float32 nominal MIDI pitch of each frame's note.
        f0_hz: [n] float32 per-frame f0 the harmonics were measured at (Hz).
        amplitude: [n] float32 linear frame amplitude A.
        owners: [n] int64 index into ``files``.
        files: the audio files.
        targets: {n_fft: [n, n_fft // 2 + 1] float16 log of the normalised STFT magnitude
            (floored at 1e-7)} at hop ``stft.hop_length``, centred on the same samples.
    """

    features: np.ndarray
    midi_pitch: np.ndarray
    f0_hz: np.ndarray
    amplitude: np.ndarray
    owners: np.ndarray
    files: list[Path]
    targets: dict[int, np.ndarray]


def frame_conditioning(frames: HpnFrames) -> np.ndarray:
    """[n, 2] float32 conditioning c of each frame (its note's nominal MIDI pitch, the loudness in
    dB of its amplitude A): :func:`synth_server.dsp.hpn.conditioning`, as the model was trained
    and is encoded with."""
    from synth_server.dsp.hpn import conditioning, loudness_db

    return conditioning(frames.midi_pitch, loudness_db(frames.amplitude))


def note_pitches(folder: str | Path, files: Sequence[Path]) -> dict[Path, float]:
    """MIDI pitch of each file: from ``labels.csv`` in ``folder`` or its parent (column
    ``pitch``), else from a ``_nPPP_`` file name. Files with neither are left out."""
    from synth_server.data.soundfont import load_labels

    folder = Path(folder)
    pitches: dict[Path, float] = {}
    for root in (folder, folder.parent):
        if (root / "labels.csv").is_file():
            try:
                for row in load_labels(root):
                    pitches[(root / row["file"]).resolve()] = float(row["pitch"])
            except (ValueError, KeyError) as exc:
                log.warning("%s: %s", root / "labels.csv", exc)
            break
    out = {}
    for path in files:
        pitch = pitches.get(Path(path).resolve())
        if pitch is None:
            match = _PITCH_IN_NAME.search(Path(path).name)
            pitch = float(match.group(1)) if match else None
        if pitch is not None:
            out[Path(path)] = pitch
    return out


def load_hpn_frames(folder: str | Path, stft: StftConfig, min_frame_db: float = -60.0,
                    frame_stride: int = 1, fft_sizes: Sequence[int] = TARGET_FFT_SIZES,
                    max_files: Optional[int] = None, seed: int = 0) -> HpnFrames:
    """HPN frames (and spectral targets) of every labelled note in ``folder``.

    Args:
        folder: folder of single-note audio files with known pitch (see :func:`note_pitches`).
        stft: an "hpn" config (n_fft, hop_length, n_harmonics, n_noise_bands).
        min_frame_db: frames whose amplitude A is below this (dB re a full-scale sinusoid) are
            dropped.
        frame_stride: keep every ``frame_stride``-th frame above the threshold (a different
            offset per file), to bound memory and training time.
        fft_sizes: window sizes of the targets (empty: no targets).
        max_files: at most this many files (seeded subset), None = all.
        seed: subset seed.
    Returns:
        :class:`HpnFrames`.
    Raises:
        FileNotFoundError: no audio file with a known pitch, or no frame above the threshold.
    """
    from synth_server.dsp import hpn
    from synth_server.dsp.stft import stft_magnitude

    files = audio_files(folder)
    pitches = note_pitches(folder, files)
    files = [f for f in files if f in pitches]
    if not files:
        raise FileNotFoundError(f"{folder}: no audio file with a known pitch (labels.csv or "
                                "_nPPP_ in the name)")
    if max_files is not None and len(files) > max_files:
        pick = np.sort(np.random.default_rng(seed).choice(len(files), max_files, replace=False))
        files = [files[i] for i in pick]
    threshold = 10.0 ** (min_frame_db / 20.0)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "p", "f", "a", "o")}
    targets: dict[int, list[np.ndarray]] = {int(n): [] for n in fft_sizes}
    stride = max(1, int(frame_stride))
    for index, path in enumerate(files):
        try:
            y = load_mono(path, stft.sample_rate)
        except Exception as exc:  # unreadable file: skip it, as load_frames does
            log.warning("skipping %s: %s", path, exc)
            continue
        pitch = pitches[path]
        feats, amp, f0, _ = hpn.analyse(y, float(hpn.midi_to_hz(pitch)), stft)
        keep = np.flatnonzero(amp >= threshold)
        keep = keep[(index % stride)::stride]
        if not len(keep):
            continue
        parts["x"].append(feats[keep])
        parts["p"].append(np.full(len(keep), pitch, dtype=np.float32))
        parts["f"].append(f0[keep].astype(np.float32))
        parts["a"].append(amp[keep].astype(np.float32))
        parts["o"].append(np.full(len(keep), index, dtype=np.int64))
        for n_fft in targets:
            mag = stft_magnitude(y, replace(stft, n_fft=n_fft, representation="stft"))
            rows = np.minimum(keep, len(mag) - 1)
            targets[n_fft].append(np.log(np.maximum(mag[rows], 1e-7)).astype(np.float16))
    if not parts["x"]:
        raise FileNotFoundError(f"{folder}: no frame above {min_frame_db} dB")
    return HpnFrames(
        features=np.concatenate(parts["x"]), midi_pitch=np.concatenate(parts["p"]),
        f0_hz=np.concatenate(parts["f"]), amplitude=np.concatenate(parts["a"]),
        owners=np.concatenate(parts["o"]), files=list(files),
        targets={n: np.concatenate(v) for n, v in targets.items()})
