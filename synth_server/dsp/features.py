"""Audio descriptors of one STFT magnitude frame: model-independent names, physical units.

Every descriptor is computed from a *normalised* linear STFT magnitude frame (the decoder's
output, :meth:`synth_server.model.runtime.NumpyDecoder.magnitude`: a full-scale sinusoid peaks at
1.0; see :mod:`synth_server.dsp.stft`), shape ``[batch, n_bins]``, ``n_bins = n_fft / 2
+ 1``. Sounds are described from their audio by the same formulas on each STFT frame of the
audio, then the median over frames (:func:`describe_audio_fast`, and its librosa reference
:func:`synth_server.dsp.describe.describe_audio`): the descriptor surrogate is fitted, and
steering checked, on the rendered audio of held latents (docs/descriptors.md).

=============== ====== ======================================================================
name            unit   definition (source)
=============== ====== ======================================================================
centroid_hz     Hz     spectral centroid, ``librosa.feature.spectral_centroid(S=)``
rolloff_hz      Hz     85 % spectral roll-off, ``librosa.feature.spectral_rolloff(S=)``
bandwidth_hz    Hz     2nd-order spectral bandwidth, ``librosa.feature.spectral_bandwidth(S=)``
flatness        ratio  spectral flatness (Wiener entropy) of the power spectrum, 0..1,
                       ``librosa.feature.spectral_flatness(S=)``
loudness_db     dBFS   RMS level of the signal the frame describes, from the spectrum by
                       Parseval: ``librosa.feature.rms(S=)`` of the un-normalised magnitude,
                       divided by the Hann window's mean power 3/8; a sine of amplitude 1
                       reads -3.0 dB
f0_hz           Hz     fundamental frequency by harmonic summation (Hermes 1988, below)
harmonicity     0..1   share of the energy below 5 kHz that lies on the harmonics of f0,
                       chance-corrected (0 = white noise, 1 = purely harmonic)
=============== ====== ======================================================================

``voiced`` (bool) = ``harmonicity >= VOICED_HARMONICITY`` and ``loudness_db > SILENCE_DB``:
f0_hz is meaningful only where it holds.

Why not pYIN (``librosa.pyin``) for f0: it costs ~20-50 ms per sound; the fit describes
~15 000 sounds plus 5 x 2304 heatmap points, and steering checks f0 on a 64 ms held render in
the server process. Harmonic summation costs one ``[n_bins x n_candidates]`` matrix product per
batch of frames (~30 us per frame) and is deterministic. ``benchmarks/descriptor_steering.py``
compares it with pYIN on Griffin-Lim audio
of decoded frames.

Harmonic summation: the compressed spectrum ``sqrt(max_filter_3(mag))`` is sampled at ``h * f``
(linear interpolation between bins) for h = 1..H (``h * f <= 5 kHz``, at most 40) with weights
``0.84 ** (h - 1)`` (Hermes 1988, "Measurement of pitch by subharmonic summation", JASA 83),
minus the same spectrum sampled half-way between harmonics, at ``(h - 1/2) * f`` (a comb with
negative teeth: without them the broad, dense partials of a 110 Hz tone also fill the comb of
e.g. 65 Hz, measured); the candidate f (55..1760 Hz, 1/36 octave apart) with the largest sum wins,
refined by a parabola through the neighbouring candidates. A sub-octave f0/2 puts half of its
teeth on partials and half of its negative teeth too; an octave 2 f0 puts its negative teeth on
the odd partials: the true f0 scores highest.

Two implementations: :func:`describe` (the librosa functions, offline fits and reports) and
:func:`describe_fast` (the same formulas in plain numpy, ~10x cheaper on one frame, used by
live steering; equal to :func:`describe` to float rounding, tested).
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional

import numpy as np

NAMES = ("centroid_hz", "rolloff_hz", "bandwidth_hz", "flatness", "loudness_db", "harmonicity",
         "f0_hz")
UNITS = {"centroid_hz": "Hz", "rolloff_hz": "Hz", "bandwidth_hz": "Hz", "flatness": "ratio",
         "loudness_db": "dBFS", "harmonicity": "ratio", "f0_hz": "Hz"}
DESCRIPTIONS = {
    "centroid_hz": "spectral centroid (brightness)",
    "rolloff_hz": "frequency below which 85 % of the magnitude lies",
    "bandwidth_hz": "spread of the spectrum around its centroid",
    "flatness": "noisiness: 1 = white noise, 0 = pure tones",
    "loudness_db": "RMS level, dB re full scale (sine of amplitude 1 = -3 dB)",
    "harmonicity": "energy on the harmonics of f0 (chance-corrected), 0 = noise, 1 = harmonic",
    "f0_hz": "fundamental frequency (harmonic summation); meaningful when voiced",
}
ROLL_PERCENT = 0.85
FLATNESS_AMIN = 1e-10
F0_MIN_HZ = 55.0
F0_MAX_HZ = 1760.0
F0_STEPS_PER_OCTAVE = 36
HARMONIC_MAX_HZ = 5000.0
MAX_HARMONICS = 40
HARMONIC_WEIGHT = 0.84
HARMONIC_HALF_WIDTH_BINS = 1.5
VOICED_HARMONICITY = 0.5
SILENCE_DB = -70.0
HANN_MEAN_POWER = 3.0 / 8.0


def _frames(mag: np.ndarray) -> np.ndarray:
    mag = np.asarray(mag, dtype=np.float64)
    if mag.ndim == 1:
        mag = mag[None, :]
    if mag.ndim != 2:
        raise ValueError("magnitudes must be [batch, n_bins]")
    return mag


def fft_frequencies(sample_rate: int, n_fft: int) -> np.ndarray:
    """Centre frequency of each bin, Hz: [n_fft / 2 + 1] float64 (as librosa.fft_frequencies)."""
    return np.fft.rfftfreq(n_fft, 1.0 / sample_rate)


@lru_cache(maxsize=8)
def _harmonic_matrix(sample_rate: int, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """(candidates [n_cand] Hz, M [n_bins, n_cand] float32): ``X @ M`` = harmonic sums of X."""
    n_bins = n_fft // 2 + 1
    bin_hz = sample_rate / n_fft
    n_oct = math.log2(F0_MAX_HZ / F0_MIN_HZ)
    candidates = F0_MIN_HZ * 2.0 ** (np.arange(int(round(n_oct * F0_STEPS_PER_OCTAVE)) + 1)
                                     / F0_STEPS_PER_OCTAVE)
    top = min(HARMONIC_MAX_HZ, 0.5 * sample_rate - 2 * bin_hz)
    matrix = np.zeros((n_bins, len(candidates)))
    for j, f0 in enumerate(candidates):
        for h in range(1, MAX_HARMONICS + 1):
            f = h * f0
            if f > top and h > 1:
                break
            w = HARMONIC_WEIGHT ** (h - 1)
            # + the spectrum at h f0, - the spectrum half-way below it (between partials)
            for freq, sign in ((f, 1.0), (f - 0.5 * f0, -1.0)):
                pos = freq / bin_hz
                lo = int(math.floor(pos))
                frac = pos - lo
                matrix[lo, j] += sign * w * (1.0 - frac)
                matrix[lo + 1, j] += sign * w * frac
    return candidates, matrix.astype(np.float32)


def harmonic_f0(mag: np.ndarray, sample_rate: int, n_fft: int) -> np.ndarray:
    """Fundamental frequency by weighted harmonic summation (Hermes 1988).

    Args:
        mag: [batch, n_bins] (or [n_bins]) normalised linear STFT magnitudes.
        sample_rate, n_fft: the analysis settings.
    Returns:
        [batch] float64 f0 in Hz, within [F0_MIN_HZ, F0_MAX_HZ] (always a value; see
        :func:`harmonicity` / ``voiced`` for whether it means anything).
    """
    mag = _frames(mag)
    candidates, matrix = _harmonic_matrix(int(sample_rate), int(n_fft))
    padded = np.pad(mag, ((0, 0), (1, 1)))
    peak = np.maximum(np.maximum(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])
    score = np.sqrt(peak).astype(np.float32) @ matrix
    best = np.argmax(score, axis=1)
    rows = np.arange(len(mag))
    inner = np.clip(best, 1, len(candidates) - 2)
    left, mid, right = score[rows, inner - 1], score[rows, inner], score[rows, inner + 1]
    denom = left - 2.0 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(denom < 0, 0.5 * (left - right) / denom, 0.0)
    shift = np.where(best == inner, np.clip(shift, -0.5, 0.5), 0.0)
    octave = np.log2(candidates[0]) + (best + shift) / F0_STEPS_PER_OCTAVE
    return np.clip(2.0 ** octave, F0_MIN_HZ, F0_MAX_HZ)


def harmonicity(mag: np.ndarray, f0_hz: np.ndarray, sample_rate: int, n_fft: int) -> np.ndarray:
    """Chance-corrected harmonic energy ratio below 5 kHz.

    ``r`` = energy of the bins within +-1.5 bins of a harmonic ``h * f0`` / energy of all bins
    (1 .. 5 kHz band, DC excluded); ``c`` = the share of those bins the harmonic windows cover
    (what white noise would score); returns ``clip((r - c) / (1 - c), 0, 1)``.

    Args:
        mag: [batch, n_bins] normalised magnitudes.
        f0_hz: [batch] fundamental frequencies (from :func:`harmonic_f0`).
    Returns:
        [batch] float64 in [0, 1]; 0 for a silent frame.
    """
    mag = _frames(mag)
    f0 = np.asarray(f0_hz, dtype=np.float64).reshape(-1, 1)
    bin_hz = sample_rate / n_fft
    top = min(int(HARMONIC_MAX_HZ / bin_hz), mag.shape[1] - 1)
    k = np.arange(1, top + 1, dtype=np.float64)[None, :]
    pos = k * bin_hz / f0
    distance = np.abs(pos - np.maximum(np.round(pos), 1.0)) * f0 / bin_hz
    mask = distance <= HARMONIC_HALF_WIDTH_BINS
    power = mag[:, 1:top + 1] ** 2
    total = power.sum(axis=1)
    on = (power * mask).sum(axis=1)
    cover = mask.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total > 0, on / np.where(total > 0, total, 1.0), 0.0)
        value = (ratio - cover) / np.maximum(1.0 - cover, 1e-6)
    return np.clip(np.where(total > 0, value, 0.0), 0.0, 1.0)


def loudness_db(mag: np.ndarray, n_fft: int) -> np.ndarray:
    """RMS level in dBFS of the signal the frames describe (numpy; Parseval, see module doc).

    Returns:
        [batch] float64, floored at -160 dB.
    """
    mag = _frames(mag)
    power = mag ** 2
    total = 2.0 * power.sum(axis=1) - power[:, 0] - (power[:, -1] if n_fft % 2 == 0 else 0.0)
    # sum over the two-sided normalised spectrum / 6 = mean square (Hann, scale n_fft / 4)
    mean_square = total * (n_fft / 4.0) ** 2 / n_fft ** 2 / HANN_MEAN_POWER
    return 10.0 * np.log10(np.maximum(mean_square, 1e-16))


def voiced(harmonicity_value: np.ndarray, loudness: np.ndarray) -> np.ndarray:
    """Whether f0 means something: harmonic enough and not silent. [batch] bool."""
    return (np.asarray(harmonicity_value) >= VOICED_HARMONICITY) \
        & (np.asarray(loudness) > SILENCE_DB)


def describe_fast(mag: np.ndarray, sample_rate: int, n_fft: int,
                  names: Optional[tuple[str, ...]] = None) -> dict[str, np.ndarray]:
    """The formulas of :func:`describe` in plain numpy (no librosa argument checks; live use).

    Args:
        mag: [batch, n_bins] (or [n_bins]) normalised magnitudes.
        names: the descriptors wanted (default all of :data:`NAMES`); f0 is computed only when
            f0_hz or harmonicity is asked.
    Returns:
        name → [batch] float64.
    """
    mag = _frames(mag)
    wanted = NAMES if names is None else names
    out: dict[str, np.ndarray] = {}
    freq = fft_frequencies(sample_rate, n_fft)
    if {"centroid_hz", "bandwidth_hz", "rolloff_hz"} & set(wanted):
        total = mag.sum(axis=1)
        safe = np.where(total > np.finfo(np.float64).tiny, total, 1.0)
        norm = mag / safe[:, None] * (total > np.finfo(np.float64).tiny)[:, None]
        centroid = norm @ freq
        if "centroid_hz" in wanted:
            out["centroid_hz"] = centroid
        if "bandwidth_hz" in wanted:
            out["bandwidth_hz"] = np.sqrt(np.sum(norm * (freq[None, :] - centroid[:, None]) ** 2,
                                                 axis=1))
        if "rolloff_hz" in wanted:
            cumulative = np.cumsum(mag, axis=1)
            index = np.argmax(cumulative >= ROLL_PERCENT * cumulative[:, -1:], axis=1)
            out["rolloff_hz"] = freq[index]
    if "flatness" in wanted:
        power = np.maximum(mag ** 2, FLATNESS_AMIN)
        out["flatness"] = np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)
    loud = None
    if "loudness_db" in wanted:
        loud = loudness_db(mag, n_fft)
        out["loudness_db"] = loud
    if "f0_hz" in wanted or "harmonicity" in wanted:
        f0 = harmonic_f0(mag, sample_rate, n_fft)
        if "f0_hz" in wanted:
            out["f0_hz"] = f0
        if "harmonicity" in wanted:
            out["harmonicity"] = harmonicity(mag, f0, sample_rate, n_fft)
    return out


# -- descriptors of audio --------------------------------------------------------------------

def audio_frames(audio: np.ndarray, n_fft: int, hop_length: int) -> np.ndarray:
    """Normalised STFT magnitudes of audio, numpy only (periodic Hann, frames starting at sample
    0, ``hop_length`` apart, none padded: as ``librosa.stft(center=False)`` divided by
    :func:`~synth_server.dsp.window.magnitude_scale`).

    Args:
        audio: [batch, n_samples] (or [n_samples]) float, n_samples >= n_fft.
    Returns:
        [batch, n_frames, n_fft / 2 + 1] float64.
    Raises:
        ValueError: audio shorter than one window.
    """
    y = np.asarray(audio, dtype=np.float64)
    y = y[None, :] if y.ndim == 1 else y
    if y.ndim != 2 or y.shape[1] < n_fft:
        raise ValueError(f"audio must be [batch, >= {n_fft} samples]")
    n_frames = 1 + (y.shape[1] - n_fft) // hop_length
    starts = np.arange(n_frames) * hop_length
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann
    frames = y[:, starts[:, None] + np.arange(n_fft)[None, :]] * window
    return np.abs(np.fft.rfft(frames, axis=-1)) / (n_fft / 4.0)


def summarise_frames(values: dict[str, np.ndarray], batch: int) -> dict[str, np.ndarray]:
    """Per-frame descriptors of ``batch`` sounds ([batch * n_frames] each, sound-major) → one
    value per sound: the median over its frames; f0_hz over its voiced frames (all frames when
    none is voiced); ``voiced`` from the summarised harmonicity and loudness.

    Returns:
        name → [batch] float64 (``voiced``: bool, when harmonicity and loudness_db are given).
    """
    out: dict[str, np.ndarray] = {}
    for name, v in values.items():
        if name == "voiced":
            continue
        v = np.asarray(v, dtype=np.float64).reshape(batch, -1)
        if name == "f0_hz" and "voiced" in values:
            flags = np.asarray(values["voiced"], dtype=bool).reshape(batch, -1)
            flags = flags | ~flags.any(axis=1, keepdims=True)
            out[name] = np.nanmedian(np.where(flags, v, np.nan), axis=1)
        else:
            out[name] = np.median(v, axis=1)
    if "harmonicity" in out and "loudness_db" in out:
        out["voiced"] = voiced(out["harmonicity"], out["loudness_db"])
    return out


def describe_audio_fast(audio: np.ndarray, sample_rate: int, n_fft: int, hop_length: int,
                        names: Optional[tuple[str, ...]] = None) -> dict[str, np.ndarray]:
    """Descriptors of steady sounds from their audio, numpy only (live steering checks).

    Each sound's STFT frames (:func:`audio_frames`) are described by :func:`describe_fast`
    and summarised by :func:`summarise_frames` (median over frames). Equal to
    :func:`synth_server.dsp.describe.describe_audio` (librosa) to float rounding (tested).

    Args:
        audio: [batch, n_samples] (or [n_samples]) float, full scale 1.0.
        sample_rate: Hz. n_fft, hop_length: the analysis (samples).
        names: descriptors wanted (default all); voiced is added when harmonicity and
            loudness_db are both computed.
    Returns:
        name → [batch] float64.
    """
    mag = audio_frames(audio, n_fft, hop_length)
    batch = mag.shape[0]
    wanted = NAMES if names is None else tuple(names)
    if "f0_hz" in wanted:
        wanted = tuple(dict.fromkeys(wanted + ("harmonicity", "loudness_db")))
    values = describe_fast(mag.reshape(-1, mag.shape[-1]), sample_rate, n_fft, wanted)
    if "harmonicity" in values and "loudness_db" in values:
        values["voiced"] = voiced(values["harmonicity"], values["loudness_db"])
    out = summarise_frames(values, batch)
    return {k: v for k, v in out.items() if names is None or k in names or k == "voiced"}
