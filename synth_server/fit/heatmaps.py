"""Descriptor heatmaps over the pad of every manifold (PNG files in the checkpoint directory).

For each manifold ``m`` of the checkpoint (``checkpoint.manifolds[m].pad.to_latent``: pad
[0, 1]^2 → latent) a ``grid x grid`` lattice of pad points (cell centres) is rendered through the
model's synthesis, each point held still (:func:`synth_server.model.synthesis.held_audio`), and
every descriptor of the model's family (:func:`synth_server.model.synthesis.descriptor_names`;
an hpn model plays its reference note, MIDI 60) is measured on that audio
(:func:`synth_server.dsp.describe.describe_audio`, librosa): the maps show what is heard, as the
descriptor surrogate is fitted on. Two images per manifold and descriptor, in ``heatmaps/``:

* ``<m>_<descriptor>.png``: the map (matplotlib ``imshow``, ``origin="lower"``: pad (0, 0) is the
  bottom-left corner, x to the right, y up) with a slim colour bar and three ticks; ~200 x 200 px.
* ``<m>_<descriptor>_plain.png``: the map alone, exactly 200 x 200 px, no axes, no colour bar: a
  background for a Max ``pictslider`` / Pd canvas of the pad.

f0 is drawn only where the sound is voiced (grey elsewhere). Colours are linear between the
map's 1st and 99th percentile (``vmin`` / ``vmax`` in the index), viridis. The images are
palette PNGs (Pillow, 64 colours), 3-15 KB each.

``heatmaps.json`` (in the checkpoint directory) indexes them: per manifold and descriptor the two
paths (relative to the checkpoint directory), the unit, the colour range and the value range.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from synth_server.artifacts.descriptors import save_heatmaps
from synth_server.artifacts.layout import HEATMAP_DIR
from synth_server.dsp.describe import describe_audio
from synth_server.dsp.features import DESCRIPTIONS, UNITS
from synth_server.model.synthesis import descriptor_names, held_audio

IMAGE_PX = 200
PALETTE_COLOURS = 64
CMAP = "viridis"
NAN_COLOUR = (0.5, 0.5, 0.5, 1.0)


def pad_values(checkpoint: Any, manifold: str, grid: int = 48) -> dict[str, np.ndarray]:
    """Every descriptor over the pad of one manifold.

    Args:
        checkpoint: a loaded Checkpoint. manifold: a key of ``checkpoint.manifolds``.
        grid: points per pad axis (cell centres ``(i + 0.5) / grid``).
    Returns:
        name → [grid (y), grid (x)] float64 in natural units (row 0 = pad y near 0); f0_hz is
        NaN where the sound is unvoiced; plus ``voiced`` [grid, grid] bool.
    """
    t = (np.arange(grid) + 0.5) / grid
    xx, yy = np.meshgrid(t, t)  # [y, x]
    xy = np.stack([xx.ravel(), yy.ravel()], axis=1)
    latents = checkpoint.manifolds[manifold].pad.to_latent(xy)
    stft = checkpoint.stft
    audio = held_audio(checkpoint.decoder(), stft, np.asarray(latents, dtype=np.float64))
    values = describe_audio(audio, int(stft.sample_rate), int(stft.n_fft), int(stft.hop_length))
    out = {k: np.asarray(v).reshape(grid, grid) for k, v in values.items()}
    out["f0_hz"] = np.where(out["voiced"], out["f0_hz"], np.nan)
    return out


def _png(figure: Any) -> bytes:
    """Figure → palette PNG bytes (Pillow, adaptive palette)."""
    from PIL import Image

    raw = io.BytesIO()
    figure.savefig(raw, format="png", dpi=100)
    raw.seek(0)
    image = Image.open(raw).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT).save(
        out, format="PNG", optimize=True)
    return out.getvalue()


def _fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k"
    if magnitude >= 10:
        return f"{value:.0f}"
    if magnitude >= 0.1:
        return f"{value:.2f}"
    return f"{value:.1e}"


def render_pair(values: np.ndarray, title: str, vmin: float, vmax: float) -> tuple[bytes, bytes]:
    """(PNG with colour bar, plain PNG) of one map [grid_y, grid_x] (origin lower)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    cmap = plt.get_cmap(CMAP).with_extremes(bad=NAN_COLOUR)
    size = IMAGE_PX / 100.0
    plain = Figure(figsize=(size, size))
    ax = plain.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.imshow(values, origin="lower", extent=(0, 1, 0, 1), cmap=cmap, vmin=vmin, vmax=vmax,
              interpolation="bilinear", aspect="auto")
    ax.set_axis_off()
    plain_png = _png(plain)
    figure = Figure(figsize=(size, size))
    ax = figure.add_axes((0.02, 0.02, 0.72, 0.86))
    image = ax.imshow(values, origin="lower", extent=(0, 1, 0, 1), cmap=cmap, vmin=vmin,
                      vmax=vmax, interpolation="bilinear", aspect="auto")
    ax.set_axis_off()
    ax.set_title(title, fontsize=6.5, pad=2)
    cax = figure.add_axes((0.77, 0.06, 0.05, 0.78))
    ticks = [vmin, 0.5 * (vmin + vmax), vmax]
    bar = figure.colorbar(image, cax=cax, ticks=ticks)
    bar.ax.set_yticklabels([_fmt(v) for v in ticks])
    bar.ax.tick_params(labelsize=5.5, length=2, pad=1)
    bar.outline.set_linewidth(0.4)
    return _png(figure), plain_png


