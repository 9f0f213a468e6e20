"""STFT ↔ inverse round trips (offline Griffin-Lim and the streaming inverse)."""
from __future__ import annotations

import numpy as np
import pytest

from synth_server.core.config import StftConfig
from synth_server.dsp.stft import from_log, griffin_lim, stft_magnitude, to_log
from synth_server.dsp.streaming import StreamingInverse, stream_inverse

from conftest import harmonic_tone


def spectral_convergence(y: np.ndarray, reference: np.ndarray, stft: StftConfig) -> float:
    """||S(y) - S(ref)|| / ||S(ref)|| over magnitudes (phase-blind)."""
    a, b = stft_magnitude(y, stft), stft_magnitude(reference, stft)
    n = min(len(a), len(b))
    return float(np.linalg.norm(a[:n] - b[:n]) / np.linalg.norm(b[:n]))


def test_full_scale_sine_has_unit_normalised_magnitude():
    stft = StftConfig()
    t = np.arange(48000) / 48000
    mag = stft_magnitude(np.sin(2 * np.pi * 937.5 * t), stft)  # bin 40: no scalloping
    assert mag.shape == (48000 // stft.hop_length + 1, stft.n_bins)
    assert mag[10:-10].max(axis=1) == pytest.approx(np.ones(len(mag) - 20), abs=0.02)


def test_log_round_trip_is_exact_above_floor():
    stft = StftConfig()
    mag = np.abs(np.random.default_rng(0).standard_normal((4, stft.n_bins))).astype(np.float32)
    np.testing.assert_allclose(from_log(to_log(mag, stft), stft), mag, rtol=1e-4, atol=1e-6)


SETTINGS = [(2048, 256), (1024, 256), (2048, 512), (512, 128)]
TONES = [(220.0, 1.0, 0.0), (110.0, 0.5, 0.0), (330.0, 1.5, 0.1)]
# Harmonics are resolved (and so their phase can be rebuilt) only when f0 spans >= 4 bins:
# the Hann main lobe is 4 bins wide. That is why the product uses n_fft = 2048 at 48 kHz.
RESOLVED = [(n, h, f0, s, z) for n, h in SETTINGS for f0, s, z in TONES if f0 >= 4 * 48000 / n]


@pytest.mark.parametrize("n_fft,hop_length,f0_hz,slope,noise", RESOLVED)
def test_streaming_inverse_round_trip(n_fft, hop_length, f0_hz, slope, noise):
    stft = StftConfig(n_fft=n_fft, hop_length=hop_length)
    y = harmonic_tone(f0_hz, slope, duration_s=0.6, noise=noise)
    mag = stft_magnitude(y, stft)
    y_stream = stream_inverse(mag, n_fft, hop_length)
    assert y_stream.shape[0] >= len(y) - hop_length
    assert np.isfinite(y_stream).all()
    # magnitude (not waveform) must come back: the phase is rebuilt, not known
    assert spectral_convergence(y_stream, y, stft) < 0.25
    rms_in, rms_out = np.sqrt(np.mean(y ** 2)), np.sqrt(np.mean(y_stream ** 2))
    assert rms_out == pytest.approx(rms_in, rel=0.15)


def test_streaming_inverse_is_no_worse_than_griffin_lim_on_a_harmonic_tone():
    stft = StftConfig()
    y = harmonic_tone(220.0, 1.0, duration_s=0.8)
    mag = stft_magnitude(y, stft)
    sc_stream = spectral_convergence(stream_inverse(mag, stft.n_fft, stft.hop_length), y, stft)
    sc_gl = spectral_convergence(griffin_lim(mag, stft, n_iter=32), y, stft)
    assert sc_stream < 0.15
    assert sc_stream <= sc_gl * 1.5


def test_streaming_inverse_survives_silence_and_nan():
    inv = StreamingInverse(2048, 256)
    out = [inv.process(np.zeros(inv.n_bins))]
    bad = np.full(inv.n_bins, np.nan)
    out.append(inv.process(bad))
    out.append(inv.process(np.full(inv.n_bins, np.inf)))
    for block in out:
        assert block.shape == (256,)
        assert np.isfinite(block).all()


def test_streaming_inverse_rejects_bad_overlap():
    with pytest.raises(ValueError):
        StreamingInverse(1000, 300)
