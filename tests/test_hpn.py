"""The harmonic-plus-noise ("hpn") family: analysis with a known f0, the reference synthesis, a
conditional model trained through the differentiable synthesizer on real fluidsynth notes."""
from __future__ import annotations

import json

import numpy as np
import pytest

from synth_server.core.config import StftConfig, TrainConfig, model_family
from synth_server.dsp import hpn

STFT = StftConfig(representation="hpn")
SR = STFT.sample_rate


def harmonic_tone(f0_hz: float, amplitudes: np.ndarray, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return sum(a * np.sin(2 * np.pi * (k + 1) * f0_hz * t + 0.3 * k)
               for k, a in enumerate(amplitudes))


@pytest.mark.unit
def test_conditioning_and_family():
    assert np.allclose(hpn.conditioning(72.0, -60.0), [0.5, -1.0])
    assert hpn.conditioning([60, 84], [-30, 0]).shape == (2, 2)
    assert model_family(STFT) == "hpn" and model_family(StftConfig()) == "spectral"
    from synth_server.dsp.filterbank import n_features

    assert n_features(STFT) == STFT.n_harmonics + STFT.n_noise_bands == 128


@pytest.mark.unit
def test_analysis_resynthesis_round_trip_recovers_harmonic_amplitudes():
    f0 = float(hpn.midi_to_hz(57.3))  # a fractional pitch
    amps = 0.25 / np.arange(1, 25) ** 1.2
    amps[3] = 0.0005  # a weak harmonic
    y = harmonic_tone(f0, amps)
    feats, amp, f0s, _ = hpn.analyse(y, f0, STFT)
    mid = slice(20, len(amp) - 20)
    measured = np.median(np.exp(feats[mid, :24]) * amp[mid, None], axis=0)
    strong = amps > 0.003
    assert np.allclose(measured[strong], amps[strong], rtol=0.05)
    assert abs(1200 * np.log2(np.median(f0s[mid]) / f0)) < 2.0
    # the synthesis plays the amplitudes back: re-analysed, the same harmonic envelope
    back = hpn.render_frames(feats, f0s, amp, STFT, n_samples=len(y))
    feats2, amp2, _, _ = hpn.analyse(back, f0, STFT)
    measured2 = np.median(np.exp(feats2[mid, :24]) * amp2[mid, None], axis=0)
    assert np.allclose(measured2[strong], amps[strong], rtol=0.1)
    # no harmonic is made up: the weak 4th stays 30 dB under its neighbours
    assert measured2[3] < 0.05 * measured2[2]


@pytest.mark.unit
def test_synth_plays_an_asked_fractional_pitch():
    from synth_server.evaluate.playable import pitch_cents

    n_hops = 200
    h = np.full((n_hops, STFT.n_harmonics + STFT.n_noise_bands), hpn.LOG_FEATURE_FLOOR,
                dtype=np.float32)
    h[:, :10] = np.log(0.6 / np.arange(1, 11))
    h[:, STFT.n_harmonics:] = np.log(0.003)
    for pitch in (49.25, 70.6):
        y = hpn.render_frames(h, float(hpn.midi_to_hz(pitch)), np.full(n_hops, 0.3), STFT)
        assert np.isfinite(y).all() and 0.1 < np.abs(y).max() < 1.0
        assert pitch_cents(y, SR, pitch) <= 5.0


@pytest.mark.unit
def test_voices_sum_and_harmonics_above_the_limit_are_silent():
    synth = hpn.HpnSynth(STFT, hpn.noise_synthesis(STFT), max_voices=2, seed=1)
    h = np.zeros((2, STFT.n_harmonics + STFT.n_noise_bands))
    a = synth.harmonic_amplitudes(h, np.array([100.0, 4000.0]), np.array([1.0, 0.5]))
    assert a[0].min() == 1.0  # 64 * 100 Hz < 21.6 kHz
    assert (a[1, :5] == 0.5).all() and (a[1, 5:] == 0).all()  # 6 * 4 kHz >= 0.45 * 48 kHz
    one = synth.noise_power(h[:1], np.array([1.0]))
    both = synth.noise_power(h, np.array([1.0, 1.0]))
    assert np.allclose(both, 2 * one)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """Nine fluidsynth notes (3 programs x 3 pitches) and an hpn model trained on them (3
    epochs, hidden 64, latent 4: a few seconds)."""
    from synth_server.data.soundfont import render_soundfont_dataset
    from synth_server.train.hpn import train_hpn_model

    root = tmp_path_factory.mktemp("hpn")
    render_soundfont_dataset(root / "notes", programs=(0, 71, 73), pitches=(55, 62, 69),
                             velocities=(100,), heldout_programs=(), progress=False)
    stats = train_hpn_model(root / "notes" / "train", root / "model", stft=STFT,
                            vae_hidden=(64,), latent_dim=4,
                            train=TrainConfig(epochs=3, warmup_epochs=1, batch_size=64),
                            progress=False, frame_stride=2, threads=1)
    return root, stats


@pytest.mark.system
def test_tiny_hpn_model_trains_loads_and_decodes(tiny_model):
    import torch

    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.model.vae import FrameVAE

    root, stats = tiny_model
    assert stats["n_frames"] > 200 and np.isfinite(stats["final_epoch"]["spectral"])
    config = json.loads((root / "model" / "config.json").read_text())
    assert config["stft"]["representation"] == "hpn" and config["vae"]["n_conditioning"] == 2
    checkpoint = load_checkpoint(root / "model")
    assert checkpoint.family == "hpn"
    decoder = checkpoint.decoder()
    z = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    c = hpn.conditioning(np.linspace(40, 90, 5), np.linspace(-50, -5, 5))
    h = decoder.features(z, c)
    assert h.shape == (5, 128) and h.dtype == np.float32
    model = FrameVAE.from_arrays(checkpoint.vae, checkpoint.arrays)
    with torch.inference_mode():
        expected = model.denormalise(model.decode(torch.from_numpy(z),
                                                  torch.from_numpy(c))).numpy()
    assert np.allclose(h, expected, atol=1e-4)
    assert decoder.features(z[0], c[0]).shape == (128,)
    with pytest.raises(ValueError):
        decoder.magnitude(z)


@pytest.mark.system
def test_same_latent_at_two_pitches_plays_both_pitches(tiny_model):
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.evaluate.playable import pitch_cents
    from synth_server.model.hpn_render import render_note

    root, _ = tiny_model
    checkpoint = load_checkpoint(root / "model")
    decoder = checkpoint.decoder()
    z = checkpoint.manifold.to_latent(np.array([[0.5, 0.5]]))[0]
    for pitch in (57.0, 64.5):
        y = render_note(decoder, checkpoint.stft, z, pitch, velocity=100, duration_s=0.8)
        assert np.isfinite(y).all() and np.abs(y).max() > 0.01
        assert pitch_cents(y, SR, pitch) <= 10.0


@pytest.mark.unit
def test_reference_hop_is_the_contract_arithmetic():
    """Two hops of one voice equal the contract's formula (what the engine's voices repeat)."""
    synth = hpn.HpnSynth(STFT, hpn.noise_synthesis(STFT), max_voices=1, seed=0)
    synth.note_on(0)
    hop, f0 = STFT.hop_length, 440.0
    h1 = np.full((1, 128), hpn.LOG_FEATURE_FLOOR)
    h1[0, :2] = np.log([0.5, 0.25])
    h2 = h1.copy()
    h2[0, :2] = np.log([0.2, 0.1])
    amp = np.array([0.8])
    first, _ = synth.render_hop([0], h1, np.array([f0]), amp, parts=True)
    second, _ = synth.render_hop([0], h2, np.array([f0]), amp, parts=True)
    n = np.arange(2 * hop)
    ramp = np.concatenate([(np.arange(hop) + 1) / hop, (np.arange(hop) + 1) / hop])
    expected = np.zeros(2 * hop)
    for k in range(1, STFT.n_harmonics + 1):
        if k * f0 >= 0.45 * SR:  # silent above 0.45 sample_rate
            continue
        a1, a2 = 0.8 * np.exp(h1[0, k - 1]), 0.8 * np.exp(h2[0, k - 1])
        env = np.where(n < hop, a1 * ramp, a1 + (a2 - a1) * ramp)
        expected += env * np.sin(2 * np.pi * k * f0 * n / SR)
    assert np.allclose(np.concatenate([first, second]), expected, atol=1e-9)


@pytest.mark.system
def test_fit_manifolds_encodes_an_hpn_model_s_notes_with_their_conditioning(tiny_model, tmp_path):
    """fit-manifolds --data on an hpn model analyses the labelled notes, encodes them with c =
    (pitch, loudness) as training did (the refitted PCA pad has training's mean), and writes
    maps that load and decode to finite features; unlabelled audio is a one-line error."""
    import shutil
    import subprocess
    import sys

    import soundfile as sf

    from conftest import ROOT
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.nav.maps import navigation_of

    root, _ = tiny_model
    model = tmp_path / "model"
    shutil.copytree(root / "model", model)
    trained_mean = np.array(json.loads((model / "manifold.json").read_text())["mean"])
    run = subprocess.run([sys.executable, "-m", "synth_server.app.cli", "fit-manifolds",
                          "--model", str(model), "--data", str(root / "notes" / "train"),
                          "--methods", "pca,lle,isomap"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "isomap" in run.stdout and "trustworthiness" in run.stdout
    checkpoint = load_checkpoint(model)
    assert navigation_of(checkpoint)[0] == ("pca", "lle", "isomap")
    # the same frames (training's stride, from config.json) and conditioning as training
    np.testing.assert_allclose(checkpoint.manifold.mean, trained_mean, atol=1e-4)
    decoder = checkpoint.decoder()
    t = np.linspace(0.0, 1.0, 5)
    pad = np.stack(np.meshgrid(t, t), axis=-1).reshape(-1, 2)
    c = hpn.conditioning(60.0, -20.0)
    for name, maps in checkpoint.manifolds.items():
        z = maps.pad.to_latent(pad)
        assert z.shape == (25, 4) and np.isfinite(z).all(), name
        assert np.isfinite(decoder.features(z.astype(np.float32), c)).all(), name
        spread = np.ptp(z, axis=0).max()
        assert spread > 1e-3, name  # the pad moves through the latent space
    plain = tmp_path / "plain"
    plain.mkdir()
    sf.write(plain / "tone.wav", harmonic_tone(220.0, np.array([1.0, 0.5])), SR)
    bad = subprocess.run([sys.executable, "-m", "synth_server.app.cli", "fit-manifolds",
                          "--model", str(model), "--data", str(plain)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "known pitch" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert load_checkpoint(model).manifolds.keys() == checkpoint.manifolds.keys()  # kept
