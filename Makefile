# The two commands the README promises: `make play` and `make test`.
# Each installs what is missing first (scripts/setup.sh).

CARGO ?= cargo
ROUTINE ?= hamstring-lower-back
OUT ?= target/$(ROUTINE).wav

.PHONY: setup play test bench

setup:
	@scripts/setup.sh

## Build coach and render the bundled routine (live playback is on its way).
play: setup
	$(CARGO) build --release --quiet
	./target/release/coach render $(ROUTINE) -o $(OUT)
	@echo "The session is in $(OUT): play it with any audio player, e.g. aplay $(OUT)"

## Formatting, lints and every test, with real espeak-ng speech.
test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings
	$(CARGO) test

## Speed and memory figures, written to bench/results.md.
bench: setup
	@bench/run.sh
