"""Semantic surrogate: latent ↔ audio descriptors, and steering a latent to a descriptor value.

After "Semantic surrogates for latent space navigation" (shared/seeds/002): latent points are
sampled from the prior N(0, I) and around the data (the encoder means stored as ``anchors_latent``
in ``manifolds.npz``), decoded, described (:mod:`synth_server.dsp.features`), and
multi-layer perceptrons (``sklearn.neural_network.MLPRegressor``) learn

* forward: latent ``z`` [latent_dim] → the descriptors (one net for the six frame descriptors,
  one for f0 fitted on voiced points only);
* inverse: descriptors → latent (a proposal, :meth:`DescriptorSurrogate.inverse`).

The descriptor names and units are the same for every checkpoint, so a mapping made on
``/descriptor/centroid_hz 2000`` carries over when the model is swapped.

Live (server process, on an OSC message) nothing is fitted and scikit-learn is not imported:
the nets are stored as plain float32 arrays (``descriptors.npz``) and evaluated in numpy.
:meth:`DescriptorSurrogate.steer` solves, by damped Gauss-Newton (Levenberg 1944; Marquardt
1963) on the forward net's analytic Jacobian,

    min_z  W (y_i(z) - t)^2 + keep^2 * sum_{j != i} (y_j(z) - y_j(z0))^2  (+ damping |step|^2)

with W = 1e4, i.e. the asked value is (nearly) a constraint and the others are kept as well as
the remaining freedom allows,

in standardised descriptor units (Hz descriptors as log2, flatness as log10), each step the
minimum-norm one (so latent directions no descriptor sees are left alone), the point kept inside
the sampled region (a ball of the samples' 99.5th-percentile norm). When a decoder is attached
(:meth:`DescriptorSurrogate.from_checkpoint` does), the result is checked on the real decoded
frame and the surrogate's own error is corrected by shifting the internal target (at most
``refine`` rounds): accuracy is then the decoder's, not the regressor's.

Storage (in the checkpoint directory, written by :func:`fit_descriptors`):
``descriptors.json`` (names, units, transforms, achievable ranges, net layouts, fit report) and
``descriptors.npz`` (float32 arrays, read with ``allow_pickle=False``; every shape and value is
validated by :func:`load_descriptors`, which raises ValueError with a one-line reason).
"""
from __future__ import annotations

import io
import json
import logging
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from synth_server.dsp.features import (DESCRIPTIONS, NAMES, SILENCE_DB, UNITS,
                                               VOICED_HARMONICITY, describe, describe_fast)

log = logging.getLogger(__name__)

FORMAT = "synth-server-descriptors"
FORMAT_VERSION = 1
DESCRIPTORS_JSON = "descriptors.json"
DESCRIPTORS_NPZ = "descriptors.npz"
MAX_NPZ_BYTES = 16 * 1024 * 1024
MAX_JSON_BYTES = 4 * 1024 * 1024
HIDDEN = (64, 64)
FRAME_NAMES = tuple(n for n in NAMES if n != "f0_hz")  # the forward net's outputs
TRANSFORMS = {"centroid_hz": "log2", "rolloff_hz": "log2", "bandwidth_hz": "log2",
              "f0_hz": "log2", "flatness": "log10", "loudness_db": "identity",
              "harmonicity": "identity"}
FLOORS = {"log2": 20.0, "log10": 1e-6}
RANGE_PERCENTILES = (2.0, 98.0)
# solver tolerance in internal units: 0.2 % for Hz and flatness, 0.05 dB, 0.005 harmonicity
TOLERANCE = {"centroid_hz": 0.003, "rolloff_hz": 0.003, "bandwidth_hz": 0.003, "f0_hz": 0.003,
             "flatness": 0.001, "loudness_db": 0.05, "harmonicity": 0.005}
KEEP = 1.0
TABLE_SIZE = 3000  # stored samples for the nearest-neighbour start of steering
TABLE_BAND = 0.1  # standardised units: a stored sample this close to the asked value is "at" it
TARGET_WEIGHT = 1e4  # the asked descriptor is (nearly) a constraint; the others are kept after it
DAMPING = 0.05  # weight of the step length (Levenberg); steps are minimum-norm
MAX_STEP = 1.0  # latent units per Gauss-Newton step


def to_internal(name: str, values: Any) -> np.ndarray:
    """Natural units → the regression's space (log2 Hz, log10 flatness, else unchanged)."""
    v = np.asarray(values, dtype=np.float64)
    kind = TRANSFORMS[name]
    if kind == "log2":
        return np.log2(np.maximum(v, FLOORS["log2"]))
    if kind == "log10":
        return np.log10(np.maximum(v, FLOORS["log10"]))
    return v


def to_natural(name: str, values: Any) -> np.ndarray:
    """Inverse of :func:`to_internal`."""
    v = np.asarray(values, dtype=np.float64)
    kind = TRANSFORMS[name]
    if kind == "log2":
        return 2.0 ** v
    if kind == "log10":
        return 10.0 ** v
    return v


