#!/usr/bin/env bash
# Builds coach's Debian package for this machine's architecture from a
# built binary: scripts/deb.sh [BIN] [OUT_DIR], by default
# target/release/coach into target/debian. Prints the package's path.
#
# The package holds the binary (stripped), its manual pages and shell
# completions, systemd user units (coach@ROUTINE.service, coach-serve), the bundled
# routine as an example, the README, the copyright and a changelog. Its
# library dependencies come from dpkg-shlibdeps, so it suits the release
# it was built on. Run on the machine (or in a chroot) of the architecture
# wanted: arm64 for Raspberry Pi OS 64-bit, armhf for 32-bit.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/release/coach}
out=${2:-target/debian}
for tool in dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "deb: $tool is missing (sudo apt install dpkg-dev)" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "deb: no binary at $bin (cargo build --release)" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
arch=$(dpkg --print-architecture)
# The newest commit's time, so the same tree gives the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/coach
mkdir -m 755 "$pkg"

make --no-print-directory --quiet install DESTDIR="$pkg" PREFIX=/usr BIN="$bin" >/dev/null
# Debian's folder for zsh completions that come with a package.
mv "$pkg/usr/share/zsh/site-functions" "$pkg/usr/share/zsh/vendor-completions"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/bin/coach"
gzip -9n "$pkg"/usr/share/man/man1/*.1
install -Dm644 -t "$pkg/usr/lib/systemd/user" dist/coach@.service dist/coach-serve.service
doc=$pkg/usr/share/doc/coach
install -Dm644 dist/copyright "$doc/copyright"
install -Dm644 README.md "$doc/README.md"
gzip -9n "$doc/README.md"
install -Dm644 -t "$doc/examples" routines/*.toml
{
  printf 'coach (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from the repository at %s.\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf ' -- The coach developers <coach@users.noreply.github.com>  %s\n' \
    "$(date -R -u -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
find "$pkg" -type d -exec chmod 755 {} +

# The shared libraries the binary links, as package dependencies.
mkdir "$work/debian"
printf 'Source: coach\n\nPackage: coach\nArchitecture: any\n' >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O "$pkg/usr/bin/coach" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')

mkdir -m 755 "$pkg/DEBIAN"
cat >"$pkg/DEBIAN/control" <<EOF
Package: coach
Version: $version
Architecture: $arch
Maintainer: The coach developers <coach@users.noreply.github.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: ${shlibs:+$shlibs, }espeak-ng
Recommends: pulseaudio | pipewire-pulse
Suggests: speech-dispatcher
Section: sound
Priority: optional
Description: voice-guided routines, spoken with sample-exact timing
 coach plays routines (stretches, physiotherapy exercises, workouts)
 written in TOML: it speaks every step aloud and marks every hold, rep and
 rest with exactly timed tones and spoken counts, so a session can be done
 with eyes closed, on a laptop or a headless Raspberry Pi with a speaker.
EOF
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/coach_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
