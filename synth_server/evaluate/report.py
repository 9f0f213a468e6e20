"""Evaluate a trained checkpoint against a PCA autoencoder of the same latent size
(``synth-server evaluate --model DIR``).

What is measured (all on files the model never trained on):

* **Reconstruction**: each held-out file's frames are encoded (posterior means), decoded, turned
  back into linear STFT magnitudes and resynthesised with ``librosa.griffinlim`` (32 iterations,
  momentum 0.99, the same seed for every system:
  :func:`synth_server.dsp.stft.griffin_lim`);
  the multi-resolution STFT distance (:func:`synth_server.dsp.metrics.mrstft_distance`,
  Yamamoto et al. 2020) to the original audio is averaged over files. The same is done for the
  PCA baseline and for the original magnitudes themselves ("oracle": what Griffin-Lim alone
  costs). Frames below the training threshold (``min_frame_db``) are resynthesised as silence by
  every system.
* **Pitch**: ``librosa.pyin`` (Mauch & Dixon 2014) on the original and each resynthesis, 16 kHz,
  2-cent resolution, searched +-7 semitones around the file's labelled f0 (``factors.csv`` /
  ``labels.csv``); error = median over frames voiced in both of ``|1200 log2(f_hat / f_ref)|``
  cents.
* **Latent statistics**: KL(q(z|x) || N(0, I)) per dimension on training and held-out frames,
  active units (Burda et al. 2015), and the Mutual Information Gap (MIG; Chen, Li, Grosse &
  Duvenaud 2018, "Isolating Sources of Disentanglement in VAEs", eq. 7) against the dataset's
  labelled factors, estimated as in Locatello et al. 2019 (disentanglement_lib): latents
  discretised into 20 equal-width bins, ``sklearn.metrics.mutual_info_score``.
* **Baseline**: ``sklearn.decomposition.PCA(n_components=latent_dim)`` fitted on the same
  normalised training frames (the model's own normalisation and the training split of
  :func:`synth_server.train.loop.train_model`, reproduced from the seed).
* **Manifolds** (from ``manifolds.json``): each navigation method's quality figures and a
  picture of the pad (its anchors' plane positions, coloured by a label).

Everything is written to ``<model>/report/``: ``report.md``, ``metrics.json`` and small PNGs
(matplotlib Agg, 80 dpi). This module runs the evaluation and writes the files; the measures are
in :mod:`.measures`, the figures in :mod:`.figures`, the Markdown text in :mod:`.markdown`.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

import numpy as np

from synth_server.artifacts.layout import REPORT_DIR
from synth_server.core.files import write_atomic
# the measures, figures and Markdown text live in their own modules; their names stay importable
# from here (synth_server.evaluate.report.mutual_information_gap ...)
from synth_server.evaluate.figures import DPI, kl_figure, scatter_grid, spectrogram_figure
from synth_server.evaluate.markdown import render_report
from synth_server.evaluate.measures import (MIG_BINS, PITCH_RANGE_SEMITONES,
                                            PITCH_RESOLUTION, PITCH_SAMPLE_RATE, cents_error,
                                            discretise, factor_names, frames_to_audio,
                                            histogram_discretise, mutual_information_gap,
                                            pitch_track)

__all__ = ["DPI", "MIG_BINS", "PITCH_BAR_CENTS", "PITCH_RANGE_SEMITONES", "PITCH_RESOLUTION",
           "PITCH_SAMPLE_RATE", "cents_error", "discretise", "evaluate_model", "factor_names",
           "file_labels", "frames_to_audio", "histogram_discretise", "kl_figure",
           "mutual_information_gap", "pitch_track", "render_report", "resolve_dataset",
           "scatter_grid", "spectrogram_figure"]

log = logging.getLogger(__name__)

PITCH_BAR_CENTS = 10.0


# -- data ------------------------------------------------------------------------------------

def resolve_dataset(path: str | Path, model_dir: Path) -> Path:
    """The training folder named in config.json: as given, or relative to the repository that
    holds ``model_dir`` (``models/NAME`` -> ``../..``).

    Raises:
        FileNotFoundError: found nowhere.
    """
    candidates = [Path(path)]
    if not Path(path).is_absolute():
        candidates += [model_dir.resolve().parent.parent / path, model_dir.resolve().parent / path]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"training data {path} not found (give --data DIR)")


def file_labels(folder: Path) -> tuple[dict[Path, dict[str, Any]], str]:
    """Labels of the audio files under ``folder`` (:func:`synth_server.data.labels.read_labels`);
    a malformed label file is logged and ignored (the report then has no factors).

    Returns:
        ({resolved path: row}, kind) with kind "toy", "soundfont" or "none" (then ``{}``).
    """
    from synth_server.data.labels import read_labels

    try:
        return read_labels(folder)
    except (ValueError, OSError) as exc:
        log.warning("ignoring the labels of %s: %s", folder, exc)
        return {}, "none"


# -- the evaluation ---------------------------------------------------------------------------

def evaluate_model(model_dir: str | Path, data_dir: Optional[str | Path] = None,
                   heldout_dir: Optional[str | Path] = None, out_dir: Optional[str | Path] = None,
                   *, validation_fraction: float = 0.1, n_iter: int = 32,
                   max_heldout_files: int = 48, max_pitch_files: int = 24,
                   max_frames: int = 20000, seed: int = 0, figures: bool = True,
                   command: str = "") -> dict[str, Any]:
    """Evaluate a checkpoint and write ``report.md``, ``metrics.json`` and PNGs.

    Args:
        model_dir: checkpoint directory.
        data_dir: training folder (default: config.json's "dataset"): the PCA baseline is fitted
            on its training split, MIG and the latent scatters use its frames.
        heldout_dir: folder of held-out audio (e.g. a SoundFont set's ``heldout/``); default:
            the files the training loop held out of ``data_dir`` (reproduced from the seed).
        out_dir: where the report goes (default ``<model_dir>/report``).
        validation_fraction: the training loop's held-out file fraction (``train_model``'s 0.1).
        n_iter: Griffin-Lim iterations of every resynthesis.
        max_heldout_files: at most this many held-out files are resynthesised (seeded subset).
        max_pitch_files: at most this many of them are pitch-tracked.
        max_frames: frames (seeded subset) for MIG and the scatters.
        seed: seed of the subsets and of Griffin-Lim's initial phase.
        figures: write the PNGs.
        command: the producing command line (written into the report).
    Returns:
        The numbers (also in ``metrics.json``): "mrstft" {vae, pca, oracle, vae_wins},
        "pitch_cents" {vae, pca, oracle, n_frames} (None without f0 labels), "kl_per_dim"
        {train, heldout} (nats), "active_units", "mig" {vae, pca, per_factor_vae,
        per_factor_pca}, "pca_explained_variance", "manifolds" (quality by method), "bars".
    Raises:
        CheckpointError: the model does not load.
        FileNotFoundError: no training data, or no held-out files.
    """
    import torch
    from sklearn.decomposition import PCA

    from synth_server.artifacts.descriptors import load_anchors
    from synth_server.artifacts.navigation import load_manifolds
    from synth_server.data.frames import audio_files, heldout_split, load_frames, load_mono
    from synth_server.model.vae import FrameVAE, encode_posterior
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.nav.maps import anchor_plane
    from synth_server.dsp.filterbank import log_features_from_log_magnitude
    from synth_server.dsp.metrics import mrstft_distance
    from synth_server.dsp.stft import stft_magnitude, to_log
    from synth_server.train.regularisers import active_units, kl_divergence

    started = time.perf_counter()
    model_dir = Path(model_dir)
    checkpoint = load_checkpoint(model_dir)
    stft = checkpoint.stft
    latent_dim = checkpoint.vae.latent_dim
    train_meta = checkpoint.meta.get("train", {}) if isinstance(checkpoint.meta.get("train"),
                                                                dict) else {}
    train_seed = int(train_meta.get("seed", 0))
    min_db = float(train_meta.get("min_frame_db", -60.0))
    if data_dir is None:
        if not checkpoint.meta.get("dataset"):
            raise FileNotFoundError(f"{model_dir}: config.json names no dataset (give --data DIR)")
        data_dir = resolve_dataset(checkpoint.meta["dataset"], model_dir)
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: not a directory")
    out = Path(out_dir) if out_dir is not None else model_dir / REPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    model = FrameVAE.from_arrays(checkpoint.vae, checkpoint.arrays)
    rng = np.random.default_rng(seed)

    # training frames, split as the training loop split them
    log_frames, owners, files = load_frames(data_dir, stft, min_db)
    features = log_features_from_log_magnitude(log_frames, stft)
    del log_frames
    split = checkpoint.meta.get("split")
    if isinstance(split, dict) and isinstance(split.get("heldout_files"), list):
        names = set(map(str, split["heldout_files"]))
        held = {i for i, f in enumerate(files) if Path(f).name in names}
    else:  # checkpoints trained before the split was stored
        held = heldout_split(len(files), train_seed, validation_fraction)
    is_val = np.isin(owners, list(held))
    with torch.inference_mode():
        x_all = model.normalise(torch.from_numpy(features))
    mu_t, logvar_t = encode_posterior(model, x_all)
    x_np = x_all.numpy()
    mu_np = mu_t.numpy().astype(np.float64)
    train_mask = ~is_val
    pca = PCA(n_components=min(latent_dim, x_np.shape[1]), svd_solver="randomized",
              random_state=seed).fit(x_np[train_mask])

    # held-out files
    if heldout_dir is not None:
        heldout_files = audio_files(heldout_dir)
        heldout_source = f"{heldout_dir} (all files)"
    else:
        heldout_files = [files[i] for i in sorted(held)]
        heldout_source = (f"{len(heldout_files)} of the {len(files)} files of {data_dir} that "
                          f"training held out (seed {train_seed}, fraction {validation_fraction})")
    if not heldout_files:
        raise FileNotFoundError(f"{data_dir}: no held-out files (fewer than 5 files; give "
                                "--heldout DIR)")
    if len(heldout_files) > max_heldout_files:
        pick = np.sort(rng.choice(len(heldout_files), max_heldout_files, replace=False))
        heldout_files = [heldout_files[i] for i in pick]
    labels, label_kind = file_labels(data_dir)
    if heldout_dir is not None:
        extra, kind = file_labels(Path(heldout_dir))
        labels.update(extra)
        label_kind = label_kind if label_kind != "none" else kind

    threshold = 10.0 ** (min_db / 20.0)
    systems = ("vae", "pca", "oracle")
    mr: dict[str, list[float]] = {s: [] for s in systems}
    cents: dict[str, list[np.ndarray]] = {s: [] for s in systems}
    heldout_mu, heldout_logvar = [], []
    pitch_budget = max_pitch_files
    example: Optional[dict[str, np.ndarray]] = None
    example_name = ""
    per_file = []
    for path in heldout_files:
        y = load_mono(path, stft.sample_rate)
        mag = stft_magnitude(y, stft)
        keep = mag.max(axis=1) >= threshold
        if not keep.any():
            continue
        feats = log_features_from_log_magnitude(to_log(mag[keep], stft), stft)
        with torch.inference_mode():
            xn = model.normalise(torch.from_numpy(feats))
            mu, logvar = model.encode(xn)
            vae_log = model.denormalise(model.decode(mu)).numpy()
        heldout_mu.append(mu)
        heldout_logvar.append(logvar)
        pca_norm = pca.inverse_transform(pca.transform(xn.numpy())).astype(np.float32)
        pca_log = pca_norm * model.scale.numpy() + model.bin_mean.numpy()
        audio = {
            "vae": frames_to_audio(vae_log, keep, len(mag), len(y), stft, n_iter, seed),
            "pca": frames_to_audio(pca_log, keep, len(mag), len(y), stft, n_iter, seed),
            "oracle": frames_to_audio(to_log(mag[keep], stft), keep, len(mag), len(y),
                                      replace(stft, representation="stft"), n_iter, seed),
        }
        row = {"file": path.name}
        for s in systems:
            row[f"mrstft_{s}"] = mrstft_distance(y, audio[s], stft.sample_rate)
            mr[s].append(row[f"mrstft_{s}"])
        label = labels.get(path.resolve())
        f0 = float(label["f0_hz"]) if label is not None and "f0_hz" in label else None
        if f0 is not None and f0 > 0 and pitch_budget > 0:
            pitch_budget -= 1
            ref = pitch_track(y, stft.sample_rate, f0)
            for s in systems:
                err = cents_error(ref, pitch_track(audio[s], stft.sample_rate, f0))
                cents[s].append(err)
                row[f"cents_{s}"] = float(np.median(err)) if len(err) else float("nan")
        per_file.append(row)
        if example is None:
            example_name = path.name
            example = {"original": mag}
            for s in ("vae", "pca"):
                example[s] = stft_magnitude(audio[s], stft)
    if not per_file:
        raise FileNotFoundError("no held-out file has a frame above the training threshold")

    # latent statistics
    with torch.inference_mode():
        kl_train = kl_divergence(mu_t[torch.from_numpy(train_mask)],
                                 logvar_t[torch.from_numpy(train_mask)]).numpy()
        mu_h, logvar_h = torch.cat(heldout_mu), torch.cat(heldout_logvar)
        kl_held = kl_divergence(mu_h, logvar_h).numpy()
        n_active, latent_var = active_units(mu_t[torch.from_numpy(train_mask)])

    # factors of every frame of the training folder
    rows_by_owner = [labels.get(Path(f).resolve()) for f in files]
    labelled = [r for r in rows_by_owner if r is not None]
    names = factor_names(labelled, label_kind) if len(labelled) == len(files) else []
    subset = np.arange(len(mu_np)) if len(mu_np) <= max_frames else \
        np.sort(rng.choice(len(mu_np), max_frames, replace=False))
    frame_factors = {name: np.array([float(rows_by_owner[o][name]) for o in owners[subset]])
                     for name in names}
    codes = {name: discretise(v) for name, v in frame_factors.items()}
    pca_codes_all = pca.transform(x_np[subset])
    mig_vae = mutual_information_gap(mu_np[subset], codes)
    mig_pca = mutual_information_gap(pca_codes_all, codes)

    def pooled(s: str) -> Optional[float]:
        if not cents[s]:
            return None
        err = np.concatenate(cents[s])
        return float(np.median(err)) if len(err) else float("nan")

    n_pitch_frames = int(sum(len(e) for e in cents["vae"]))
    results: dict[str, Any] = {
        "model": str(model_dir),
        "weights_sha256": checkpoint.weights_sha256,
        "data": str(data_dir),
        "heldout": {"source": heldout_source, "n_files": len(per_file),
                    "n_frames": int(len(mu_h)), "labels": label_kind},
        "phase_reconstruction": f"librosa.griffinlim, {n_iter} iterations, momentum 0.99, "
                                f"seed {seed}",
        "mrstft": {s: float(np.mean(mr[s])) for s in systems},
        "pitch_cents": None if not cents["vae"] else
        {**{s: pooled(s) for s in systems}, "n_files": len(cents["vae"]),
         "n_frames": n_pitch_frames},
        "kl_per_dim": {"train": [float(v) for v in kl_train],
                       "heldout": [float(v) for v in kl_held]},
        "kl_total": {"train": float(kl_train.sum()), "heldout": float(kl_held.sum())},
        "active_units": int(n_active),
        "latent_variance": [float(v) for v in latent_var],
        "mig": {"vae": mig_vae["mig"], "pca": mig_pca["mig"],
                "per_factor_vae": mig_vae["per_factor"], "per_factor_pca": mig_pca["per_factor"],
                "best_dim_vae": mig_vae["best_dim"], "factors": names,
                "n_frames": int(len(subset))},
        "pca_explained_variance": [float(v) for v in pca.explained_variance_ratio_],
        "per_file": per_file,
    }
    results["mrstft"]["vae_wins"] = int(sum(a < b for a, b in zip(mr["vae"], mr["pca"])))

    # quality bars
    bars: dict[str, Any] = {}
    if label_kind == "toy" and results["pitch_cents"] is not None:
        value = results["pitch_cents"]["vae"]
        bars["toy_pitch_median_cents_le_10"] = {
            "value": value, "met": bool(value is not None and value <= PITCH_BAR_CENTS)}
    else:
        bars["toy_pitch_median_cents_le_10"] = {"value": None, "met": None,
                                                "why": "held-out set is not a labelled toy set"}
    soundfont_heldout = label_kind == "soundfont" and heldout_dir is not None
    bars["soundfont_vae_mrstft_below_pca"] = {
        "vae": results["mrstft"]["vae"], "pca": results["mrstft"]["pca"],
        "met": bool(results["mrstft"]["vae"] < results["mrstft"]["pca"]) if soundfont_heldout
        else None}
    if not soundfont_heldout:
        bars["soundfont_vae_mrstft_below_pca"]["why"] = \
            "held-out set is not a SoundFont set's held-out programs (--heldout OUT/heldout)"
    results["bars"] = bars

    # manifolds
    manifold_quality: dict[str, Any] = {}
    manifold_pngs: dict[str, str] = {}
    try:
        maps, document = load_manifolds(model_dir, latent_dim, checkpoint.manifold,
                                        checkpoint.weights_sha256)
    except ValueError as exc:
        maps, document = {}, {}
        log.warning("manifolds: %s", exc)
    if isinstance(document.get("quality"), dict):
        manifold_quality = document["quality"]
    results["manifolds"] = manifold_quality
    anchors = load_anchors(model_dir, checkpoint.weights_sha256)

    # figures
    pngs: dict[str, str] = {}
    if figures:
        scatter_idx = subset if len(subset) <= 4000 else \
            np.sort(rng.choice(subset, 4000, replace=False))
        colours = {n: np.array([float(rows_by_owner[o][n]) for o in owners[scatter_idx]])
                   for n in names}
        plane = checkpoint.manifold.to_plane(mu_np[scatter_idx])
        scatter_grid(out / "latent_scatter.png", plane, colours,
                     f"VAE encoder means on the PCA pad plane ({len(scatter_idx)} frames)",
                     "pad x", "pad y")
        pngs["latent_scatter"] = "latent_scatter.png"
        pca_xy = pca.transform(x_np[scatter_idx])[:, :2]
        if pca_xy.shape[1] == 1:
            pca_xy = np.column_stack([pca_xy[:, 0], np.zeros(len(pca_xy))])
        scatter_grid(out / "pca_latent_scatter.png", pca_xy, colours,
                     "PCA baseline codes, components 1-2", "PC 1", "PC 2")
        pngs["pca_latent_scatter"] = "pca_latent_scatter.png"
        kl_figure(out / "kl_per_dim.png", kl_train, kl_held, pca.explained_variance_ratio_)
        pngs["kl_per_dim"] = "kl_per_dim.png"
        if example is not None:
            spectrogram_figure(out / "reconstruction.png", example, stft,
                               f"held-out {example_name}: original / VAE / PCA (Griffin-Lim)")
            pngs["reconstruction"] = "reconstruction.png"
        if anchors is not None and maps:
            from sklearn.neighbors import NearestNeighbors

            nn = NearestNeighbors(n_neighbors=1).fit(mu_np)
            dist, idx = nn.kneighbors(anchors)
            anchor_owner = owners[idx[:, 0]]
            shown = names[:4]
            anchor_colours = {n: np.array([float(rows_by_owner[o][n]) for o in anchor_owner])
                              for n in shown}
            spread = float(np.sqrt(np.mean(np.sum((mu_np - mu_np.mean(0)) ** 2, 1))))
            results["manifold_anchor_match"] = float(np.median(dist[:, 0]) / max(spread, 1e-12))
            for name, mm in maps.items():
                try:
                    xy = anchor_plane(mm.pad, anchors)
                except Exception as exc:  # noqa: BLE001 - one bad map must not stop the report
                    log.warning("manifold %s: %s", name, exc)
                    continue
                file_name = f"manifold_{name}.png"
                scatter_grid(out / file_name, xy, anchor_colours,
                             f"{name} pad: {len(anchors)} anchors", "pad x", "pad y")
                manifold_pngs[name] = file_name
    results["figures"] = {**pngs, **{f"manifold_{k}": v for k, v in manifold_pngs.items()}}
    results["seconds"] = round(time.perf_counter() - started, 1)

    write_atomic(out / "metrics.json",
                 (json.dumps(results, indent=1, default=float) + "\n").encode("utf-8"))
    write_atomic(out / "report.md", render_report(results, checkpoint, command, manifold_pngs,
                                                  pngs).encode("utf-8"))
    return results
