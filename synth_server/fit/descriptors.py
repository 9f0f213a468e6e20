"""Fit a checkpoint's descriptor surrogate (``synth-server fit-descriptors``).

Latent points are sampled from the prior N(0, I) and around the data (the encoder means stored as
``anchors_latent`` in ``manifolds.npz``), rendered through the model's own synthesis (each latent
held still: :func:`synth_server.model.synthesis.held_audio`, the chain the engine plays, picked by
the model's family), the audio described (:func:`synth_server.dsp.describe.describe_audio`,
librosa) and scikit-learn ``MLPRegressor`` nets learn latent -> descriptors of what is heard; they
are exported as plain arrays (:class:`synth_server.nav.surrogate.NumpyMlp`) and stored by
:mod:`synth_server.artifacts.descriptors`. After "Semantic surrogates for latent space navigation"
(shared/seeds/002: sample, render, describe).

Until issue 13 the decoded magnitude frames were described instead; the phase reconstruction and
overlap-add change the spectrum a listener gets (models/default: the audio's centroid 6.5 % from
the frame's at the median over the data, 16 % at the 90th percentile; docs/descriptors.md).
"""
from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from synth_server.artifacts.checkpoint import load_checkpoint
from synth_server.artifacts.descriptors import load_anchors, save_descriptors
from synth_server.dsp.describe import describe_audio
from synth_server.dsp.features import NAMES, SILENCE_DB, UNITS
from synth_server.model.synthesis import (FIXED_BY_FAMILY, HELD_STEADY_HOPS, REFERENCE_LOUDNESS_DB,
                                          REFERENCE_MIDI_PITCH, descriptor_names, held_audio,
                                          held_warmup_hops, model_family)
from synth_server.nav.surrogate import (HIDDEN, RANGE_PERCENTILES, TABLE_SIZE, TRANSFORMS,
                                        DescriptorSurrogate, NumpyMlp, frame_names, to_internal)

log = logging.getLogger(__name__)


def sample_latents(latent_dim: int, n_samples: int, anchors: Optional[np.ndarray] = None,
                   seed: int = 0) -> np.ndarray:
    """Latent points to describe: half from the prior N(0, I), half around the data.

    Around the data: a random anchor (encoder mean) plus Gaussian noise of 0.3 x the anchors'
    per-dimension standard deviation. Without anchors, everything comes from the prior.

    Returns:
        [n_samples, latent_dim] float64.
    """
    rng = np.random.default_rng(seed)
    if anchors is None or len(anchors) == 0:
        return rng.standard_normal((n_samples, latent_dim))
    anchors = np.asarray(anchors, dtype=np.float64)
    n_data = n_samples // 2
    picks = anchors[rng.integers(0, len(anchors), n_data)]
    spread = 0.3 * anchors.std(axis=0) + 1e-3
    near = picks + rng.standard_normal(picks.shape) * spread
    prior = rng.standard_normal((n_samples - n_data, latent_dim))
    return np.concatenate([prior, near])


def describe_latents(decoder: Any, stft: Any, latents: np.ndarray, chunk: int = 512
                     ) -> dict[str, np.ndarray]:
    """Render latents held still through the model's synthesis and describe the audio.

    Args:
        decoder: the model's ``NumpyDecoder``. stft: its ``StftConfig`` (synthesis, analysis
            and family). latents: [n, latent_dim].
        chunk: latents rendered and described at once (memory).
    Returns:
        name → [n] float64 in natural units (``voiced``: bool):
        :func:`~synth_server.dsp.describe.describe_audio` of
        :func:`~synth_server.model.synthesis.held_audio`.
    """
    parts = []
    for start in range(0, len(latents), chunk):
        audio = held_audio(decoder, stft, np.asarray(latents[start:start + chunk]))
        parts.append(describe_audio(audio, int(stft.sample_rate), int(stft.n_fft),
                                    int(stft.hop_length)))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def described_on(stft: Any) -> dict[str, Any]:
    """How the fitted sounds were made and described (stored in descriptors.json)."""
    family = model_family(stft)
    out: dict[str, Any] = {
        "what": "held_audio", "family": family,
        "warmup_hops": held_warmup_hops(stft), "steady_hops": HELD_STEADY_HOPS,
        "phase": "peak" if family == "spectral" else "oscillators (phase 0 at note-on)",
        "gain": 1.0, "analysis": {
            "n_fft": int(stft.n_fft), "hop_length": int(stft.hop_length),
            "window": "hann", "center": False, "summary": "median over frames"}}
    if family == "hpn":
        out["reference_note"] = {"midi_pitch": REFERENCE_MIDI_PITCH,
                                 "loudness_db": REFERENCE_LOUDNESS_DB,
                                 "amplitude": round(10.0 ** (REFERENCE_LOUDNESS_DB / 20.0), 6),
                                 "envelope": "none (held)"}
        out["not_described"] = list(FIXED_BY_FAMILY[family])
    return out


