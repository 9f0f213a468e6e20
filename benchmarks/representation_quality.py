"""Round-trip quality and decode cost of each representation (issue 5, ATIAM exercise 4).

    python benchmarks/representation_quality.py [--seconds 1.0] [--iterations 32]

For every test signal of ``benchmarks/phase_quality.py`` (harmonic tones, a glide, harmonic +
noise, a pluck; numpy, 48 kHz, -18 dBFS RMS) and every representation (``stft``, ``mel`` 128
bands, ``logfreq`` 24 bands per octave), the normalised STFT magnitude goes into the
representation and back through the inverse the live decoder uses
(``representation.filterbank.magnitude_from_bands``), then to audio by Griffin-Lim (librosa,
32 iterations). Reported: the spectral convergence of the round-tripped magnitudes (phase-free:
what the representation itself loses) and the MR-STFT distance of the audio to the original
(``representation.metrics.mrstft_distance``; includes Griffin-Lim's own phase error, which the
``stft`` row isolates).

Decode cost: ``NumpyDecoder.magnitude`` for one frame (the live path: latent_dim 8, hidden
512/256, random weights) per representation, median of 3000 calls, one BLAS thread.

Prints one JSON object per (signal, representation), one per representation with the decode cost,
and a summary line with the means. ``--plot FILE.png`` draws one frame of the 220 Hz + noise
signal before and after each representation's round trip.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from phase_quality import test_signals  # noqa: E402

from synth_server.core.config import SPECTRAL_REPRESENTATIONS, StftConfig, VaeConfig  # noqa: E402
from synth_server.dsp.filterbank import band_synthesis, n_features, round_trip_quality  # noqa: E402


def decode_microseconds(stft: StftConfig, calls: int = 3000) -> float:
    """Median µs of one ``NumpyDecoder.magnitude`` call on one latent vector for ``stft``."""
    import torch
    from threadpoolctl import threadpool_limits

    from synth_server.artifacts.checkpoint import state_arrays
    from synth_server.model.runtime import NumpyDecoder
    from synth_server.model.vae import FrameVAE

    torch.manual_seed(0)
    model = FrameVAE(VaeConfig(n_bins=n_features(stft), latent_dim=8, hidden_sizes=(512, 256)))
    decoder = NumpyDecoder(state_arrays(model), model.config, stft.log_floor, 2.0,
                           synthesis=band_synthesis(stft))
    z = np.random.default_rng(0).standard_normal(8).astype(np.float32)
    times = np.empty(calls)
    with threadpool_limits(1):
        for _ in range(200):
            decoder.magnitude(z)
        for i in range(calls):
            t0 = time.perf_counter()
            decoder.magnitude(z)
            times[i] = time.perf_counter() - t0
    return float(np.median(times) * 1e6)


def plot_frame(y: np.ndarray, configs: dict[str, StftConfig], path: Path) -> None:
    """One analysed frame (the middle one) against its round trip through each representation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from synth_server.dsp.filterbank import band_magnitude, magnitude_from_bands
    from synth_server.dsp.stft import stft_magnitude

    stft = configs["stft"]
    magnitude = stft_magnitude(y, stft)
    frame = magnitude[len(magnitude) // 2][None, :]
    freqs = np.arange(stft.n_bins) * stft.sample_rate / stft.n_fft
    fig, ax = plt.subplots(figsize=(5.6, 3.0), dpi=90)
    ax.semilogx(freqs[1:], 20 * np.log10(frame[0, 1:] + 1e-5), color="0.6", lw=1.2,
                label="STFT (= stft round trip)")
    for rep in ("mel", "logfreq"):
        back = magnitude_from_bands(band_magnitude(frame, configs[rep]), configs[rep])
        ax.semilogx(freqs[1:], 20 * np.log10(back[0, 1:] + 1e-5), lw=0.9,
                    label=f"{rep} ({n_features(configs[rep])} bands) -> STFT")
    ax.set_xlim(50, 24000)
    ax.set_ylim(-100, 0)
    ax.set_xlabel("Hz")
    ax.set_ylabel("dB re full-scale sine")
    ax.set_title("harmonic 220 Hz + noise: one frame and its round trips", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--iterations", type=int, default=32, help="Griffin-Lim iterations")
    parser.add_argument("--plot", help="PNG of one frame and its round trips")
    args = parser.parse_args()
    signals = test_signals(48000, args.seconds)
    configs = {rep: StftConfig(representation=rep) for rep in SPECTRAL_REPRESENTATIONS}
    per_rep: dict[str, dict[str, list[float]]] = {r: {"sc": [], "mrstft": []} for r in configs}
    for name, y in signals.items():
        for rep, stft in configs.items():
            result = round_trip_quality(y, stft, n_iter=args.iterations)
            per_rep[rep]["sc"].append(result["spectral_convergence"])
            per_rep[rep]["mrstft"].append(result["mrstft"])
            print(json.dumps({"benchmark": "representation_round_trip", "signal": name, **result}),
                  flush=True)
    summary = {"benchmark": "representation_quality", "griffin_lim_iterations": args.iterations}
    for rep, stft in configs.items():
        us = decode_microseconds(stft)
        print(json.dumps({"benchmark": "representation_decode", "representation": rep,
                          "n_features": n_features(stft), "decode_us_per_frame": round(us, 1)}),
              flush=True)
        summary[rep] = {"n_features": n_features(stft),
                        "spectral_convergence_mean": round(float(np.mean(per_rep[rep]["sc"])), 4),
                        "mrstft_mean": round(float(np.mean(per_rep[rep]["mrstft"])), 4),
                        "decode_us_per_frame": round(us, 1)}
    print(json.dumps(summary), flush=True)
    if args.plot:
        plot_frame(signals["harmonic_220_noise"], configs, Path(args.plot))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
