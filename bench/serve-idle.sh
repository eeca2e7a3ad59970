#!/usr/bin/env bash
# `coach serve` waiting, as a Raspberry Pi on a shelf runs it all day: its
# CPU over WAIT seconds (utime + stime from /proc/PID/stat, read before and
# after) and its resident size, with a schedule to watch (its thread looks
# at the timer files at least every 30 s) and input devices read (auto,
# or INPUT=off to leave them out).
# Prints a Markdown section; bench/run.sh includes it in bench/results.md.
# Usage: bench/serve-idle.sh COACH [WAIT]
set -euo pipefail
coach=$1
wait=${2:-120}
work=$(mktemp -d)
serve=
trap '[ -n "$serve" ] && kill "$serve" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/run" "$work/bin"
chmod 700 "$work/run"
# No user manager: serve plays the schedule itself, as without systemd.
printf '#!/bin/sh\nexit 1\n' > "$work/bin/systemctl"
chmod +x "$work/bin/systemctl"
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/run
# At the same time as now, so not due again for a day.
at=$(date +%H:%M)
PATH=$work/bin:$PATH "$coach" schedule add hamstring-lower-back --at "$at" --name bench >/dev/null 2>&1
"$coach" serve --input "${INPUT:-auto}" >"$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 100); do [ -S "$work/run/coach/serve.sock" ] && break; sleep 0.1; done
ticks() { awk '{print $14 + $15}' "/proc/$serve/stat"; }
sleep 2
before=$(ticks)
sleep "$wait"
after=$(ticks)
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$serve/status")
threads=$(awk '/^Threads/ {print $2}' "/proc/$serve/status")
hz=$(getconf CLK_TCK)
echo "### \`coach serve\`, waiting"
echo
echo "\`coach serve --input ${INPUT:-auto}\` waiting ${wait} s with nothing asked and one schedule to watch, no systemd user manager"
echo "(so its own schedule thread runs): CPU from \`/proc/PID/stat\` (utime + stime, $hz ticks a second) before and after,"
echo "resident size from \`/proc/PID/status\`."
echo
echo "| figure | value |"
echo "|---|---|"
echo "| CPU while waiting, ${wait} s | $((after - before)) ticks ($(python3 -c "print(f'{($after-$before)/$hz*1000/$wait*3600/1000:.2f}')") s an hour at that rate) |"
echo "| resident size | $((rss_kb / 1024)).$(( (rss_kb % 1024) * 10 / 1024 )) MiB |"
echo "| threads | $threads |"
