# Thin wrappers around meson and the project's scripts.
STATE_DIR ?= /var/lib/ciel
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build up check unit fuzz bench conformance clean

all: build

deps:
	@tools/deps

build: deps
	@test -d build || meson setup build --buildtype=release >/dev/null
	@ninja -C build

# Installs what is missing, builds, and runs the all-in-one cloud in the foreground.
up:
	tools/up --state-dir $(STATE_DIR) --listen $(LISTEN)

# The whole test suite; the last line reads "N passed, N failed, N skipped".
check:
	@tools/check

unit: deps
	@test -d build-check || meson setup build-check -Db_sanitize=address,undefined >/dev/null
	@ninja -C build-check && meson test -C build-check

fuzz: deps
	@tools/fuzz 60

bench: build
	@bench/identity

conformance: build
	@tools/conformance

clean:
	rm -rf build build-check build-fuzz
