"""Descriptor steering that is heard (issue 13, item 4): the surrogate is fitted on rendered audio
and steering is checked on it, so an asked spectral centroid is the centroid of what plays.

Real components: a tiny model trained in the test session (conftest.tiny_model_dir), its
surrogate fitted by the real ``fit-descriptors`` command, steering by the Controller inside
``render_events`` (the engine's offline Renderer), the audio measured with librosa.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import librosa
import numpy as np
import pytest

from synth_server.app.cli import main
from synth_server.app.render import render_events
from synth_server.artifacts.checkpoint import load_checkpoint
from synth_server.nav.surrogate import playable_surrogate

SR = 48000


@pytest.fixture(scope="module")
def fitted_tiny(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's tiny model with its descriptor surrogate fitted by the CLI."""
    directory = tmp_path_factory.mktemp("heard") / "tiny"
    shutil.copytree(tiny_model_dir, directory)
    assert main(["fit-descriptors", "--model", str(directory), "--n-samples", "3000",
                 "--no-heatmaps"]) == 0
    return directory


def _heard_centroid_hz(audio: np.ndarray) -> float:
    """Median spectral centroid (librosa, on the samples) of the last 0.4 s."""
    tail = audio[-int(0.4 * SR):, 0]
    return float(np.median(librosa.feature.spectral_centroid(y=tail, sr=SR, n_fft=2048,
                                                             hop_length=256)))


@pytest.mark.system
def test_steered_centroid_is_heard_within_bounds(fitted_tiny: Path) -> None:
    """Asked centroids across the model's range (6, from three starting sounds): the centroid
    of the rendered audio is within 1 % of the ask at the median and 4 % at worst (measured
    0.16 % and 1.2 %). The surrogate fitted on decoded magnitude frames, with its checks on
    them, missed this bound on this model: 2.7 % median, 8.4 % worst (heard centroids all below
    the asks)."""
    checkpoint = load_checkpoint(fitted_tiny)
    surrogate = playable_surrogate(checkpoint)
    lo, hi = surrogate.ranges["centroid_hz"]
    asked = np.geomspace(lo * (hi / lo) ** 0.1, lo * (hi / lo) ** 0.9, 6)
    errors = []
    for x, y in ((0.5, 0.5), (0.2, 0.8), (0.8, 0.2)):
        z0 = checkpoint.manifold.to_latent(np.array([x, y]))
        for value in asked:
            events = [(0.0, "/gain", (1.0,)), (0.0, "/latent", tuple(float(v) for v in z0)),
                      (0.1, "/descriptor/centroid_hz", (float(value),))]
            audio, problems = render_events(checkpoint, events, duration_s=0.8)
            assert problems == []
            errors.append(abs(_heard_centroid_hz(audio) / value - 1.0))
    errors = np.asarray(errors)
    assert np.median(errors) <= 0.01 and errors.max() <= 0.04, np.round(errors, 3)


@pytest.mark.unit
def test_held_audio_is_what_the_renderer_plays(default_checkpoint) -> None:
    """The fit's held rendering and the engine's Renderer holding the same latent sound the
    same once settled (descriptors within the spread of the random noise phases)."""
    from synth_server.dsp.describe import describe_audio
    from synth_server.engine.renderer import Renderer
    from synth_server.model.synthesis import held_audio

    stft = default_checkpoint.stft
    rng = np.random.default_rng(3)
    for z in rng.standard_normal((3, default_checkpoint.vae.latent_dim)):
        renderer = Renderer(default_checkpoint, channels=1)
        hops = 120  # 0.64 s: the 15 ms smoothing and the gain fade-in are long settled
        played = renderer.render_block(np.repeat(z[None, :], hops, axis=0), np.ones(hops))
        engine = describe_audio(played[-3072:, 0], SR, stft.n_fft, stft.hop_length)
        held = describe_audio(held_audio(default_checkpoint.decoder(), stft, z[None, :]),
                              SR, stft.n_fft, stft.hop_length)
        for name in ("centroid_hz", "rolloff_hz", "bandwidth_hz"):
            assert abs(held[name][0] / engine[name][0] - 1.0) < 0.03, (name, held, engine)
        assert abs(held["loudness_db"][0] - engine["loudness_db"][0]) < 0.5


@pytest.mark.unit
def test_fast_audio_descriptors_equal_librosa(default_checkpoint) -> None:
    from synth_server.dsp.describe import describe_audio
    from synth_server.dsp.features import NAMES, describe_audio_fast
    from synth_server.model.synthesis import held_audio

    stft = default_checkpoint.stft
    z = np.random.default_rng(4).standard_normal((6, default_checkpoint.vae.latent_dim))
    audio = held_audio(default_checkpoint.decoder(), stft, z)
    slow = describe_audio(audio, SR, stft.n_fft, stft.hop_length)
    fast = describe_audio_fast(audio, SR, stft.n_fft, stft.hop_length)
    for name in NAMES:
        np.testing.assert_allclose(fast[name], slow[name], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fast["voiced"], slow["voiced"])


