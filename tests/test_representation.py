"""STFT ↔ inverse round trips (offline Griffin-Lim and the streaming inverse)."""
from __future__ import annotations

import numpy as np
import pytest

from synth_server.core.config import StftConfig
from synth_server.dsp.stft import from_log, griffin_lim, stft_magnitude, to_log
from synth_server.dsp.streaming import StreamingInverse, overlap_add_hop, stream_inverse

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


def test_overlap_add_hop_matches_a_plain_overlap_add_and_its_batch_form():
    """The one overlap-add (the kernel calls it per hop, StreamingInverse per frame) equals
    numpy's sum of windowed frames shifted by the hop, hop by hop, batch or not."""
    rng = np.random.default_rng(3)
    n_fft, hop, n = 64, 16, 10
    frames = rng.standard_normal((n, n_fft)).astype(np.float32)
    window = rng.uniform(0.1, 1.0, n_fft).astype(np.float32)
    expected = np.zeros((n - 1) * hop + n_fft, np.float64)
    for j in range(n):
        expected[j * hop:j * hop + n_fft] += frames[j].astype(np.float64) * window
    tail = np.zeros(n_fft, np.float32)
    out = np.full(n * hop, np.nan, np.float32)
    for j in range(n):
        overlap_add_hop(frames[j], window, tail, out[j * hop:(j + 1) * hop], False)
    np.testing.assert_allclose(out, expected[:n * hop], atol=1e-5)
    np.testing.assert_allclose(tail[:n_fft - hop], expected[n * hop:], atol=1e-5)
    assert not tail[n_fft - hop:].any()  # the last hop of the tail is always empty
    # accumulate=True adds onto what the hop already holds (the hpn noise over the harmonics)
    tail2 = np.zeros(n_fft, np.float32)
    base = np.ones(hop, np.float32)
    overlap_add_hop(frames[0], window, tail2, base, True)
    np.testing.assert_allclose(base, 1.0 + frames[0, :hop] * window[:hop], atol=1e-6)
    # StreamingInverse's batch overlap-add is the same, bit for bit, in one call or per frame
    one = StreamingInverse(n_fft, hop, seed=1)
    per_frame = StreamingInverse(n_fft, hop, seed=1)
    magnitude = rng.uniform(0.0, 0.1, (n, n_fft // 2 + 1)).astype(np.float32)
    whole = one.process_frames(magnitude)
    pieces = np.concatenate([per_frame.process(m) for m in magnitude])
    assert np.array_equal(whole, pieces)
