#!/usr/bin/env bash
# Installs what coach needs to build, play and test, where it is missing.
# On Debian, Ubuntu and Raspberry Pi OS it uses apt-get (through sudo when
# not root); elsewhere it says what to install. Extra Debian packages to
# install can be given as arguments (the benchmarks add theirs).
set -euo pipefail

# Building needs pkg-config, ALSA's and libpulse's headers, and for the system voice
# (a default feature) speech-dispatcher's headers and libclang; playing
# needs espeak-ng.
packages=(pkg-config libasound2-dev libpulse-dev libspeechd-dev libclang-dev espeak-ng "$@")

say() { printf 'setup: %s\n' "$*" >&2; }

# The Rust toolchain: cargo with rustfmt and clippy, new enough for edition 2024.
if ! command -v cargo >/dev/null 2>&1; then
  say "cargo was not found. Install Rust from https://rustup.rs:"
  say "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
  exit 1
fi
rust_version=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n' 1.85.0 "$rust_version" | sort -V | head -n1)" != 1.85.0 ]; then
  say "Rust $rust_version is too old; coach needs 1.85 or newer. Update with: rustup update stable"
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1; then
      say "adding the $component component"
      rustup component add "$component"
    else
      say "cargo $component is missing; install it with your Rust toolchain"
      exit 1
    fi
  fi
done

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
      if ! command -v sudo >/dev/null 2>&1; then
        say "please install as root: apt-get install ${missing[*]}"
        exit 1
      fi
      sudo=(sudo)
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  for tool in espeak-ng pkg-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      say "$tool was not found. Install espeak-ng, pkg-config and the ALSA development"
      say "files with your package manager (e.g. 'brew install espeak-ng pkg-config' on macOS,"
      say "'dnf install espeak-ng pkgconf alsa-lib-devel' on Fedora)."
      exit 1
    fi
  done
fi
