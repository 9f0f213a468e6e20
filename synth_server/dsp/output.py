"""Compiled per-sample loops of the renderer (numba): control smoothing and the output stage.

Both run on whole blocks of hops, so ``serve`` (one hop per call) and ``render`` (hundreds)
share them and produce the same samples.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def smooth_controls(targets, gains, latent, gain_state, alpha, snap, latents_out,
                    hop_gains_out):  # pragma: no cover - compiled
    """One-pole smoothing of latent and gain targets, one step per hop.

    Args:
        targets: [n, latent_dim] float64 latent targets; gains: [n] float64 gain targets.
        latent: [latent_dim] float64 smoothed latent (state, updated).
        gain_state: [1] float64 smoothed gain (state, updated).
        alpha: smoothing coefficient per hop, 1 - exp(-hop / tau).
        snap: a smoothed gain below this becomes exactly 0 (digital silence).
        latents_out: [n, latent_dim] float64, the smoothed latent of each hop.
        hop_gains_out: [n + 1] float64, the gain at the start of the block, then after each hop.
    """
    n, d = targets.shape
    g = gain_state[0]
    hop_gains_out[0] = g
    for i in range(n):
        for j in range(d):
            latent[j] += alpha * (targets[i, j] - latent[j])
            latents_out[i, j] = latent[j]
        g += alpha * (gains[i] - g)
        if g < snap:
            g = 0.0
        hop_gains_out[i + 1] = g
    gain_state[0] = g


@numba.njit(cache=True, nogil=True)
def output_stage(mono, hop_gains, dc_state, dc_pole, limiter_state, ceiling, release,
                 out):  # pragma: no cover - compiled
    """:func:`output_stage_into` with its scratch allocated here (one hop of float64)."""
    n = hop_gains.shape[0] - 1
    return output_stage_into(mono, hop_gains, dc_state, dc_pole, limiter_state, ceiling,
                             release, out, np.empty(mono.shape[0] // n, np.float64))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def output_stage_into(mono, hop_gains, dc_state, dc_pole, limiter_state, ceiling, release,
                      out, buf):  # pragma: no cover - compiled
    """Gain ramp, DC blocker, peak limiter and hard ceiling; mono → every output channel.

    Args:
        mono: [n * hop] float32 synthesised samples.
        hop_gains: [n + 1] float64; inside hop j the gain ramps linearly from hop_gains[j]
            to hop_gains[j + 1] (no zipper noise).
        dc_state: [2] float64 (previous input, previous output) of the DC blocker
            ``y[t] = (1 + p) / 2 * (x[t] - x[t-1]) + p * y[t-1]`` (Smith, "Introduction to
            Digital Filters", DC blocker), updated.
        dc_pole: p, exp(-2 pi f_c / sample_rate).
        limiter_state: [1] float64 limiter gain (state, updated). Per hop, the gain needed to
            keep the hop's peak at ``ceiling`` is reached within the hop (attack) or
            approached by ``release`` per hop; the gain ramps linearly inside the hop.
        ceiling: linear peak ceiling; every output sample is clipped to it as a last resort.
        release: limiter release coefficient per hop.
        out: [n * hop, channels] float32, receives the result.
        buf: [>= hop] float64 scratch (the audio callback passes a preallocated one).
    Returns:
        Number of non-finite samples replaced by 0 (0 unless something upstream broke).
    """
    n = hop_gains.shape[0] - 1
    hop = mono.shape[0] // n
    channels = out.shape[1]
    x1 = dc_state[0]
    y1 = dc_state[1]
    b0 = 0.5 * (1.0 + dc_pole)
    g_lim = limiter_state[0]
    bad = 0
    for j in range(n):
        g0 = hop_gains[j]
        dg = (hop_gains[j + 1] - g0) / hop
        peak = 0.0
        for i in range(hop):
            x = mono[j * hop + i] * (g0 + dg * (i + 1))
            if not np.isfinite(x):
                x = 0.0
                bad += 1
            y = b0 * (x - x1) + dc_pole * y1
            x1 = x
            y1 = y
            buf[i] = y
            if abs(y) > peak:
                peak = abs(y)
        wanted = ceiling / peak if peak > ceiling else 1.0
        new = wanted if wanted < g_lim else g_lim + release * (wanted - g_lim)
        dl = (new - g_lim) / hop
        for i in range(hop):
            v = buf[i] * (g_lim + dl * (i + 1))
            v = min(max(v, -ceiling), ceiling)
            for c in range(channels):
                out[j * hop + i, c] = v
        g_lim = new
    dc_state[0] = x1
    dc_state[1] = y1
    limiter_state[0] = g_lim
    return bad
