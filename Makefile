# The two commands the README promises: `make play` and `make test`.
# Each installs what is missing first (scripts/setup.sh).

CARGO ?= cargo
ROUTINE ?= hamstring-lower-back

.PHONY: setup play test bench

setup:
	@scripts/setup.sh

## Build coach and play the bundled routine on the default sound device.
play: setup
	$(CARGO) build --release --quiet
	./target/release/coach play $(ROUTINE)

## Formatting, lints and every test, with real espeak-ng speech, a real
## PulseAudio server (started by the tests themselves) for playback, and
## speech-dispatcher for the system voice; python3-jsonschema checks the
## routine schema and oggdec decodes Ogg renders in the tests.
test:
	@scripts/setup.sh pulseaudio pulseaudio-utils libasound2-plugins speech-dispatcher speech-dispatcher-espeak-ng python3-jsonschema tzdata vorbis-tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings
	$(CARGO) check --quiet --no-default-features
	$(CARGO) test

## Speed and memory figures, written to bench/results.md.
bench: setup
	@bench/run.sh
