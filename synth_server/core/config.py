"""Frozen configuration dataclasses, serialised to and from plain JSON-able dicts.

Library classes take these (or plain arguments) explicitly; only the CLI (``synth_server.app.cli``) reads
files and flags.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping, Type, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class StftConfig:
    """Short-time Fourier transform parameters.

    Attributes:
        sample_rate: Hz.
        n_fft: FFT size in samples (2048 = 42.7 ms at 48 kHz; 23.4 Hz bins resolve the harmonics of
            f0 >= ~94 Hz with a Hann window, whose main lobe is 4 bins wide).
        hop_length: samples between frames (256 = 5.33 ms, one JACK period at 48 kHz, 8x overlap).
        log_floor: magnitude floor added before the log (normalised magnitude: a full-scale sinusoid
            peaks at 1.0; 1e-4 = -80 dB).
        representation: what the model sees (see :mod:`synth_server.dsp.filterbank`):
            ``"stft"`` the log-magnitude STFT frame itself (n_bins values); ``"mel"`` log band
            magnitudes of ``n_mels`` triangular mel filters (Slaney mel scale, librosa.filters.mel)
            over the power spectrum; ``"logfreq"`` log band magnitudes of a logarithmic
            (constant-Q-like) triangular filterbank with ``bands_per_octave`` bands per octave
            that keeps one band per STFT bin where the bins are wider than the bands (madmom's
            LogarithmicFilterbank, Boeck et al. 2016). Checkpoints without the field are "stft".
        n_mels: number of mel bands (``representation == "mel"`` only).
        bands_per_octave: log-frequency bands per octave (``representation == "logfreq"`` only).
        n_harmonics: harmonics per frame (``representation == "hpn"`` only: harmonic-plus-noise,
            see :mod:`synth_server.dsp.hpn`).
        n_noise_bands: mel noise bands of the residual (``representation == "hpn"`` only).
    """

    sample_rate: int = 48000
    n_fft: int = 2048
    hop_length: int = 256
    log_floor: float = 1e-4
    representation: str = "stft"
    n_mels: int = 128
    bands_per_octave: int = 24
    n_harmonics: int = 64
    n_noise_bands: int = 64

    @property
    def n_bins(self) -> int:
        """Number of rFFT bins, ``n_fft // 2 + 1`` (what the phase reconstruction inverts)."""
        return self.n_fft // 2 + 1


@dataclass(frozen=True)
class VaeConfig:
    """Frame VAE architecture: MLP encoder/decoder on normalised log-magnitude frames.

    Attributes:
        n_bins: input/output size: values per frame of the representation
            (:func:`synth_server.dsp.filterbank.n_features`; the rFFT bins for "stft").
        latent_dim: size of the latent vector z.
        hidden_sizes: encoder hidden layer widths; the decoder mirrors them.
        n_conditioning: size of the conditioning vector c the decoder (and encoder) also see
            (0 for the spectral family; 2 for "hpn": :func:`synth_server.dsp.hpn.conditioning`).
    """

    n_bins: int = 1025
    latent_dim: int = 8
    hidden_sizes: tuple[int, ...] = (512, 256)
    n_conditioning: int = 0


@dataclass(frozen=True)
class TrainConfig:
    """Training hyper-parameters (Kingma & Welling 2013; beta warm-up: Sonderby et al. 2016).

    Attributes:
        epochs: passes over the frame set.
        batch_size: frames per step.
        learning_rate: Adam learning rate.
        beta: final weight of the regularisation term.
        warmup_epochs: epochs over which beta rises linearly from 0 to ``beta``
            (``beta_schedule == "linear"``).
        seed: seed for torch / numpy (``lightning.seed_everything``).
        min_frame_db: frames whose peak is below this level (dB re full scale) are dropped.
        regulariser: divergence between the encoder's codes and the prior N(0, I):
            ``"kl"`` KL(q(z|x) || p(z)) per example (Kingma & Welling 2013); ``"mmd"`` maximum mean
            discrepancy between the aggregate posterior and the prior, inverse multiquadratic
            kernel (InfoVAE, Zhao et al. 2017; WAE-MMD, Tolstikhin et al. 2018); ``"swd"`` sliced
            Wasserstein-2 distance (SWAE, Kolouri et al. 2018). See
            :mod:`synth_server.train.regularisers`.
        beta_schedule: ``"constant"``, ``"linear"`` warm-up (Sonderby et al. 2016) or
            ``"cyclical"`` (Fu et al. 2019: ``cycles`` cycles, each rising linearly from 0 to
            ``beta`` over its first ``cycle_ratio`` fraction, then flat).
        cycles: number of cycles of the cyclical schedule over all epochs.
        cycle_ratio: fraction of each cycle spent rising (cyclical schedule).
    """

    epochs: int = 40
    batch_size: int = 256
    learning_rate: float = 1e-3
    beta: float = 1.0
    warmup_epochs: int = 10
    seed: int = 0
    min_frame_db: float = -60.0
    regulariser: str = "kl"
    beta_schedule: str = "linear"
    cycles: int = 4
    cycle_ratio: float = 0.5


def to_dict(obj: Any) -> dict[str, Any]:
    """Dataclass → JSON-able dict (tuples become lists)."""
    out = asdict(obj)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def from_dict(cls: Type[T], data: Mapping[str, Any]) -> T:
    """Build dataclass ``cls`` from ``data``.

    Raises:
        ValueError: unknown or missing keys, or a value of the wrong type.
    """
    names = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - set(names)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, f in names.items():
        if name not in data:
            continue
        value = data[name]
        default = getattr(cls(), name)  # type: ignore[call-arg]
        if isinstance(default, tuple):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) for v in value):
                raise ValueError(f"{cls.__name__}.{name}: expected a list of ints")
            value = tuple(value)
        elif isinstance(default, bool) or isinstance(default, str):
            if type(value) is not type(default):
                raise ValueError(f"{cls.__name__}.{name}: expected {type(default).__name__}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{cls.__name__}.{name}: expected an int")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{cls.__name__}.{name}: expected a number")
            value = float(value)
        kwargs[name] = value
    return cls(**kwargs)  # type: ignore[call-arg]


REPRESENTATIONS = ("stft", "mel", "logfreq", "hpn")
MODEL_FAMILIES = ("spectral", "hpn")


def model_family(stft: StftConfig) -> str:
    """A model's family from its STFT config: ``"hpn"`` (harmonic-plus-noise: pitch-independent
    timbre, f0 and loudness as inputs, playable with notes) when ``stft.representation == "hpn"``,
    else ``"spectral"`` (stft, mel, logfreq frames: the pitch comes with the frame)."""
    return "hpn" if stft.representation == "hpn" else "spectral"

REGULARISERS = ("kl", "mmd", "swd")
BETA_SCHEDULES = ("constant", "linear", "cyclical")
MAX_RENDER_S = 4 * 3600.0  # longest offline render and latest score / pad-path time, seconds (4 h)

__all__ = ["REPRESENTATIONS", "MODEL_FAMILIES", "model_family", "REGULARISERS", "BETA_SCHEDULES", "MAX_RENDER_S", "StftConfig", "VaeConfig", "TrainConfig", "to_dict", "from_dict", "field"]
