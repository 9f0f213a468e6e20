"""Descriptor heatmaps over the pad of every manifold (PNG files in the checkpoint directory).

For each manifold ``m`` of the checkpoint (``checkpoint.manifolds[m].pad.to_latent``: pad
[0, 1]^2 → latent) a ``grid x grid`` lattice of pad points (cell centres) is decoded and every
descriptor of :mod:`synth_server.dsp.features` is measured on the decoded frames
(librosa). Two images per manifold and descriptor, in ``heatmaps/``:

* ``<m>_<descriptor>.png``: the map (matplotlib ``imshow``, ``origin="lower"``: pad (0, 0) is the
  bottom-left corner, x to the right, y up) with a slim colour bar and three ticks; ~200 x 200 px.
* ``<m>_<descriptor>_plain.png``: the map alone, exactly 200 x 200 px, no axes, no colour bar: a
  background for a Max ``pictslider`` / Pd canvas of the pad.

f0 is drawn only where the frame is voiced (grey elsewhere). Colours are linear between the
map's 1st and 99th percentile (``vmin`` / ``vmax`` in the index), viridis. The images are
palette PNGs (Pillow, 64 colours), 3-15 KB each.

``heatmaps.json`` (in the checkpoint directory) indexes them: per manifold and descriptor the two
paths (relative to the checkpoint directory), the unit, the colour range and the value range.
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Sequence, Union

import numpy as np

from synth_server.dsp.features import DESCRIPTIONS, NAMES, UNITS, describe

HEATMAP_DIR = "heatmaps"
HEATMAPS_JSON = "heatmaps.json"
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
        NaN where the frame is unvoiced; plus ``voiced`` [grid, grid] bool.
    """
    t = (np.arange(grid) + 0.5) / grid
    xx, yy = np.meshgrid(t, t)  # [y, x]
    xy = np.stack([xx.ravel(), yy.ravel()], axis=1)
    latents = checkpoint.manifolds[manifold].pad.to_latent(xy)
    mag = checkpoint.decoder().magnitude(np.asarray(latents, dtype=np.float32))
    values = describe(mag, int(checkpoint.stft.sample_rate), int(checkpoint.stft.n_fft))
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
                   names: Sequence[str] = NAMES) -> dict[str, Any]:
    """Write every manifold x descriptor heatmap pair and ``heatmaps.json``.

    Args:
        checkpoint: the loaded checkpoint of ``model_dir``.
        model_dir: checkpoint directory (``heatmaps/`` is created; stale PNGs of manifolds or
            descriptors no longer present are removed).
        grid: pad points per axis.
        names: descriptors to draw.
    Returns:
        The index written to heatmaps.json: {"grid", "image_px", "origin", "images": [{manifold,
        descriptor, unit, path, plain_path, vmin, vmax, min, max, voiced_fraction}]}.
    """
    from synth_server.artifacts.checkpoint import _write_atomic

    model_dir = Path(model_dir)
    folder = model_dir / HEATMAP_DIR
    folder.mkdir(exist_ok=True)
    written: set[str] = set()
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
                _write_atomic(folder / f"{stem}{suffix}.png", payload)
                written.add(f"{stem}{suffix}.png")
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
    for stale in folder.glob("*.png"):
        if stale.name not in written:
            stale.unlink()
    index = {"grid": grid, "image_px": IMAGE_PX, "colormap": CMAP,
             "origin": "lower: pad (0, 0) is the bottom-left pixel, x right, y up",
             "colour_scale": "linear from vmin (1st percentile) to vmax (99th percentile)",
             "images": images}
    _write_atomic(model_dir / HEATMAPS_JSON, json.dumps(index, indent=1).encode())
    return index


def load_heatmap_index(directory: Union[str, Path]) -> dict[tuple[str, str], str]:
    """{(manifold, descriptor): absolute path of the plain 200x200 PNG} from ``heatmaps.json``;
    {} without it. Only PNG files inside ``directory/heatmaps`` that exist are listed.

    Raises:
        ValueError: unreadable JSON or an entry that is not an object with string fields.
    """
    directory = Path(directory)
    path = directory / HEATMAPS_JSON
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        images = document["images"]
        out: dict[tuple[str, str], str] = {}
        root = (directory / "heatmaps").resolve()
        for entry in images:
            manifold, descriptor = str(entry["manifold"]), str(entry["descriptor"])
            image = (directory / str(entry.get("plain_path") or entry["path"])).resolve()
            if image.parent == root and image.suffix == ".png" and image.is_file():
                out[(manifold, descriptor)] = str(image)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"{HEATMAPS_JSON}: {str(exc).splitlines()[0][:120]}") from None
    return out
