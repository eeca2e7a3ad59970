#!/usr/bin/env bash
# `make bench`: render speed, memory and cache behaviour, and live playback
# through a private PulseAudio server (benches/playback.rs: about 35
# minutes, most of it two real-time 10-minute sessions, one with every
# core busy, and coach side by side with paplay), measured on this
# machine and written to bench/results.md. Numbers only; nothing here
# passes or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh hyperfine time pulseaudio pulseaudio-utils libasound2-plugins python3-venv dbus-daemon dbus-bin dpkg-dev

cargo build --release --quiet
# Piper TTS for the Piper figures, as the tests have it.
COACH_TEST_PIPER=$(scripts/piper-venv.sh)
export COACH_TEST_PIPER
coach=$PWD/target/release/coach
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Keep the toolchain where it is while the sandbox's HOME moves.
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
export HOME=$work XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/data

routine=bench/sixty-minutes.toml
one_minute=$work/one-minute.toml
ten_minutes=$work/ten-minutes.toml
# Shorter sessions cut from the same material: one round of the first nine
# exercises is about ten minutes.
python3 - "$routine" > "$ten_minutes" <<'PY'
import sys
text = open(sys.argv[1]).read().replace("rounds = 4\n", "rounds = 1\n")
parts = text.split("[[exercise]]")
print(parts[0] + "[[exercise]]".join([""] + parts[1:10]).rstrip())
PY
cat > "$one_minute" <<'TOML'
title = "One-minute benchmark"
[[exercise]]
name = "Neck rolls"
say = "Roll your head slowly."
hold = "40s"
cues = [{ at = "10s", say = "Relax your shoulders." }]
TOML