@pytest.mark.unit
def test_a_representation_without_a_held_renderer_is_refused(default_checkpoint) -> None:
    import dataclasses

    from synth_server.model.synthesis import held_audio

    # StftConfig accepts only known representations: bypass its checks for an unknown one
    other = dataclasses.replace(default_checkpoint.stft)
    object.__setattr__(other, "representation", "wavelet")
    with pytest.raises(ValueError, match="no held renderer"):
        held_audio(default_checkpoint.decoder(), other, np.zeros((1, 8)))
    # an hpn model's held renderer needs an hpn decoder (features(z, c))
    hpn = dataclasses.replace(default_checkpoint.stft, representation="hpn")
    with pytest.raises(ValueError, match="hpn model's decoder"):
        held_audio(default_checkpoint.decoder(), hpn, np.zeros((1, 8)))


# -- the playable (hpn) model: described at the reference note, MIDI 60 at amplitude 0.1 -------

REFERENCE_VELOCITY = 127.0 * 0.1 ** 0.5  # (velocity / 127)^2 = 0.1, the reference amplitude


@pytest.fixture(scope="module")
def playable():
    from conftest import PLAYABLE_MODEL

    return load_checkpoint(PLAYABLE_MODEL)


def _reference_note(z0: np.ndarray, *steer: tuple) -> list:
    """A score holding the reference note (sustain 1, velocity for amplitude 0.1) of z0."""
    return [(0.0, "/gain", (1.0,)), (0.0, "/envelope", (0.0, 0.0, 1.0, 0.3)),
            (0.0, "/latent", tuple(float(v) for v in z0)),
            (0.0, "/note/on", (60.0, REFERENCE_VELOCITY)), *steer]


@pytest.mark.unit
def test_held_hpn_is_what_the_voices_play(playable) -> None:
    """held_audio of an hpn model (the fit's and the steering checks' rendering) and the
    engine's voices holding the reference note of the same latent sound the same once settled
    (measured: centroid within 1.5 %, loudness within 0.02 dB once the voices' -12 dB headroom
    is counted)."""
    from synth_server.dsp.describe import describe_audio
    from synth_server.engine.kernel import VOICE_GAIN_DB
    from synth_server.model.synthesis import held_audio

    stft = playable.stft
    latents = np.random.default_rng(3).standard_normal((3, playable.vae.latent_dim))
    held = describe_audio(held_audio(playable.decoder(), stft, latents), SR, stft.n_fft,
                          stft.hop_length)
    for i, z in enumerate(latents):
        audio, problems = render_events(playable, _reference_note(z), duration_s=0.6,
                                        channels=1)
        assert problems == []
        voices = describe_audio(audio[-3072:, 0], SR, stft.n_fft, stft.hop_length)
        for name in ("centroid_hz", "bandwidth_hz"):
            assert abs(held[name][i] / voices[name][0] - 1.0) < 0.03, (name, held, voices)
        # the voices render at kernel.VOICE_GAIN_DB (a mixing headroom the reference has not)
        assert abs(held["loudness_db"][i] + VOICE_GAIN_DB - voices["loudness_db"][0]) < 0.2
        assert abs(held["harmonicity"][i] - voices["harmonicity"][0]) < 0.01


@pytest.mark.unit
def test_steered_centroid_is_heard_on_the_playable_model(playable) -> None:
    """models/instruments (hpn): the centroid steered to 600 Hz and to 1500 Hz from the pad's
    centre, by the Controller inside render_events (the engine's voices), is heard within 5 %
    of each ask on the held reference note (measured 600.6 and 1493.6 Hz: 0.1 % and 0.4 %;
    benchmarks/descriptor_heard.py over 33 asks: median 0.7 %, p90 2.5 %, max 5.1 % at the
    range's low end). Unsteered the note's centroid is 968 Hz, 61 % from 600: the bound fails
    without steering (any single value is over 40 % from one of the two asks)."""
    surrogate = playable_surrogate(playable)
    assert surrogate is not None and "centroid_hz" in surrogate.names
    z0 = playable.manifold.to_latent(np.array([0.5, 0.5]))
    plain, problems = render_events(playable, _reference_note(z0), duration_s=0.8)
    assert problems == []
    unsteered = _heard_centroid_hz(plain)
    heard = {}
    for asked in (600.0, 1500.0):
        audio, problems = render_events(
            playable, _reference_note(z0, (0.1, "/descriptor/centroid_hz", (asked,))),
            duration_s=0.8)
        assert problems == []
        heard[asked] = _heard_centroid_hz(audio)
    errors = {asked: abs(got / asked - 1.0) for asked, got in heard.items()}
    assert max(errors.values()) <= 0.05, (heard, unsteered)
    assert max(abs(unsteered / asked - 1.0) for asked in heard) > 0.4, unsteered


@pytest.mark.unit
def test_the_playable_model_has_no_pitch_or_loudness_descriptor(playable) -> None:
    """At the reference note f0 and loudness are fixed: an hpn model's surrogate has neither,
    /descriptor/f0_hz is an error line and the others steer."""
    from synth_server.dsp.features import NAMES

    surrogate = playable_surrogate(playable)
    assert surrogate.names == tuple(n for n in NAMES if n not in ("f0_hz", "loudness_db"))
    assert surrogate.meta["described_on"]["reference_note"]["midi_pitch"] == 60.0
    assert {name for _, name in playable.heatmaps} == set(surrogate.names)
    z0 = playable.manifold.to_latent(np.array([0.5, 0.5]))
    _, problems = render_events(playable, _reference_note(
        z0, (0.1, "/descriptor/f0_hz", (440.0,)), (0.1, "/descriptor/bandwidth_hz", (900.0,))),
        duration_s=0.3)
    assert len(problems) == 1 and "no descriptor 'f0_hz'" in problems[0], problems
