"""Offline notes of an hpn model: a latent (timbre), a MIDI pitch, a velocity, a duration -> audio.

The same arithmetic as the live voices (:mod:`synth_server.dsp.hpn`): per hop, the note's
amplitude ``A = velocity_amplitude(velocity) * envelope(t)`` (linear ADSR), the conditioning
``c = conditioning(midi_pitch, loudness_db(A))``, the decoder's features
``h = decoder.features(z, c)`` and one hop of :class:`~synth_server.dsp.hpn.HpnSynth`. Used by the
evaluation (pitch accuracy, timbre constancy) and by descriptor fitting on rendered notes.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.dsp.hpn import (HpnSynth, conditioning, loudness_db, midi_to_hz,
                                  noise_synthesis, velocity_amplitude)
from synth_server.model.runtime import NumpyDecoder


def adsr(n_hops: int, hop_s: float, held_s: float, attack_s: float = 0.01,
         decay_s: float = 0.1, sustain: float = 0.8, release_s: float = 0.2) -> np.ndarray:
    """Linear ADSR envelope sampled once per hop: [n_hops] float64 in [0, 1].

    Args:
        n_hops: hops to sample; hop_s: seconds per hop.
        held_s: seconds from note-on to note-off.
        attack_s, decay_s, release_s: seconds (>= 0); sustain: level 0..1.
    """
    t = (np.arange(n_hops) + 1) * hop_s
    attack = np.clip(t / max(attack_s, 1e-9), 0.0, 1.0)
    decay = 1.0 - (1.0 - sustain) * np.clip((t - attack_s) / max(decay_s, 1e-9), 0.0, 1.0)
    level = np.where(t < attack_s, attack, decay)
    at_off = np.interp(held_s, t, level) if held_s < t[-1] else level[-1]
    release = at_off * np.clip(1.0 - (t - held_s) / max(release_s, 1e-9), 0.0, 1.0)
    return np.where(t <= held_s, level, release)


def render_notes(decoder: NumpyDecoder, stft: StftConfig, z: np.ndarray,
                 notes: Sequence[tuple[float, float, float, float]], duration_s: float,
                 envelope: tuple[float, float, float, float] = (0.01, 0.1, 0.8, 0.2),
                 seed: int = 0) -> np.ndarray:
    """Render notes of one timbre (polyphonic) offline.

    Args:
        decoder: an hpn model's decoder (``decoder.features(z, c)``).
        stft: the model's config (an "hpn" representation).
        z: [latent_dim] the timbre.
        notes: (start_s, midi_pitch (fractional allowed), velocity 1..127, held_s) each.
        duration_s: length of the output, seconds.
        envelope: (attack_s, decay_s, sustain, release_s) of the ADSR.
        seed: noise phase seed.
    Returns:
        [round(duration_s * sample_rate)] float32 samples.
    Raises:
        ValueError: more notes than 64 voices, or a decoder without conditioning.
    Source: the harmonic-plus-noise synthesis of Serra & Smith 1990 / Engel et al. 2020
    (:mod:`synth_server.dsp.hpn`).
    """
    if decoder.n_conditioning == 0:
        raise ValueError("render_notes needs an hpn model")
    if len(notes) > 64:
        raise ValueError("at most 64 notes")
    hop = stft.hop_length
    n_hops = int(np.ceil(duration_s * stft.sample_rate / hop))
    hop_s = hop / stft.sample_rate
    synth = HpnSynth(stft, noise_synthesis(stft), max_voices=max(1, len(notes)), seed=seed)
    zz = np.asarray(z, dtype=np.float32).reshape(1, -1)
    starts = [int(round(start * stft.sample_rate / hop)) for start, *_ in notes]
    envs = []
    for (start, pitch, velocity, held), first in zip(notes, starts):
        env = adsr(max(1, n_hops - first), hop_s, held, *envelope)
        envs.append(velocity_amplitude(velocity) * env)
    out = np.zeros(n_hops * hop)
    for j in range(n_hops):
        voices, pitches, amps = [], [], []
        for v, ((start, pitch, velocity, held), first) in enumerate(zip(notes, starts)):
            if j == first:
                synth.note_on(v)
            if j >= first:
                voices.append(v)
                pitches.append(pitch)
                amps.append(envs[v][j - first])
        if voices:
            amp = np.asarray(amps)
            c = conditioning(np.asarray(pitches), loudness_db(amp))
            h = decoder.features(np.repeat(zz, len(voices), axis=0), c)
            out[j * hop:(j + 1) * hop] = synth.render_hop(voices, h, midi_to_hz(
                np.asarray(pitches)), amp)
        else:
            out[j * hop:(j + 1) * hop] = synth.render_hop([], np.zeros((0, 1)), np.zeros(0),
                                                          np.zeros(0))
    n = int(round(duration_s * stft.sample_rate))
    return out[:n].astype(np.float32)


def render_note(decoder: NumpyDecoder, stft: StftConfig, z: np.ndarray, midi_pitch: float,
                velocity: float = 100.0, duration_s: float = 1.0, held_s: float | None = None,
                envelope: tuple[float, float, float, float] = (0.01, 0.1, 0.8, 0.2),
                seed: int = 0) -> np.ndarray:
    """One note of timbre ``z`` at ``midi_pitch`` (fractional allowed): [duration_s *
    sample_rate] float32; held for ``held_s`` (default: duration minus the release). See
    :func:`render_notes`."""
    held = duration_s - envelope[3] if held_s is None else held_s
    return render_notes(decoder, stft, z, [(0.0, midi_pitch, velocity, max(0.0, held))],
                        duration_s, envelope, seed)
