# Top-level entry points: `make` builds build/infludash, `make run` installs what is
# missing and serves with sample data, `make test` runs every test (normal and sanitizer builds).
BUILD ?= build
ASAN_BUILD ?= build-asan
DB ?= sqlite:infludash.db
# CI builds treat warnings as errors.
WERROR := $(if $(filter true,$(CI)),ON,OFF)
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps test-deps bench-deps run test test-fast asan bench clean format fuzz

all: $(BUILD)/build.ninja
	cmake --build $(BUILD)

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINFLUDASH_WERROR=$(WERROR)

$(ASAN_BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DINFLUDASH_SANITIZE=ON -DINFLUDASH_WERROR=$(WERROR)

deps:
	scripts/deps.sh

test-deps:
	scripts/deps.sh --test

bench-deps:
	scripts/deps.sh --bench

run: deps
	$(MAKE) all
	$(BUILD)/infludash serve --db $(DB) --listen $(LISTEN) --sample-if-empty

asan: $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD)

# The full suite runs twice: optimised, then under AddressSanitizer + UBSan.
test: test-deps
	$(MAKE) all asan
	scripts/run-tests.sh $(BUILD) $(ASAN_BUILD)

test-fast: all
	scripts/run-tests.sh $(BUILD)

# libFuzzer targets (tests/fuzz/), built with clang into build-fuzz/: each replays its
# regressions and seeds, then fuzzes for FUZZ_SECONDS; crashes land in tests/fuzz/crashes/.
FUZZ_SECONDS ?= 300
fuzz: test-deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

bench: bench-deps
	$(MAKE) all
	bench/import.sh
	bench/export.sh
	bench/dashboard.sh
	bench/ui.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz

# Lays out every C file of src/, tests/, tools/, bench/ and cmake/ as .clang-format says
# (clang-format 14; ctest format checks the same files).
format:
	scripts/check-format.sh --fix
