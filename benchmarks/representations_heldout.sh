#!/usr/bin/env bash
# The representations on the same held-out programs (issue 13): the SoundFont set of
# models/instruments-stft (16 GM programs; 4, 42, 68 held out whole: 45 notes), a mel and a
# logfreq VAE trained on it exactly as the STFT one (but only the PCA map), and the playable hpn
# model; each evaluated on those 45 notes beside its PCA autoencoder. Writes under $OUT.
# Usage: bash benchmarks/representations_heldout.sh [OUT]   (about 15 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/representations}
S="${PYTHON:-.venv/bin/python} -m synth_server.app.cli"
[ -d "$OUT/data/train" ] || $S dataset soundfont --out "$OUT/data" --quiet
for r in mel logfreq; do
  [ -f "$OUT/$r/config.json" ] || $S train --data "$OUT/data/train" --out "$OUT/$r" \
    --representation "$r" --manifolds pca --quiet
  $S evaluate --model "$OUT/$r" --heldout "$OUT/data/heldout" --out "$OUT/$r-report"
done
$S evaluate --model models/instruments-stft --heldout "$OUT/data/heldout" --out "$OUT/stft-report"
$S evaluate --model models/instruments --heldout "$OUT/data/heldout" --data "$OUT/data/train" \
  --out "$OUT/hpn-report"