def write_heatmaps(checkpoint: Any, model_dir: Union[str, Path], grid: int = 48,
                   names: Optional[Sequence[str]] = None) -> dict[str, Any]:
    """Write every manifold x descriptor heatmap pair and ``heatmaps.json``.

    Args:
        checkpoint: the loaded checkpoint of ``model_dir`` (its maps and weights hash are used).
        model_dir: checkpoint directory (``heatmaps/`` is rewritten as a whole by
            :func:`synth_server.artifacts.descriptors.save_heatmaps`).
        grid: pad points per axis.
        names: descriptors to draw (default: those the model's family is described by,
            :func:`~synth_server.model.synthesis.descriptor_names`: an hpn model's maps are of
            its reference note, without f0_hz and loudness_db).
    Returns:
        The index written to heatmaps.json: {"grid", "image_px", "origin", "images": [{manifold,
        descriptor, unit, path, plain_path, vmin, vmax, min, max, voiced_fraction}]}.
    """
    model_dir = Path(model_dir)
    if names is None:
        names = descriptor_names(checkpoint.stft)
    written: dict[str, bytes] = {}
    images = []
    for manifold in checkpoint.manifolds:
        values = pad_values(checkpoint, manifold, grid)
        for name in names:
            data = values[name]
            finite = data[np.isfinite(data)]
            if finite.size:
                vmin, vmax = (float(v) for v in np.percentile(finite, [1.0, 99.0]))
                low, high = float(finite.min()), float(finite.max())
            else:
                vmin, vmax, low, high = 0.0, 1.0, float("nan"), float("nan")
            if not vmax > vmin:
                vmax = vmin + max(abs(vmin) * 1e-3, 1e-9)
            title = f"{manifold} · {name} ({UNITS[name]})"
            bar_png, plain_png = render_pair(data, title, vmin, vmax)
            stem = f"{manifold}_{name}"
            for suffix, payload in (("", bar_png), ("_plain", plain_png)):
                written[f"{stem}{suffix}.png"] = payload
            images.append({
                "manifold": manifold, "descriptor": name, "unit": UNITS[name],
                "description": DESCRIPTIONS[name],
                "path": f"{HEATMAP_DIR}/{stem}.png",
                "plain_path": f"{HEATMAP_DIR}/{stem}_plain.png",
                "vmin": round(vmin, 6), "vmax": round(vmax, 6),
                "min": None if not np.isfinite(low) else round(low, 6),
                "max": None if not np.isfinite(high) else round(high, 6),
                "voiced_fraction": round(float(values["voiced"].mean()), 4),
            })
    index = {"grid": grid, "image_px": IMAGE_PX, "colormap": CMAP,
             "origin": "lower: pad (0, 0) is the bottom-left pixel, x right, y up",
             "colour_scale": "linear from vmin (1st percentile) to vmax (99th percentile)",
             "images": images}
    save_heatmaps(model_dir, written, index, checkpoint.weights_sha256)
    return index