# -- numpy MLP ------------------------------------------------------------------------------

@dataclass(frozen=True)
class NumpyMlp:
    """A tanh MLP as plain arrays: ``h = tanh(x W_k + b_k)``..., linear last layer.

    Attributes:
        weights: [in, out] float64 per layer. biases: [out] float64 per layer.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    @property
    def n_in(self) -> int:
        return int(self.weights[0].shape[0])

    @property
    def n_out(self) -> int:
        return int(self.weights[-1].shape[1])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """x [batch, n_in] (or [n_in]) → [batch, n_out] (or [n_out]) float64."""
        h = np.asarray(x, dtype=np.float64)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < last:
                h = np.tanh(h)
        return h

    def value_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x [n_in] → (y [n_out], dy/dx [n_out, n_in]), reverse mode (cheap for a small n_out)."""
        h = np.asarray(x, dtype=np.float64)
        derivs = []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < last:
                h = np.tanh(h)
                derivs.append(1.0 - h * h)
        g = self.weights[-1].T  # [n_out, hidden]
        for i in range(last - 1, -1, -1):
            g = (g * derivs[i]) @ self.weights[i].T
        return h, g

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            out[f"{prefix}.{i}.weight"] = w.astype(np.float32)
            out[f"{prefix}.{i}.bias"] = b.astype(np.float32)
        return out

    @classmethod
    def from_sklearn(cls, model: Any, in_mean: np.ndarray, in_scale: np.ndarray,
                     out_mean: Optional[np.ndarray] = None, out_scale: Optional[np.ndarray] = None
                     ) -> "NumpyMlp":
        """Export a fitted ``MLPRegressor`` (tanh) with the input standardisation folded into the
        first layer (and an output de-standardisation into the last, when given)."""
        weights = [np.asarray(w, dtype=np.float64) for w in model.coefs_]
        biases = [np.asarray(b, dtype=np.float64) for b in model.intercepts_]
        weights[0] = weights[0] / in_scale[:, None]
        biases[0] = biases[0] - (in_mean / in_scale) @ np.asarray(model.coefs_[0])
        if out_mean is not None and out_scale is not None:
            weights[-1] = weights[-1] * out_scale[None, :]
            biases[-1] = biases[-1] * out_scale + out_mean
        return cls(tuple(weights), tuple(biases))


def _side_by_side(first: NumpyMlp, second: NumpyMlp) -> NumpyMlp:
    """One net computing ``[first(x), second(x)]`` (same input, same depth): block-diagonal
    hidden layers."""
    if len(first.weights) != len(second.weights):
        raise ValueError("nets of different depth")
    weights, biases = [], []
    for i, (wa, wb) in enumerate(zip(first.weights, second.weights)):
        rows_a = wa.shape[0] if i else 0
        w = np.zeros((wa.shape[0] + wb.shape[0] if i else wa.shape[0],
                      wa.shape[1] + wb.shape[1]))
        w[:wa.shape[0], :wa.shape[1]] = wa
        w[rows_a:, wa.shape[1]:] = wb
        weights.append(w)
        biases.append(np.concatenate([first.biases[i], second.biases[i]]))
    return NumpyMlp(tuple(weights), tuple(biases))


# -- the surrogate ---------------------------------------------------------------------------

