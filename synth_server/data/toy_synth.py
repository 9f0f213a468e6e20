"""The toy dataset's synthesis: one offline pyo Server renders each grid row as two stems (tone
and noise), numpy mixes them at the row's noise ratio, normalises the steady-state RMS and
writes a byte-reproducible WAV (scipy). See :mod:`.toy_pyo` for the method.
"""
from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from synth_server.data.toy_grid import (ATTACK_S, PEAK_CEILING_DBFS, RELEASE_S, TARGET_RMS_DBFS,
                                        VIBRATO_RATE_HZ, _noise_lowpass_hz, partials)

HARM_TABLE_SIZE = 16_384  #: samples in one period of the wavetable
_SUBTYPES = ("FLOAT", "PCM_16")
_PYO_MISSING = "pyo is not installed: pip install 'synth-server[train]'"
_RENDER_LOCK = threading.Lock()  # one pyo Server per process at a time


def _import_pyo():
    """Import pyo without its wx GUI; raise ``RuntimeError`` when it is missing."""
    os.environ["PYO_GUI_WX"] = "0"
    try:
        import pyo
    except ImportError as exc:
        raise RuntimeError(_PYO_MISSING) from exc
    return pyo


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


class _OfflineRenderer:
    """One booted offline pyo Server, reused to render the stems of many files."""

    def __init__(self, pyo, sample_rate: int, duration_s: float, tmp_dir: Path) -> None:
        self.pyo = pyo
        self.sample_rate = sample_rate
        self.duration_s = duration_s
        self.n_samples = int(round(duration_s * sample_rate))
        self.stem_path = str(tmp_dir / "stems.wav")
        self._tables: dict[tuple[float, ...], object] = {}
        self.server = pyo.Server(
            sr=sample_rate, nchnls=2, duplex=0, audio="offline", verbosity=1
        )
        self.server.boot()
        if not self.server.getIsBooted():
            raise RuntimeError("pyo offline Server failed to boot")
        # The first start() after boot fades the output in over its first buffers;
        # render a throwaway tone so that every real file renders identically.
        self._render(lambda: [self.pyo.Sine(freq=440.0, mul=0.1).out(0)], 0.05)

    def _render(self, build, duration_s: float) -> np.ndarray:
        """Build a graph with ``build()``, render ``duration_s`` s, return (samples, 2) float64."""
        import soundfile as sf

        self.server.recordOptions(
            dur=duration_s, filename=self.stem_path, fileformat=0, sampletype=3
        )
        objects = build()
        try:
            self.server.start()  # offline: renders the whole file, then returns
        finally:
            for obj in objects:
                if hasattr(obj, "stop"):
                    obj.stop()
            del objects
        audio, sr = sf.read(self.stem_path, dtype="float64", always_2d=True)
        if sr != self.sample_rate or audio.shape[1] != 2:
            raise RuntimeError(f"pyo rendered an unexpected file: {sr} Hz, {audio.shape[1]} channels")
        return audio

    def render_stems(self, row: Mapping[str, float], noise: np.ndarray | None) -> np.ndarray:
        """Render (n_samples, 2) float64 stems of one validated grid row:
        [:, 0] the tone, [:, 1] the noise (0 if ``noise`` is None)."""
        pyo, dur = self.pyo, self.duration_s
        f0_hz, cents = float(row["f0_hz"]), float(row["vibrato_cents"])
        harmonic = row["inharmonicity"] == 0.0
        freqs, amps = partials(row, self.sample_rate)
        key = (f0_hz, row["spectral_slope"], row["even_gain"], cents)
        if harmonic and key not in self._tables:
            self._tables[key] = pyo.HarmTable(amps.tolist(), size=HARM_TABLE_SIZE)
        attack, release = float(row["attack_s"]), float(row["release_s"])

        def build():
            env = pyo.Linseg(
                [(0.0, 0.0), (attack, 1.0), (dur - release, 1.0), (dur, 0.0)]
            ).play()
            objs = [env]
            vib = None
            if cents > 0.0:
                lfo = pyo.Sine(freq=VIBRATO_RATE_HZ, mul=cents / 1200.0)
                vib = pyo.Pow(2.0, lfo)  # frequency ratio 2 ** (cents/1200 * sin(2 pi rate t))
                objs += [lfo, vib]
            if harmonic:
                freq = f0_hz if vib is None else vib * f0_hz
                tone = pyo.Osc(self._tables[key], freq=freq, interp=4, mul=env).out(0)
                objs += [freq, tone] if vib is not None else [tone]
            else:
                freq = freqs.tolist() if vib is None else [vib * float(f) for f in freqs]
                bank = pyo.Sine(freq=freq, mul=amps.tolist())
                tone = pyo.Mix(bank, voices=1, mul=env).out(0)
                objs += ([] if vib is None else freq) + [bank, tone]
            if noise is not None:
                data = pyo.DataTable(size=len(noise), init=noise.tolist())
                reader = pyo.TableRead(data, freq=data.getRate(), loop=0, interp=1).play()
                filt = pyo.ButLP(reader, freq=_noise_lowpass_hz(self.sample_rate), mul=env).out(1)
                objs += [reader, filt, data]
            return objs

        audio = self._render(build, dur)
        if audio.shape[0] < self.n_samples:
            raise RuntimeError(
                f"pyo rendered {audio.shape[0]} samples, expected at least {self.n_samples}"
            )
        return audio[: self.n_samples]

    def close(self) -> None:
        self._tables.clear()
        try:
            self.server.stop()
        finally:
            self.server.shutdown()