def _mlp(seed: int, max_iter: int) -> Any:
    from sklearn.neural_network import MLPRegressor

    # L-BFGS (full batch): on 16 000 samples a better fit than Adam in less time (measured:
    # 4 s vs 2.4 s on 8000 samples, held-out R2 higher on every descriptor)
    return MLPRegressor(hidden_layer_sizes=HIDDEN, activation="tanh", solver="lbfgs",
                        alpha=1e-4, max_iter=max_iter, random_state=seed)


def fit_surrogate(latents: np.ndarray, values: dict[str, np.ndarray], sample_rate: int,
                  n_fft: int, seed: int = 0, max_iter: int = 500,
                  names: tuple[str, ...] = NAMES
                  ) -> tuple[DescriptorSurrogate, dict[str, Any]]:
    """Fit the forward, f0 and inverse nets on described latents (scikit-learn, offline).

    Args:
        latents: [n, latent_dim] sampled latents.
        values: name → [n] descriptors of their rendered audio (natural units, with
            ``voiced``: :func:`describe_latents`).
        seed: split and net initialisation.
        names: the descriptors to fit (:func:`~synth_server.model.synthesis.descriptor_names`
            of the model: NAMES order; without f0_hz no f0 net is fitted).
    Returns:
        (surrogate without decoder, report: held-out accuracy per descriptor, sample counts).
    Raises:
        ValueError: too few audible (or, with f0_hz, voiced) samples.
    """
    names = tuple(names)
    has_f0 = "f0_hz" in names
    latents = np.asarray(latents, dtype=np.float64)
    keep = np.isfinite(latents).all(axis=1) & (values["loudness_db"] > SILENCE_DB)
    for n in names:
        keep &= np.isfinite(values[n])
    if keep.sum() < 200:
        raise ValueError(f"only {int(keep.sum())} audible rendered samples (need 200)")
    z = latents[keep]
    internal = np.stack([to_internal(n, values[n][keep]) for n in names], axis=1)
    voiced = np.asarray(values["voiced"], dtype=bool)[keep]
    if has_f0 and voiced.sum() < 100:
        raise ValueError(f"only {int(voiced.sum())} voiced rendered samples (need 100)")
    mean = internal.mean(axis=0)
    scale = internal.std(axis=0) + 1e-9
    if has_f0:
        mean[names.index("f0_hz")] = internal[voiced, names.index("f0_hz")].mean()
        scale[names.index("f0_hz")] = internal[voiced, names.index("f0_hz")].std() + 1e-9
    y = (internal - mean) / scale
    rng = np.random.default_rng(seed)
    test = rng.random(len(z)) < 0.15
    z_mean, z_scale = z.mean(axis=0), z.std(axis=0) + 1e-9
    zs = (z - z_mean) / z_scale
    frame_cols = [names.index(n) for n in frame_names(names)]
    f0_model = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        forward_model = _mlp(seed, max_iter).fit(zs[~test], y[~test][:, frame_cols])
        if has_f0:
            vt = voiced & ~test
            f0_model = _mlp(seed + 1, max_iter).fit(zs[vt], y[vt, names.index("f0_hz")])
        inverse_model = _mlp(seed + 2, max_iter).fit(y[~test], zs[~test])
    forward = NumpyMlp.from_sklearn(forward_model, z_mean, z_scale)
    f0 = None if f0_model is None else NumpyMlp.from_sklearn(f0_model, z_mean, z_scale)
    inverse = NumpyMlp.from_sklearn(inverse_model, np.zeros(len(names)), np.ones(len(names)),
                                    z_mean, z_scale)
    ranges = {}
    for i, n in enumerate(names):
        col = values[n][keep][voiced] if n == "f0_hz" else values[n][keep]
        lo, hi = np.percentile(col, RANGE_PERCENTILES)
        if not hi > lo:
            hi = lo + max(abs(lo) * 1e-3, 1e-6)
        ranges[n] = (float(lo), float(hi))
    radius = float(np.percentile(np.linalg.norm(z, axis=1), 99.5))
    rows = np.sort(rng.choice(len(z), min(TABLE_SIZE, len(z)), replace=False))
    surrogate = DescriptorSurrogate(
        latent_dim=z.shape[1], names=names, units=dict(UNITS), ranges=ranges, mean=mean,
        scale=scale, forward=forward, f0=f0, inverse_net=inverse, radius=radius,
        sample_rate=int(sample_rate), n_fft=int(n_fft), table_latent=z[rows],
        table_values=y[rows], table_voiced=voiced[rows].astype(np.float64))
    # held-out accuracy, natural units
    predicted = surrogate.predict_array(z[test])
    report: dict[str, Any] = {"n_samples": int(len(latents)), "n_audible": int(keep.sum()),
                              "n_voiced": int(voiced.sum()), "n_test": int(test.sum()),
                                                    "solver": "lbfgs", "hidden": list(HIDDEN),
                              "forward_iterations": int(forward_model.n_iter_),
                              "f0_iterations": None if f0_model is None
                              else int(f0_model.n_iter_),
                              "inverse_iterations": int(inverse_model.n_iter_), "heldout": {}}
    for i, n in enumerate(names):
        rows = voiced[test] if n == "f0_hz" else np.ones(int(test.sum()), bool)
        truth, guess = values[n][keep][test][rows], predicted[rows, i]
        entry = {"r2": round(float(1 - np.var(guess - truth) / max(np.var(truth), 1e-12)), 4)}
        if TRANSFORMS[n] == "identity":
            entry["median_abs_error"] = round(float(np.median(np.abs(guess - truth))), 4)
        else:
            entry["median_rel_error"] = round(float(np.median(np.abs(guess - truth)
                                                              / np.maximum(truth, 1e-9))), 4)
        report["heldout"][n] = entry
    back = inverse(y[test])
    spread = np.sqrt(np.mean(np.sum((z[test] - z[test].mean(0)) ** 2, axis=1)))
    report["inverse_rel_rmse"] = round(float(np.sqrt(np.mean(np.sum((back - z[test]) ** 2, 1)))
                                             / max(spread, 1e-12)), 4)
    return surrogate, report


