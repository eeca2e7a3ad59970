#!/usr/bin/env bash
# Side by side: CPU per minute of `coach play` for two or more binaries
# (say, the last release and this build) through one private PulseAudio
# server with a null sink, counting the server's CPU too, alternated over
# two rounds of a 2-minute session (about 8 minutes for two binaries).
# Numbers only; nothing here passes or fails.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bench/side-by-side.sh COACH [COACH ...]   e.g. /tmp/coach-old target/release/coach" >&2
  exit 2
fi
work=$(mktemp -d); trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/run" "$work/home"
head -c 256 /dev/urandom > "$work/cookie"
HOME=$work XDG_RUNTIME_DIR=$work/run XDG_CONFIG_HOME=$work/config pulseaudio --daemonize=no --exit-idle-time=-1 \
  --disallow-exit=yes --use-pid-file=no -n --log-target=stderr \
  --load="module-native-protocol-unix socket=$work/native auth-anonymous=1" \
  --load="module-null-sink sink_name=test_sink rate=48000 channels=2" --load=module-always-sink 2>/dev/null &
server=$!
export PULSE_SERVER=unix:$work/native PULSE_COOKIE=$work/cookie
for i in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl set-default-sink test_sink
export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/home/config
cat > "$work/two.toml" <<'TOML'
title = "Two-minute comparison"
[[exercise]]
name = "Neck rolls"
say = "Roll your head slowly."
hold = "50s"
sides = ["Left", "Right"]
cues = [{ at = "10s", say = "Relax your shoulders." }, { every = "15s", say = "Breathe." }]
TOML
ticks=$(getconf CLK_TCK)
server_cpu() { awk -v t="$ticks" '{print ($14+$15)/t}' /proc/$server/stat; }
for b in "$@"; do rm -f "$work/warm.wav"; "$b" render "$work/two.toml" -o "$work/warm.wav" 2>/dev/null; done
for round in 1 2; do
  for b in "$@"; do
    s0=$(server_cpu)
    /usr/bin/time -o "$work/t" -f "%U %S %e %M" "$b" play "$work/two.toml" -q --no-log </dev/null
    s1=$(server_cpu)
    read u s e m < "$work/t"
    awk -v b="$(basename "$b")" -v u="$u" -v s="$s" -v e="$e" -v m="$m" -v s0="$s0" -v s1="$s1" 'BEGIN {
      min=e/60; printf "%-14s coach %.3f s/min  server %.3f s/min  together %.3f s/min  (%.1f s played, peak %d KiB)\n",
      b, (u+s)/min, (s1-s0)/min, (u+s+s1-s0)/min, e, m }'
  done
done
