"""The Markdown text of ``<model>/report/report.md``, from the results of
:func:`synth_server.evaluate.report.evaluate_model`."""
from __future__ import annotations

from typing import Any

import numpy as np

from synth_server.evaluate.measures import MIG_BINS


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if not np.isfinite(value) else f"{value:.{digits}f}"
    return str(value)


def render_report(r: dict[str, Any], checkpoint: Any, command: str,
                  manifold_pngs: dict[str, str], pngs: dict[str, str]) -> str:
    """The Markdown report of :func:`evaluate_model`'s results."""
    lines = [f"# Evaluation of `{checkpoint.name}`", ""]
    lines += [f"Produced by `{command or 'synth_server.evaluate.report.evaluate_model'}` "
              f"({r['seconds']} s). Weights sha256 `{r['weights_sha256'][:16]}`; training data "
              f"`{r['data']}`; held-out: {r['heldout']['source']} "
              f"({r['heldout']['n_files']} files, {r['heldout']['n_frames']} frames).", ""]
    lines += ["Baseline: a PCA autoencoder (sklearn PCA, "
              f"{checkpoint.vae.latent_dim} components = the VAE's latent_dim) fitted on the same "
              "normalised training frames. Every resynthesis (VAE, PCA, and the original "
              f"magnitudes as 'oracle') uses {r['phase_reconstruction']}.", ""]
    lines += ["## Quality bars", "", "| bar | measured | met |", "|---|---|---|"]
    def verdict(bar: dict[str, Any]) -> str:
        if bar["met"] is None:
            return "not measured: " + bar.get("why", "")
        return "yes" if bar["met"] else "no"

    b = r["bars"]["toy_pitch_median_cents_le_10"]
    lines.append(f"| pitch error of decoded held-out toy tones, median <= 10 cents | "
                 f"{_fmt(b['value'], 1)} cents | {verdict(b)} |")
    b = r["bars"]["soundfont_vae_mrstft_below_pca"]
    lines.append(f"| held-out SoundFont programs: VAE MR-STFT < PCA MR-STFT | VAE {_fmt(b['vae'])}"
                 f" / PCA {_fmt(b['pca'])} | {verdict(b)} |")
    lines += ["", "## Reconstruction (held-out)", "",
              "Multi-resolution STFT distance (Yamamoto et al. 2020; FFT 512-4096, spectral "
              "convergence + log-magnitude L1, lower is better), mean over held-out files.", "",
              "| system | MR-STFT | pitch error, median cents |", "|---|---|---|"]
    pc = r["pitch_cents"]
    for s, label in (("vae", "VAE (posterior mean)"), ("pca", "PCA autoencoder"),
                     ("oracle", "oracle (original magnitudes)")):
        lines.append(f"| {label} | {_fmt(r['mrstft'][s])} | "
                     f"{_fmt(pc[s], 1) if pc else '-'} |")
    lines += ["", f"The VAE is closer than PCA on {r['mrstft']['vae_wins']} of "
              f"{r['heldout']['n_files']} held-out files."]
    if pc:
        lines += [f"Pitch: librosa.pyin at 16 kHz, 2-cent bins, +-7 semitones around each file's "
                  f"labelled f0, on {pc['n_files']} files; error over the {pc['n_frames']} frames "
                  "voiced in both the original and the resynthesis."]
    else:
        lines += ["Pitch: not measured (no f0 labels for the held-out files)."]
    if "reconstruction" in pngs:
        lines += ["", f"![spectrograms]({pngs['reconstruction']})"]
    lines += ["", "## Latent space", "",
              f"Active units (variance of the posterior mean > 0.01, Burda et al. 2015): "
              f"{r['active_units']} of {checkpoint.vae.latent_dim}. KL(q(z|x) || N(0, I)) per "
              "dimension (nats, mean over frames):", "",
              "| dim | KL train | KL held-out | var(mean) | PCA var. ratio |",
              "|---|---|---|---|---|"]
    pv = r["pca_explained_variance"]
    for j, (kt, kh) in enumerate(zip(r["kl_per_dim"]["train"], r["kl_per_dim"]["heldout"])):
        lines.append(f"| {j} | {kt:.3f} | {kh:.3f} | {r['latent_variance'][j]:.3f} | "
                     f"{_fmt(pv[j]) if j < len(pv) else '-'} |")
    lines.append(f"| sum | {r['kl_total']['train']:.3f} | {r['kl_total']['heldout']:.3f} | | "
                 f"{sum(pv):.3f} |")
    if "kl_per_dim" in pngs:
        lines += ["", f"![KL per dimension]({pngs['kl_per_dim']})"]
    m = r["mig"]
    lines += ["", "### Disentanglement (MIG)", ""]
    if m["factors"]:
        lines += [f"Mutual Information Gap (Chen et al. 2018) against the labelled factors, "
                  f"{m['n_frames']} frames of the training folder, latents in {MIG_BINS} "
                  "equal-width bins (Locatello et al. 2019's estimator; 0 = no single latent "
                  "captures a factor alone, 1 = perfectly axis-aligned).", "",
                  "| factor | MIG VAE | best VAE dim | MIG PCA |", "|---|---|---|---|"]
        for name in m["factors"]:
            lines.append(f"| {name} | {_fmt(m['per_factor_vae'].get(name))} | "
                         f"{m['best_dim_vae'].get(name, '-')} | "
                         f"{_fmt(m['per_factor_pca'].get(name))} |")
        lines.append(f"| **mean (MIG)** | **{_fmt(m['vae'])}** | | **{_fmt(m['pca'])}** |")
    else:
        lines += ["Not measured: the training folder has no factors.csv / labels.csv."]
    for key, title in (("latent_scatter", "VAE latent scatter"),
                       ("pca_latent_scatter", "PCA baseline scatter")):
        if key in pngs:
            lines += ["", f"![{title}]({pngs[key]})"]
    lines += ["", "## Manifolds", ""]
    q = r.get("manifolds") or {}
    if not q:
        lines += ["No quality figures: the checkpoint has no manifolds.json (run "
                  "`synth-server fit-manifolds`)."]
    else:
        lines += ["From manifolds.json (`synth-server fit-manifolds`). Pad (2-D): trustworthiness "
                  "of the plane the pad plays and of the method's raw embedding (sklearn, 1 = "
                  "plane neighbours are latent neighbours), inverse error (RMS of "
                  "to_latent(plane(z)) - z over the latents' spread; 0 = exact), smoothness "
                  "(median over straight pad lines of max / median step of the decoded spectral "
                  "centroid; 1 = even, large = jumps). Sliders: the k-D map.", "",
                  "| method | trust. | embedding trust. | inverse error | smoothness | sliders "
                  "trust. | sliders inverse error | fit s |", "|---|---|---|---|---|---|---|---|"]
        for name, entry in q.items():
            if not isinstance(entry, dict):
                continue
            if "error" in entry:
                lines.append(f"| {name} | failed: {entry['error']} | | | | | | |")
                continue
            pad, sl = entry.get("pad", {}), entry.get("sliders", {})
            lines.append(f"| {name} | {_fmt(pad.get('trustworthiness'))} | "
                         f"{_fmt(pad.get('embedding_trustworthiness'))} | "
                         f"{_fmt(pad.get('inverse_error'))} | {_fmt(pad.get('smoothness'), 2)} | "
                         f"{_fmt(sl.get('trustworthiness'))} | {_fmt(sl.get('inverse_error'))} | "
                         f"{_fmt(entry.get('fit_seconds'), 2)} |")
        if manifold_pngs:
            lines += ["", "Pads: each anchor latent at its plane position, coloured by the label "
                      "of the training frame it was encoded from (nearest encoder mean; median "
                      f"distance {_fmt(r.get('manifold_anchor_match'), 4)} of the latents' "
                      "spread).", ""]
            lines += [f"![{name} pad]({png})" for name, png in manifold_pngs.items()]
    lines += ["", "## Held-out files", "",
              "| file | MR-STFT VAE | PCA | oracle | cents VAE | PCA |",
              "|---|---|---|---|---|---|"]
    for row in r["per_file"]:
        lines.append(f"| {row['file']} | {row['mrstft_vae']:.3f} | {row['mrstft_pca']:.3f} | "
                     f"{row['mrstft_oracle']:.3f} | {_fmt(row.get('cents_vae'), 1)} | "
                     f"{_fmt(row.get('cents_pca'), 1)} |")
    return "\n".join(lines) + "\n"