seconds_of() { "$coach" show "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["duration_seconds"])'; }

# hyperfine's mean wall time, in seconds, of a command.
mean() {
  local json=$work/hf.json
  hyperfine --style none --export-json "$json" "$@" >/dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$json"
}

rows=()
for r in "$one_minute" "$ten_minutes" "$routine"; do
  audio=$(seconds_of "$r")
  warm=$(mean --warmup 2 --runs 10 "$coach render $r --force -o $work/out.wav")
  cold=$(mean --runs 5 --prepare "rm -rf $XDG_CACHE_HOME" "$coach render $r --force -o $work/out.wav")
  rows+=("$(python3 -c 'import sys; a,w,c=map(float,sys.argv[1:]); print(f"| {a/60:.1f} min | {w*1000:.0f} ms | {a/w:,.0f}x | {c*1000:.0f} ms | {a/c:,.0f}x |")' "$audio" "$warm" "$cold")")
done

# Peak memory of a warm 60-minute render (GNU time's maximum resident set).
"$coach" render "$routine" --force -o "$work/out.wav" 2>/dev/null
rss_kb=$(/usr/bin/time -f '%M' "$coach" render "$routine" --force -o "$work/out.wav" 2>&1 >/dev/null | tail -n1)

# espeak-ng runs on a second render: count them through a logging wrapper.
mkdir -p "$work/bin"
real_espeak=$(command -v espeak-ng)
printf '#!/bin/sh\necho x >> %s/espeak.log\nexec %s "$@"\n' "$work" "$real_espeak" > "$work/bin/espeak-ng"
chmod +x "$work/bin/espeak-ng"
rm -rf "$XDG_CACHE_HOME" "$work/espeak.log"
PATH=$work/bin:$PATH "$coach" render "$routine" --force -o "$work/out.wav" 2>/dev/null
first_runs=$(wc -l < "$work/espeak.log")
PATH=$work/bin:$PATH "$coach" render "$routine" --force -o "$work/out.wav" 2>/dev/null
second_runs=$(( $(wc -l < "$work/espeak.log") - first_runs ))

# The 60-minute session as Ogg Vorbis, warm cache.
ogg=$(mean --warmup 1 --runs 5 "$coach render $routine --force -o $work/out.ogg")
ogg_bytes=$(stat -c %s "$work/out.ogg")
wav_bytes=$(stat -c %s "$work/out.wav")
sixty=$(seconds_of "$routine")

# `coach history` over ten years... and more: 10,000 sessions of 17 lines.
python3 - "$work/sessions.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    t = 930812400000
    for i in range(10000):
        s, at = f"s{i}", t + i * 86400000
        line = lambda **k: f.write(json.dumps({"t": at, "session": s, **k}, separators=(",", ":")) + "\n")
        line(event="start", title="Morning stretch", routine="/home/pi/routines/morning.toml", hash="fnv1a64:00", planned=420.0)
        for k in range(15):
            line(event="period", exercise=k // 3, round=1, kind="work", outcome="completed", secs=30.0, len=30.0, played=k * 28.0, pos=k * 28.0)
        line(event="end", reason="finished", played=420.0, pos=420.5)
PY
log_mb=$(python3 -c 'import os,sys; print(f"{os.path.getsize(sys.argv[1])/1e6:.0f}")' "$work/sessions.jsonl")
history=$(COACH_LOG=$work/sessions.jsonl mean --warmup 2 --runs 10 "$coach history")
week=$(COACH_LOG=$work/sessions.jsonl mean --warmup 2 --runs 10 "$coach history --week")
history_kb=$(COACH_LOG=$work/sessions.jsonl /usr/bin/time -f '%M' "$coach" history 2>&1 >/dev/null | tail -n1)

# Long sessions: a 9-hour routine (the tests' long routine, 54 rounds)
# streamed as WAV to a byte counter, and its peak memory beside a 1-hour one.
python3 - "$work" <<'PY'
import re, sys
src = open("tests/common/mod.rs").read()
body = re.search(r'format!\(\s*r#"(.*?)"#', src[src.index("pub fn long_routine"):], re.S).group(1)
for rounds in (7, 54):
    text = body.replace("{rounds}", str(rounds)).replace("{{", "{").replace("}}", "}")
    open(f"{sys.argv[1]}/long{rounds}.toml", "w").write(text)
PY
"$coach" render "$work/long54.toml" -o - >/dev/null 2>&1
long=$(mean --warmup 1 --runs 5 "$coach render $work/long54.toml -o - > /dev/null")
long_s=$(seconds_of "$work/long54.toml")
long_kb=$(/usr/bin/time -f '%M' sh -c "$coach render $work/long54.toml -o - > /dev/null" 2>&1 | tail -n1)
hour_kb=$(/usr/bin/time -f '%M' sh -c "$coach render $work/long7.toml -o - > /dev/null" 2>&1 | tail -n1)

size=$(stat -c %s target/release/coach)
# The Debian package of this release build, and the stripped binary in it.
deb=$(scripts/deb.sh target/release/coach "$work/deb")
deb_size=$(stat -c %s "$deb")
dpkg-deb -x "$deb" "$work/deb/root"
stripped=$(stat -c %s "$work/deb/root/usr/bin/coach")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')

{
  echo "# coach benchmarks"
  echo
  echo "Measured by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu), $(uname -sr), release build."
  echo
  echo "## Render to WAV"
  echo
  echo "Wall time of \`coach render ROUTINE -o out.wav\`, mean of 10 runs (warm speech cache, after 2 warm-ups)"
  echo "and of 5 runs with the cache emptied before each (cold: every phrase synthesized by espeak-ng),"
  echo "timed by hyperfine. Speed is session length divided by wall time."
  echo
  echo "| session | warm | warm speed | cold | cold speed |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "## Other figures"
  echo
  echo "| what | value | how |"
  echo "|---|---|---|"
  echo "| peak memory, 60-minute render, warm | $((rss_kb / 1024)) MiB ($rss_kb KiB) | GNU time's maximum resident set size |"
  echo "| espeak-ng runs, first render of the 60-minute routine | $first_runs | counted through a logging espeak-ng wrapper on PATH |"
  echo "| espeak-ng runs, second render | $second_runs | the same |"
  echo "| 60-minute render to Ogg Vorbis, warm | $(python3 -c "print(f'{$ogg*1000:.0f} ms ({$sixty/$ogg:,.0f}x)')") | hyperfine, mean of 5 runs |"
  echo "| Ogg Vorbis size, 60 minutes | $(python3 -c "print(f'{$ogg_bytes/1e6:.1f} MB (WAV: {$wav_bytes/1e6:.1f} MB)')") | the files written |"
  echo "| \`coach history\`, 10,000 sessions (${log_mb} MB log) | $(python3 -c "print(f'{$history*1000:.0f} ms')") | hyperfine, mean of 10 runs |"
  echo "| \`coach history --week\`, the same log | $(python3 -c "print(f'{$week*1000:.0f} ms')") | the same |"
  echo "| peak memory, \`coach history\` on that log | $((history_kb / 1024)) MiB | GNU time's maximum resident set size |"
  echo "| $(python3 -c "print(f'{$long_s/3600:.1f}')")-hour session as a WAV stream (\`render -o -\`), warm | $(python3 -c "print(f'{$long*1000:.0f} ms ({$long_s/$long:,.0f}x)')") | hyperfine, mean of 5 runs, into /dev/null |"
  echo "| peak memory, that $(python3 -c "print(f'{$long_s/3600:.1f}')")-hour render / a $(python3 -c "print(f'{$(seconds_of "$work/long7.toml")/3600:.1f}')")-hour one | $((long_kb / 1024)) MiB / $((hour_kb / 1024)) MiB | GNU time; the plan grows with the session, the audio is never held |"
  echo "| binary size | $((size / 1024)) KiB | target/release/coach, stripped |"
  echo "| Debian package (\`make deb\`) | $((deb_size / 1024)) KiB, the binary in it $((stripped / 1024)) KiB | scripts/deb.sh on this release build |"
  echo
  cargo bench --quiet --bench playback
  echo
  bench/serve-idle.sh "$coach" 120
} > "$work/results.md"
mv "$work/results.md" bench/results.md
cat bench/results.md
bench/intelligibility.sh