def fit_descriptors(model_dir: Union[str, Path], n_samples: int = 16000, seed: int = 0,
                    heatmaps: bool = True, grid: int = 48, max_iter: int = 500,
                    command: str = "") -> dict[str, Any]:
    """Fit and store a checkpoint's descriptor surrogate and heatmaps (``synth-server
    fit-descriptors``).

    Args:
        model_dir: checkpoint directory (descriptors.json/.npz, heatmaps/ and heatmaps.json are
            (re)written there).
        n_samples: latent points rendered and described (half prior, half around the data).
        seed: sampling and net initialisation.
        heatmaps: also write the pad heatmaps (:mod:`synth_server.fit.heatmaps`).
        grid: heatmap resolution (grid x grid pad points per manifold).
        max_iter: L-BFGS iterations per net.
        command: producing command line, stored in descriptors.json.
    Returns:
        The report stored under "fit" in descriptors.json (held-out accuracy, ranges, seconds).
    Raises:
        CheckpointError: the directory does not load. ValueError: too few audible samples.
    """
    from threadpoolctl import threadpool_limits

    # one BLAS thread: the small matrix products of the fit run 30x slower with OpenBLAS threads
    # contending on a busy 2-core machine (measured), and barely faster on an idle one
    with threadpool_limits(1):
        return _fit_descriptors(model_dir, n_samples, seed, heatmaps, grid, max_iter, command)


def _fit_descriptors(model_dir: Union[str, Path], n_samples: int, seed: int, heatmaps: bool,
                     grid: int, max_iter: int, command: str) -> dict[str, Any]:
    started = time.perf_counter()
    # the surrogate and heatmaps are what this rewrites (they may be stale); the maps must hold
    checkpoint = load_checkpoint(model_dir, derived=False, maps=True)
    decoder = checkpoint.decoder()
    sr, n_fft = int(checkpoint.stft.sample_rate), int(checkpoint.stft.n_fft)
    latents = sample_latents(checkpoint.vae.latent_dim, n_samples,
                             load_anchors(model_dir, checkpoint.weights_sha256), seed)
    values = describe_latents(decoder, checkpoint.stft, latents)
    described = time.perf_counter()
    names = descriptor_names(checkpoint.stft)
    surrogate, report = fit_surrogate(latents, values, sr, n_fft, seed=seed, max_iter=max_iter,
                                      names=names)
    report["describe_seconds"] = round(described - started, 2)
    report["fit_seconds"] = round(time.perf_counter() - described, 2)
    report["ranges"] = {n: [round(v, 6) for v in surrogate.ranges[n]] for n in names}
    surrogate.meta = {"fit": report, "command": command, "seed": seed, "n_samples": n_samples,
                      "described_on": described_on(checkpoint.stft)}
    save_descriptors(model_dir, surrogate, checkpoint.weights_sha256)
    if heatmaps:
        from synth_server.fit.heatmaps import write_heatmaps

        t0 = time.perf_counter()
        index = write_heatmaps(checkpoint, model_dir, grid=grid)
        report["heatmap_seconds"] = round(time.perf_counter() - t0, 2)
        report["heatmaps"] = len(index["images"])
        surrogate.meta["fit"] = report
        save_descriptors(model_dir, surrogate, checkpoint.weights_sha256)
    report["total_seconds"] = round(time.perf_counter() - started, 2)
    return report

