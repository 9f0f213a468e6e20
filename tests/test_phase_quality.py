"""Phase reconstruction quality (issue 3): the MR-STFT distance and real-time PGHI."""
from __future__ import annotations

import numpy as np
import pytest

from synth_server.core.config import StftConfig
from synth_server.dsp.metrics import mrstft_distance, mrstft_terms
from synth_server.dsp.pghi import (
    RtpghiInverse, pghi_inverse, random_phase_inverse)
from synth_server.dsp.stft import stft_magnitude
from synth_server.dsp.streaming import stream_inverse

from conftest import harmonic_tone

SR = 48000
STFT = StftConfig()


def sine(freq_hz: float, seconds: float = 0.5, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def tone_burst() -> np.ndarray:
    """1 kHz sine from 0.25 s to 0.625 s inside 1 s of silence: energy centroid at 21000."""
    y = np.zeros(SR, dtype=np.float32)
    y[12000:30000] = sine(1000.0, seconds=18000 / SR)
    return y


def energy_centroid(y: np.ndarray) -> float:
    e = np.asarray(y, dtype=np.float64) ** 2
    return float(np.sum(np.arange(len(e)) * e) / np.sum(e))


def test_mrstft_is_zero_for_identical_signals_and_grows_with_noise():
    y = harmonic_tone(220.0, 1.0, duration_s=0.5)
    assert mrstft_distance(y, y, SR) == pytest.approx(0.0, abs=1e-12)
    noise = np.random.default_rng(0).standard_normal(len(y)).astype(np.float32)
    distances = [mrstft_distance(y, y + level * noise, SR) for level in (1e-3, 1e-2, 1e-1)]
    assert 0.0 < distances[0] < distances[1] < distances[2]
    terms = mrstft_terms(y, y + 1e-1 * noise, SR)
    assert sorted(terms) == [512, 1024, 2048, 4096]
    assert all(sc > 0 and lm > 0 for sc, lm in terms.values())


def test_mrstft_is_phase_blind_and_length_tolerant():
    t = np.arange(SR // 2) / SR
    fade = np.hanning(len(t))  # no clicks at the ends: those would differ in magnitude
    y = (0.5 * fade * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    shifted = (0.5 * fade * np.cos(2 * np.pi * 440.0 * t)).astype(np.float32)  # quarter period
    assert mrstft_distance(y, shifted, SR) < 0.05
    assert mrstft_distance(y, -y, SR) == pytest.approx(0.0, abs=1e-12)
    # a missing tail counts as silence: worse than the full signal, not an error
    assert mrstft_distance(y, y[: len(y) // 2], SR) > 0.2
    with pytest.raises(ValueError):
        mrstft_distance(y, np.full(len(y), np.nan), SR)


def test_rtpghi_rebuilds_a_sine_far_better_than_random_phase():
    y = sine(440.0, seconds=0.6)
    mag = stft_magnitude(y, STFT)
    y_pghi = pghi_inverse(mag, STFT.n_fft, STFT.hop_length)
    y_rand = random_phase_inverse(mag, STFT.n_fft, STFT.hop_length)
    d_pghi, d_rand = mrstft_distance(y, y_pghi, SR), mrstft_distance(y, y_rand, SR)
    assert d_pghi < 0.25 * d_rand, (d_pghi, d_rand)
    assert d_pghi < 0.25


@pytest.mark.parametrize("delay", [0, 1])
def test_rtpghi_round_trip_keeps_the_analysis_level(delay):
    y = harmonic_tone(220.0, 1.0, duration_s=0.6, noise=0.05)
    mag = stft_magnitude(y, STFT)
    y_pghi = pghi_inverse(mag, STFT.n_fft, STFT.hop_length, delay=delay)
    assert np.isfinite(y_pghi).all()
    rms_in, rms_out = np.sqrt(np.mean(y ** 2)), np.sqrt(np.mean(y_pghi[: len(y)] ** 2))
    assert rms_out == pytest.approx(rms_in, rel=0.05)
    back = stft_magnitude(y_pghi[: len(y)], STFT)
    # the re-analysed magnitudes match the ones inverted (consistency)
    assert np.linalg.norm(back[2:-2] - mag[2:-2]) / np.linalg.norm(mag[2:-2]) < 0.08


@pytest.mark.parametrize("delay", [0, 1])
def test_pghi_output_is_aligned_like_stream_inverse(delay):
    y = tone_burst()
    mag = stft_magnitude(y, STFT)
    y_pghi = pghi_inverse(mag, STFT.n_fft, STFT.hop_length, delay=delay)
    y_stream = stream_inverse(mag, STFT.n_fft, STFT.hop_length)
    assert y_pghi.shape == y_stream.shape == (len(mag) * STFT.hop_length,)
    assert y_pghi.dtype == np.float32
    c_ref = energy_centroid(y)
    c_pghi = energy_centroid(y_pghi[: len(y)])
    c_stream = energy_centroid(y_stream[: len(y)])
    # one hop of misalignment would move the centroid by 256 samples
    assert abs(c_pghi - c_ref) < 64, (c_pghi, c_ref)
    assert abs(c_pghi - c_stream) < 64, (c_pghi, c_stream)
    assert np.abs(y_pghi[:10000]).max() < 1e-3  # silence before the burst stays silent


@pytest.mark.parametrize("delay", [0, 1])
def test_rtpghi_frame_by_frame_equals_batch(delay):
    y = harmonic_tone(330.0, 1.5, duration_s=0.2, noise=0.1)
    mag = stft_magnitude(y, STFT)
    batch = RtpghiInverse(STFT.n_fft, STFT.hop_length, delay=delay, seed=3).process_frames(mag)
    inverse = RtpghiInverse(STFT.n_fft, STFT.hop_length, delay=delay, seed=3)
    single = np.concatenate([inverse.process(m) for m in mag])
    assert single.shape == batch.shape == (len(mag) * STFT.hop_length,)
    np.testing.assert_allclose(single, batch, atol=1e-6)


def test_rtpghi_survives_silence_nan_and_bad_input():
    inverse = RtpghiInverse(STFT.n_fft, STFT.hop_length)
    silent = inverse.process(np.zeros(STFT.n_bins))
    assert silent.shape == (STFT.hop_length,) and np.all(silent == 0.0)
    for frame in (np.full(STFT.n_bins, np.nan), np.full(STFT.n_bins, np.inf),
                  -np.ones(STFT.n_bins)):
        out = inverse.process(frame)
        assert out.shape == (STFT.hop_length,) and np.isfinite(out).all()
    with pytest.raises(ValueError):
        inverse.process(np.ones(STFT.n_bins - 1))
    with pytest.raises(ValueError):
        RtpghiInverse(1000, 300)
    with pytest.raises(ValueError):
        RtpghiInverse(2048, 256, delay=2)