@dataclass
class DescriptorSurrogate:
    """Latent → descriptors prediction and descriptor steering, numpy only (see module doc).

    Attributes:
        latent_dim: size of z.
        names: descriptor names, :data:`~synth_server.dsp.features.NAMES` order.
        units: name → unit string.
        ranges: name → (low, high) achievable range in natural units (2nd..98th percentile of the
            sampled decoded frames; f0 over voiced frames); requests are clamped to it.
        mean, scale: [n_names] standardisation of the internal (log) values.
        forward: NumpyMlp z → standardised frame descriptors (:data:`FRAME_NAMES` order).
        f0: NumpyMlp z → standardised log2 f0.
        inverse_net: NumpyMlp standardised descriptors (``names`` order) → z.
        radius: steering keeps ``|z| <= radius``.
        table_latent, table_values, table_voiced: [n_table, latent_dim], [n_table, n_names]
            (standardised, *measured* on the decoded frames) and [n_table] (1.0 = voiced): a
            subset of the fitted samples, the nearest-neighbour start of :meth:`steer`.
        meta: the rest of descriptors.json (fit report, command, ...).
        decoder: optional ``NumpyDecoder`` of the same checkpoint, for the check-and-correct
            rounds of :meth:`steer`; sample_rate / n_fft: its analysis settings.
    """

    latent_dim: int
    names: tuple[str, ...]
    units: dict[str, str]
    ranges: dict[str, tuple[float, float]]
    mean: np.ndarray
    scale: np.ndarray
    forward: NumpyMlp
    f0: NumpyMlp
    inverse_net: NumpyMlp
    radius: float
    sample_rate: int
    n_fft: int
    table_latent: np.ndarray
    table_values: np.ndarray
    table_voiced: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    decoder: Any = None

    def __post_init__(self) -> None:
        self._index = {n: i for i, n in enumerate(self.names)}
        self._f0_row = self._index["f0_hz"]
        self._h_row = self._index["harmonicity"]
        # forward and f0 nets side by side (block-diagonal): one pass gives all of NAMES in order
        self._joint = _side_by_side(self.forward, self.f0)

    # construction ------------------------------------------------------------------------
    @classmethod
    def from_checkpoint(cls, checkpoint: Any, with_decoder: bool = True) -> "DescriptorSurrogate":
        """Load ``descriptors.json/.npz`` of a loaded :class:`~synth_server.artifacts.checkpoint.
        Checkpoint` and attach its decoder (for exact steering).

        Raises:
            FileNotFoundError: the checkpoint has no descriptors (run ``synth-server
                fit-descriptors --model DIR``).
            ValueError: invalid files (one line).
        """
        surrogate = load_descriptors(checkpoint.path, checkpoint.vae.latent_dim)
        if int(checkpoint.stft.sample_rate) != surrogate.sample_rate \
                or int(checkpoint.stft.n_fft) != surrogate.n_fft:
            raise ValueError(f"{DESCRIPTORS_JSON}: sample_rate/n_fft differ from the checkpoint's")
        if with_decoder:
            surrogate.decoder = checkpoint.decoder()
        return surrogate

    # prediction ----------------------------------------------------------------------------
    def _internal(self, z: np.ndarray) -> np.ndarray:
        """z [batch, d] → standardised internal values [batch, n_names]."""
        return self._joint(z)

    def _natural(self, y: np.ndarray) -> np.ndarray:
        """standardised [batch, n_names] → natural units [batch, n_names]."""
        raw = y * self.scale + self.mean
        return np.stack([to_natural(n, raw[:, i]) for i, n in enumerate(self.names)], axis=1)

    def predict_array(self, z: np.ndarray) -> np.ndarray:
        """Latents [batch, latent_dim] → predicted descriptors [batch, len(names)] (natural
        units)."""
        z = np.asarray(z, dtype=np.float64).reshape(-1, self.latent_dim)
        return self._natural(self._internal(z))

    def predict(self, z: Sequence[float]) -> dict[str, float]:
        """Predicted descriptors of one latent [latent_dim] (~30 us): name → value in its unit,
        plus ``voiced`` (1.0 / 0.0, from the predicted harmonicity and loudness)."""
        values = self.predict_array(np.asarray(z, dtype=np.float64)[None, :])[0]
        out = {n: float(v) for n, v in zip(self.names, values)}
        out["voiced"] = float(out["harmonicity"] >= VOICED_HARMONICITY
                              and out["loudness_db"] > SILENCE_DB)
        return out

    def measure(self, z: Sequence[float], names: Optional[Sequence[str]] = None
                ) -> dict[str, float]:
        """Descriptors of the *decoded* frame of one latent (needs the decoder; ~0.1-0.3 ms)."""
        if self.decoder is None:
            raise ValueError("no decoder attached (use DescriptorSurrogate.from_checkpoint)")
        mag = self.decoder.magnitude(np.asarray(z, dtype=np.float32))
        values = describe_fast(mag, self.sample_rate, self.n_fft,
                               tuple(names) if names is not None else None)
        return {k: float(v[0]) for k, v in values.items()}

    def clamp(self, name: str, value: float) -> float:
        """``value`` clamped to the achievable range of ``name`` (natural units).

        Raises:
            KeyError: unknown descriptor name.
        """
        lo, hi = self.ranges[name]
        return float(min(max(float(value), lo), hi))

    def inverse(self, values: dict[str, float], z0: Optional[Sequence[float]] = None
                ) -> np.ndarray:
        """Descriptors → a latent [latent_dim] (the inverse regressor). Names not given take
        the predicted values of ``z0`` (or the sampled mean when z0 is None)."""
        y = np.zeros(len(self.names)) if z0 is None else \
            self._internal(np.asarray(z0, dtype=np.float64)[None, :])[0]
        for name, value in values.items():
            i = self._index[name]
            y[i] = (to_internal(name, self.clamp(name, value)) - self.mean[i]) / self.scale[i]
        return self.inverse_net(y[None, :])[0]

    # steering ------------------------------------------------------------------------------
    def _value_jac(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._joint.value_and_jacobian(z)

    def _solve(self, z: np.ndarray, target: np.ndarray, weights: np.ndarray, index: int,
               iterations: int, tolerance: float) -> np.ndarray:
        """Levenberg-Marquardt, minimum-norm steps: min_z sum_j w_j (y_j(z) - target_j)^2.

        A step ``-J^T W (J J^T W + mu I)^-1 e`` (an [m x m] solve, m = descriptor count, whatever
        latent_dim) is kept only if it lowers the cost; mu shrinks after a kept step and grows
        after a refused one (Marquardt 1963), so the cost never rises.
        """
        damping = DAMPING
        root = np.sqrt(weights)
        y, jac = self._value_jac(z)
        error = y - target
        cost = float(weights @ (error * error))
        for _ in range(iterations):
            if abs(error[index]) < tolerance:
                break
            # symmetric form: Jw = W^1/2 J, step = -Jw^T (Jw Jw^T + mu I)^-1 W^1/2 e; one eigh
            # per Jacobian makes every damping retry two small matrix products
            jw = jac * root[:, None]  # [m, d]
            values, vectors = np.linalg.eigh(jw @ jw.T)
            projected = vectors.T @ (root * error)
            accepted = False
            for _try in range(6):
                step = -(jw.T @ (vectors @ (projected / (values + damping))))
                norm = math.sqrt(float(step @ step))
                if norm > MAX_STEP:
                    step *= MAX_STEP / norm
                trial = z + step
                r = math.sqrt(float(trial @ trial))
                if r > self.radius:
                    trial *= self.radius / r
                e_trial = self._joint(trial) - target
                c_trial = float(weights @ (e_trial * e_trial))
                if c_trial < cost:
                    accepted = True
                    damping = max(damping / 3.0, 1e-6)
                    break
                damping *= 4.0
            if not accepted:
                break
            z, cost = trial, c_trial
            y, jac = self._value_jac(z)
            error = y - target
        return z

    def steer(self, z0: Sequence[float], name: str, value: float, keep: float = KEEP,
              refine: int = 3, iterations: int = 8) -> np.ndarray:
        """A latent near ``z0`` whose decoded frame has descriptor ``name`` = ``value``.

        Args:
            z0: [latent_dim] the current latent (e.g. the sound's target latent).
            name: a descriptor of :attr:`names` (units: :attr:`units`).
            value: the wanted value in natural units; clamped to :attr:`ranges`.
            keep: weight of "the other descriptors stay at z0's" relative to the step length
                (the asked descriptor weighs TARGET_WEIGHT, a near-constraint; 0 = only the
                target counts, the steps being minimum-norm anyway).
            refine: check-and-correct rounds on the decoded frame (needs :attr:`decoder`;
                0 = trust the surrogate).
            iterations: Gauss-Newton iterations per round.
        Returns:
            z [latent_dim] float64, finite, ``|z| <= radius``.
        Raises:
            KeyError: unknown name. ValueError: z0 of the wrong size or non-finite.
        Cost: ~1-1.3 ms CPU on this 2-core machine with the default refine=3, ~0.6-1 ms with
            refine=0 (numpy; call it with BLAS limited to one thread: threadpoolctl
            ``threadpool_limits(1)`` once in the server process, else OpenBLAS threads make
            these tiny products 10-100x slower on a busy machine).
        """
        index = self._index[name]
        z0 = np.asarray(z0, dtype=np.float64).reshape(-1)
        if z0.shape != (self.latent_dim,) or not np.isfinite(z0).all():
            raise ValueError(f"z0 must be {self.latent_dim} finite values")
        goal = (to_internal(name, self.clamp(name, value)) - self.mean[index]) / self.scale[index]
        y0 = self._internal(z0[None, :])[0]
        weights = np.full(len(self.names), float(keep) ** 2)
        weights[index] = TARGET_WEIGHT
        voiced0 = y0[self._h_row] * self.scale[self._h_row] + self.mean[self._h_row] \
            >= VOICED_HARMONICITY
        if not voiced0 and index != self._f0_row:
            weights[self._f0_row] = 0.0  # an unvoiced sound has no f0 to keep
        target = y0.copy()
        target[index] = goal
        tolerance = TOLERANCE[name] / self.scale[index]
        z = self._start(z0, y0, target, weights, index, iterations, tolerance)
        if self.decoder is None or refine <= 0:
            return self._solve(z, target, weights, index, iterations, tolerance)
        # the surrogate's error at z0, measured, is removed from the target first
        measured = self._measure_internal(z0, name)
        shifted = target.copy()
        shifted[index] = goal - (measured - y0[index])
        best, best_error = z0, abs(measured - goal)
        check = 2.0 * tolerance
        for round_ in range(refine):
            z = self._solve(z, shifted, weights, index,
                            iterations if round_ == 0 else max(iterations // 2, 1), tolerance)
            measured = self._measure_internal(z, name)
            predicted = self._internal(z[None, :])[0, index]
            if abs(measured - goal) < best_error:
                best, best_error = z, abs(measured - goal)
            if best_error < check:
                break
            shifted[index] = goal - (measured - predicted)
        return best

    def _start(self, z0: np.ndarray, y0: np.ndarray, target: np.ndarray, weights: np.ndarray,
               index: int, iterations: int, tolerance: float) -> np.ndarray:
        """Solve from the better start (surrogate cost) of two: z0 itself, or the stored sample
        that best fits the request (its *measured* descriptors vs the target, plus 0.1 x its
        squared latent distance to z0). The second escapes the local minima of a descriptor the
        latent space holds in clusters (e.g. the discrete pitches of the training set: f0 median
        error 41 % -> 6 % on models/default, measured); solving from both and keeping the better
        was measured no more accurate and 25 % slower."""
        table = self.table_values
        # the target error counts only beyond TABLE_BAND (the solve closes that gap), so among
        # the samples near the asked value the one keeping the other descriptors wins
        others = weights.copy()
        others[index] = 0.0
        miss = np.maximum(np.abs(table[:, index] - target[index]) - TABLE_BAND, 0.0)
        cost = weights[index] * miss ** 2 + ((table - target) ** 2) @ others
        cost += 0.1 * np.sum((self.table_latent - z0) ** 2, axis=1)
        if index == self._f0_row:
            cost = np.where(self.table_voiced > 0.5, cost, np.inf)
        best = int(np.argmin(cost))
        start = z0
        if np.isfinite(cost[best]):
            e_start, e_table = y0 - target, table[best] - target
            if float(weights @ (e_table * e_table)) < float(weights @ (e_start * e_start)):
                start = self.table_latent[best].astype(np.float64)
        return self._solve(start.copy(), target, weights, index, iterations, tolerance)

    def _measure_internal(self, z: np.ndarray, name: str) -> float:
        mag = self.decoder.magnitude(z.astype(np.float32))
        value = describe_fast(mag, self.sample_rate, self.n_fft, (name,))[name][0]
        i = self._index[name]
        return float((to_internal(name, value) - self.mean[i]) / self.scale[i])

    def info(self) -> dict[str, Any]:
        """JSON-able summary (names, units, ranges) for /descriptor/list-style replies."""
        return {n: {"unit": self.units[n], "range": list(self.ranges[n]),
                    "description": DESCRIPTIONS.get(n, "")} for n in self.names}


# -- fitting (offline) -----------------------------------------------------------------------

def playable_surrogate(checkpoint: Any) -> Optional["DescriptorSurrogate"]:
    """A loaded checkpoint's surrogate with its own decoder attached (for exact steering), as a
    copy (the checkpoint that travels to the audio process stays without it); None when the
    checkpoint has no descriptor data."""
    import dataclasses

    if getattr(checkpoint, "descriptors", None) is None:
        return None
    return dataclasses.replace(checkpoint.descriptors, decoder=checkpoint.decoder())


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


def describe_latents(decoder: Any, latents: np.ndarray, sample_rate: int, n_fft: int,
                     chunk: int = 2048) -> dict[str, np.ndarray]:
    """Decode latents [n, d] and describe the frames (librosa): name → [n]."""
    parts = []
    for start in range(0, len(latents), chunk):
        mag = decoder.magnitude(np.asarray(latents[start:start + chunk], dtype=np.float32))
        parts.append(describe(mag, sample_rate, n_fft))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _mlp(seed: int, max_iter: int) -> Any:
    from sklearn.neural_network import MLPRegressor

    # L-BFGS (full batch): on 16 000 samples a better fit than Adam in less time (measured:
    # 4 s vs 2.4 s on 8000 samples, held-out R2 higher on every descriptor)
    return MLPRegressor(hidden_layer_sizes=HIDDEN, activation="tanh", solver="lbfgs",
                        alpha=1e-4, max_iter=max_iter, random_state=seed)


def fit_surrogate(latents: np.ndarray, values: dict[str, np.ndarray], sample_rate: int,
                  n_fft: int, seed: int = 0, max_iter: int = 500
                  ) -> tuple[DescriptorSurrogate, dict[str, Any]]:
    """Fit the forward, f0 and inverse nets on described latents (scikit-learn, offline).

    Args:
        latents: [n, latent_dim] sampled latents.
        values: name → [n] descriptors of their decoded frames (natural units, with ``voiced``).
        seed: split and net initialisation.
    Returns:
        (surrogate without decoder, report: held-out accuracy per descriptor, sample counts).
    Raises:
        ValueError: too few audible (or voiced) samples.
    """
    latents = np.asarray(latents, dtype=np.float64)
    keep = np.isfinite(latents).all(axis=1) & (values["loudness_db"] > SILENCE_DB)
    for n in NAMES:
        keep &= np.isfinite(values[n])
    if keep.sum() < 200:
        raise ValueError(f"only {int(keep.sum())} audible decoded samples (need 200)")
    z = latents[keep]
    internal = np.stack([to_internal(n, values[n][keep]) for n in NAMES], axis=1)
    voiced = np.asarray(values["voiced"], dtype=bool)[keep]
    if voiced.sum() < 100:
        raise ValueError(f"only {int(voiced.sum())} voiced decoded samples (need 100)")
    mean = internal.mean(axis=0)
    mean[NAMES.index("f0_hz")] = internal[voiced, NAMES.index("f0_hz")].mean()
    scale = internal.std(axis=0) + 1e-9
    scale[NAMES.index("f0_hz")] = internal[voiced, NAMES.index("f0_hz")].std() + 1e-9
    y = (internal - mean) / scale
    rng = np.random.default_rng(seed)
    test = rng.random(len(z)) < 0.15
    z_mean, z_scale = z.mean(axis=0), z.std(axis=0) + 1e-9
    zs = (z - z_mean) / z_scale
    frame_cols = [NAMES.index(n) for n in FRAME_NAMES]
    f0_col = NAMES.index("f0_hz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        forward_model = _mlp(seed, max_iter).fit(zs[~test], y[~test][:, frame_cols])
        vt = voiced & ~test
        f0_model = _mlp(seed + 1, max_iter).fit(zs[vt], y[vt, f0_col])
        inverse_model = _mlp(seed + 2, max_iter).fit(y[~test], zs[~test])
    forward = NumpyMlp.from_sklearn(forward_model, z_mean, z_scale)
    f0 = NumpyMlp.from_sklearn(f0_model, z_mean, z_scale)
    inverse = NumpyMlp.from_sklearn(inverse_model, np.zeros(len(NAMES)), np.ones(len(NAMES)),
                                    z_mean, z_scale)
    ranges = {}
    for i, n in enumerate(NAMES):
        col = values[n][keep][voiced] if n == "f0_hz" else values[n][keep]
        lo, hi = np.percentile(col, RANGE_PERCENTILES)
        if not hi > lo:
            hi = lo + max(abs(lo) * 1e-3, 1e-6)
        ranges[n] = (float(lo), float(hi))
    radius = float(np.percentile(np.linalg.norm(z, axis=1), 99.5))
    rows = np.sort(rng.choice(len(z), min(TABLE_SIZE, len(z)), replace=False))
    surrogate = DescriptorSurrogate(
        latent_dim=z.shape[1], names=NAMES, units=dict(UNITS), ranges=ranges, mean=mean,
        scale=scale, forward=forward, f0=f0, inverse_net=inverse, radius=radius,
        sample_rate=int(sample_rate), n_fft=int(n_fft), table_latent=z[rows],
        table_values=y[rows], table_voiced=voiced[rows].astype(np.float64))
    # held-out accuracy, natural units
    predicted = surrogate.predict_array(z[test])
    report: dict[str, Any] = {"n_samples": int(len(latents)), "n_audible": int(keep.sum()),
                              "n_voiced": int(voiced.sum()), "n_test": int(test.sum()),
                                                    "solver": "lbfgs", "hidden": list(HIDDEN),
                              "forward_iterations": int(forward_model.n_iter_),
                              "f0_iterations": int(f0_model.n_iter_),
                              "inverse_iterations": int(inverse_model.n_iter_), "heldout": {}}
    for i, n in enumerate(NAMES):
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


# -- storage ---------------------------------------------------------------------------------

def save_descriptors(directory: Union[str, Path], surrogate: DescriptorSurrogate,
                     extra: Optional[dict[str, Any]] = None) -> None:
    """Write ``descriptors.json`` and ``descriptors.npz`` (each atomically)."""
    from synth_server.artifacts.checkpoint import _write_atomic

    directory = Path(directory)
    arrays = {"mean": surrogate.mean.astype(np.float32),
              "scale": surrogate.scale.astype(np.float32)}
    arrays.update(surrogate.forward.arrays("forward"))
    arrays.update(surrogate.f0.arrays("f0"))
    arrays.update(surrogate.inverse_net.arrays("inverse"))
    arrays["table.latent"] = surrogate.table_latent.astype(np.float32)
    arrays["table.values"] = surrogate.table_values.astype(np.float32)
    arrays["table.voiced"] = surrogate.table_voiced.astype(np.float32)
    layout = {key: [int(net.weights[0].shape[0])] + [int(w.shape[1]) for w in net.weights]
              for key, net in (("forward", surrogate.forward), ("f0", surrogate.f0),
                               ("inverse", surrogate.inverse_net))}
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "latent_dim": surrogate.latent_dim, "sample_rate": surrogate.sample_rate,
        "n_fft": surrogate.n_fft, "names": list(surrogate.names),
        "units": {n: surrogate.units[n] for n in surrogate.names},
        "descriptions": {n: DESCRIPTIONS[n] for n in surrogate.names},
        "transforms": {n: TRANSFORMS[n] for n in surrogate.names},
        "ranges": {n: list(surrogate.ranges[n]) for n in surrogate.names},
        "range_percentiles": list(RANGE_PERCENTILES),
        "radius": surrogate.radius, "voiced_harmonicity": VOICED_HARMONICITY,
        "networks": {"activation": "tanh", "forward_outputs": list(FRAME_NAMES),
                     "layers": layout},
        **{k: v for k, v in surrogate.meta.items() if k not in ("format", "format_version")},
        **(extra or {}),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    _write_atomic(directory / DESCRIPTORS_NPZ, buffer.getvalue())
    _write_atomic(directory / DESCRIPTORS_JSON, json.dumps(document, indent=1).encode())


def _check(condition: bool, reason: str) -> None:
    if not condition:
        raise ValueError(reason)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def load_descriptors(directory: Union[str, Path], latent_dim: int) -> DescriptorSurrogate:
    """Read and validate ``descriptors.json`` + ``descriptors.npz`` (no code runs: JSON and a
    pickle-free npz; every array's dtype, shape and finiteness is checked).

    Args:
        directory: checkpoint directory.
        latent_dim: the model's latent size.
    Returns:
        The surrogate (no decoder attached; see :meth:`DescriptorSurrogate.from_checkpoint`).
    Raises:
        FileNotFoundError: no descriptors.json in the directory.
        ValueError: anything else wrong, as one line naming the file and the reason.
    """
    directory = Path(directory)
    json_path, npz_path = directory / DESCRIPTORS_JSON, directory / DESCRIPTORS_NPZ
    if not json_path.is_file():
        raise FileNotFoundError(f"{json_path}: missing (run synth-server fit-descriptors)")
    _check(npz_path.is_file(), f"{npz_path}: missing")
    _check(json_path.stat().st_size <= MAX_JSON_BYTES, f"{json_path}: too large")
    _check(npz_path.stat().st_size <= MAX_NPZ_BYTES, f"{npz_path}: too large")
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{json_path}: not valid JSON ({str(exc).splitlines()[0][:80]})") from None
    try:
        with np.load(npz_path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except Exception as exc:  # noqa: BLE001 - zip, zlib, format errors of an untrusted file
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:100]
        raise ValueError(f"{npz_path}: unreadable ({type(exc).__name__}: {reason})") from None
    where = str(json_path)
    _check(isinstance(document, dict) and document.get("format") == FORMAT,
           f"{where}: not a {FORMAT} file")
    _check(document.get("format_version") == FORMAT_VERSION,
           f"{where}: format_version {document.get('format_version')!r} unsupported")
    _check(document.get("latent_dim") == latent_dim,
           f"{where}: latent_dim {document.get('latent_dim')!r} differs from the model's "
           f"{latent_dim}")
    names = document.get("names")
    _check(isinstance(names, list) and tuple(names) == NAMES,
           f"{where}: names must be {list(NAMES)}")
    for key in ("sample_rate", "n_fft"):
        _check(isinstance(document.get(key), int) and 0 < document[key] <= 1_000_000,
               f"{where}: bad {key}")
    _check(_number(document.get("radius")) and document["radius"] > 0, f"{where}: bad radius")
    ranges = document.get("ranges")
    _check(isinstance(ranges, dict), f"{where}: no ranges")
    parsed_ranges = {}
    for n in NAMES:
        r = ranges.get(n)
        _check(isinstance(r, list) and len(r) == 2 and all(_number(v) for v in r)
               and r[0] < r[1], f"{where}: bad range for {n}")
        parsed_ranges[n] = (float(r[0]), float(r[1]))
    layers = (document.get("networks") or {}).get("layers") if isinstance(
        document.get("networks"), dict) else None
    _check(isinstance(layers, dict), f"{where}: no networks.layers")
    wanted_io = {"forward": (latent_dim, len(FRAME_NAMES)), "f0": (latent_dim, 1),
                 "inverse": (len(NAMES), latent_dim)}
    nets = {}
    for key, (n_in, n_out) in wanted_io.items():
        sizes = layers.get(key)
        _check(isinstance(sizes, list) and 2 <= len(sizes) <= 6
               and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 4096
                       for s in sizes) and sizes[0] == n_in and sizes[-1] == n_out,
               f"{where}: bad layer sizes for {key}")
        weights, biases = [], []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            for part, shape in (("weight", (a, b)), ("bias", (b,))):
                name = f"{key}.{i}.{part}"
                arr = arrays.get(name)
                _check(arr is not None, f"{npz_path}: {name} missing")
                _check(arr.dtype == np.float32 and arr.shape == shape,
                       f"{npz_path}: {name} is {arr.dtype} {arr.shape}, expected float32 {shape}")
                _check(bool(np.isfinite(arr).all()), f"{npz_path}: {name} has non-finite values")
                (weights if part == "weight" else biases).append(arr.astype(np.float64))
        nets[key] = NumpyMlp(tuple(weights), tuple(biases))
    for name in ("mean", "scale"):
        arr = arrays.get(name)
        _check(arr is not None and arr.dtype == np.float32 and arr.shape == (len(NAMES),)
               and bool(np.isfinite(arr).all()), f"{npz_path}: {name} missing or not "
               f"float32 [{len(NAMES)}] finite")
    _check(bool((arrays["scale"] > 0).all()), f"{npz_path}: scale must be positive")
    table = arrays.get("table.latent")
    _check(table is not None and table.ndim == 2 and 1 <= len(table) <= 20000
           and table.shape[1] == latent_dim, f"{npz_path}: table.latent missing or not "
           f"[n <= 20000, {latent_dim}]")
    for name, shape in (("table.latent", (len(table), latent_dim)),
                        ("table.values", (len(table), len(NAMES))),
                        ("table.voiced", (len(table),))):
        arr = arrays.get(name)
        _check(arr is not None and arr.dtype == np.float32 and arr.shape == shape
               and bool(np.isfinite(arr).all()),
               f"{npz_path}: {name} missing or not float32 {shape} finite")
    expected = {f"{k}.{i}.{p}" for k in wanted_io for i in range(len(layers[k]) - 1)
                for p in ("weight", "bias")} | {"mean", "scale", "table.latent",
                                                 "table.values", "table.voiced"}
    extra = sorted(set(arrays) - expected)
    _check(not extra, f"{npz_path}: unexpected arrays {extra[:3]}")
    meta = {k: v for k, v in document.items() if k in ("fit", "command", "seed", "n_samples")}
    return DescriptorSurrogate(
        latent_dim=latent_dim, names=NAMES, units=dict(UNITS), ranges=parsed_ranges,
        mean=arrays["mean"].astype(np.float64), scale=arrays["scale"].astype(np.float64),
        forward=nets["forward"], f0=nets["f0"], inverse_net=nets["inverse"],
        radius=float(document["radius"]), sample_rate=int(document["sample_rate"]),
        n_fft=int(document["n_fft"]), table_latent=arrays["table.latent"].astype(np.float64),
        table_values=arrays["table.values"].astype(np.float64),
        table_voiced=arrays["table.voiced"].astype(np.float64), meta=meta)


def load_anchors(directory: Union[str, Path]) -> Optional[np.ndarray]:
    """``anchors_latent`` [n, latent_dim] of manifolds.npz (encoder means), or None."""
    path = Path(directory) / "manifolds.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as npz:
        if "anchors_latent" not in npz.files:
            return None
        anchors = np.asarray(npz["anchors_latent"], dtype=np.float64)
    return anchors if anchors.ndim == 2 and np.isfinite(anchors).all() else None


def fit_descriptors(model_dir: Union[str, Path], n_samples: int = 16000, seed: int = 0,
                    heatmaps: bool = True, grid: int = 48, max_iter: int = 500,
                    command: str = "") -> dict[str, Any]:
    """Fit and store a checkpoint's descriptor surrogate and heatmaps (``synth-server
    fit-descriptors``).

    Args:
        model_dir: checkpoint directory (descriptors.json/.npz, heatmaps/ and heatmaps.json are
            (re)written there).
        n_samples: latent points decoded and described (half prior, half around the data).
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

    from synth_server.artifacts.checkpoint import load_checkpoint

    # one BLAS thread: the small matrix products of the fit run 30x slower with OpenBLAS threads
    # contending on a busy 2-core machine (measured), and barely faster on an idle one
    with threadpool_limits(1):
        return _fit_descriptors(model_dir, n_samples, seed, heatmaps, grid, max_iter, command,
                                load_checkpoint)


def _fit_descriptors(model_dir: Union[str, Path], n_samples: int, seed: int, heatmaps: bool,
                     grid: int, max_iter: int, command: str, load_checkpoint: Any
                     ) -> dict[str, Any]:
    started = time.perf_counter()
    checkpoint = load_checkpoint(model_dir)
    decoder = checkpoint.decoder()
    sr, n_fft = int(checkpoint.stft.sample_rate), int(checkpoint.stft.n_fft)
    latents = sample_latents(checkpoint.vae.latent_dim, n_samples, load_anchors(model_dir), seed)
    values = describe_latents(decoder, latents, sr, n_fft)
    described = time.perf_counter()
    surrogate, report = fit_surrogate(latents, values, sr, n_fft, seed=seed, max_iter=max_iter)
    report["describe_seconds"] = round(described - started, 2)
    report["fit_seconds"] = round(time.perf_counter() - described, 2)
    report["ranges"] = {n: [round(v, 6) for v in surrogate.ranges[n]] for n in NAMES}
    surrogate.meta = {"fit": report, "command": command, "seed": seed, "n_samples": n_samples}
    save_descriptors(model_dir, surrogate)
    if heatmaps:
        from synth_server.fit.heatmaps import write_heatmaps

        t0 = time.perf_counter()
        index = write_heatmaps(checkpoint, model_dir, grid=grid)
        report["heatmap_seconds"] = round(time.perf_counter() - t0, 2)
        report["heatmaps"] = len(index["images"])
        surrogate.meta["fit"] = report
        save_descriptors(model_dir, surrogate)
    report["total_seconds"] = round(time.perf_counter() - started, 2)
    return report
