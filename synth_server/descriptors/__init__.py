"""Semantic control: audio descriptors, a latent ↔ descriptor surrogate, pad heatmaps.

Model-independent descriptor names (the same for every checkpoint, in physical units):
``centroid_hz``, ``rolloff_hz``, ``bandwidth_hz`` (Hz), ``flatness`` (0..1), ``loudness_db``
(dBFS), ``harmonicity`` (0..1), ``f0_hz`` (Hz, meaningful when voiced). See
:mod:`~synth_server.descriptors.features`.

Live use (server process, on ``/descriptor/<name> value``; never in the audio thread)::

    from synth_server.descriptors import DescriptorSurrogate
    surrogate = DescriptorSurrogate.from_checkpoint(checkpoint)   # once per (hot-swapped) model
    z = surrogate.steer(z0, "centroid_hz", 2000.0)                 # [latent_dim] float64
    values = surrogate.predict(z)                                  # {name: float, "voiced": 0/1}

``from_checkpoint`` raises FileNotFoundError when the model has no descriptors.json (offer no
descriptor control then) and ValueError (one line) for invalid files. Offline:
``synth-server fit-descriptors --model DIR`` (:func:`fit_descriptors`) writes descriptors.json,
descriptors.npz, heatmaps/*.png and heatmaps.json into the checkpoint directory.

Sources: librosa (spectral features), scikit-learn (MLPRegressor), the semantic-surrogate idea of
shared/seeds/002 (sample the latent space, describe the outputs, learn an MLP surrogate).
"""
from synth_server.descriptors.features import NAMES, UNITS, describe, describe_fast
from synth_server.descriptors.surrogate import (DescriptorSurrogate, fit_descriptors,
                                                load_descriptors)

__all__ = ["NAMES", "UNITS", "DescriptorSurrogate", "describe", "describe_fast",
           "fit_descriptors", "load_descriptors"]