def _steady(n: int, sample_rate: int, attack_s: float, release_s: float) -> slice:
    return slice(int(math.ceil(attack_s * sample_rate)), n - int(math.ceil(release_s * sample_rate)))


def _mix_and_normalise(stems: np.ndarray, noise_ratio: float, sample_rate: int, name: str,
                       attack_s: float = ATTACK_S, release_s: float = RELEASE_S) -> np.ndarray:
    """Mix the stems at ``noise_ratio`` and RMS-normalise the steady part; returns float32 (n,)."""
    steady = _steady(stems.shape[0], sample_rate, attack_s, release_s)
    harm_rms = _rms(stems[steady, 0])
    if not harm_rms > 0.0:
        raise RuntimeError(f"{name}: pyo rendered a silent harmonic stem")
    mix = stems[:, 0] / harm_rms
    if noise_ratio > 0.0:
        noise_rms = _rms(stems[steady, 1])
        if not noise_rms > 0.0:
            raise RuntimeError(f"{name}: pyo rendered a silent noise stem")
        mix = (1.0 - noise_ratio) * mix + noise_ratio * (stems[:, 1] / noise_rms)
    mix *= 10.0 ** (TARGET_RMS_DBFS / 20.0) / _rms(mix[steady])
    peak = float(np.max(np.abs(mix)))
    ceiling = 10.0 ** (PEAK_CEILING_DBFS / 20.0)
    if peak > ceiling:
        warnings.warn(
            f"{name}: peak {20 * math.log10(peak):.1f} dBFS at {TARGET_RMS_DBFS} dBFS RMS; "
            f"scaled down to a {PEAK_CEILING_DBFS} dBFS peak",
            RuntimeWarning,
            stacklevel=3,
        )
        mix *= ceiling / peak
    if not np.all(np.isfinite(mix)):
        raise RuntimeError(f"{name}: non-finite samples")
    return mix.astype(np.float32)


def _write_wav(path: Path, audio: np.ndarray, sample_rate: int, subtype: str) -> None:
    """Write mono float32 ``audio`` as WAV with no timestamped metadata.

    scipy is used rather than soundfile because libsndfile adds a PEAK chunk holding
    the write time to float WAVs, so identical audio would give different files.
    """
    from scipy.io import wavfile

    if subtype == "PCM_16":
        audio = np.clip(np.round(audio.astype(np.float64) * 32767.0), -32768, 32767).astype(np.int16)
    wavfile.write(path, sample_rate, audio)
