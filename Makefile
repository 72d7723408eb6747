# Lifeline front door. The real build is CMake; these targets install what they need first.
#   make demo        build and run the tamper story (hemsd + henbd on SQLite)
#   make check       every test (unit, integration, scenario, fuzz) under ASan+UBSan
#   make build       a plain optimised build in build/
#   make bench       benchmarks (full); make bench-quick for a short run
.PHONY: all deps build build-check demo check unit bench bench-quick clean format

BUILD ?= build
CHECK_BUILD ?= build-check
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang
	cmake --build $(BUILD) -j $(JOBS)

build-check: deps
	cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	      -DLF_SANITIZE=ON -DLF_FUZZ=ON -DLF_WERROR=ON -DLF_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(CHECK_BUILD) -j $(JOBS)

demo: build
	scripts/demo $(BUILD)

check: build-check
	cd $(CHECK_BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build-check
	cd $(CHECK_BUILD) && ctest --output-on-failure -L unit

bench: build
	bench/run full $(BUILD)

bench-quick: build
	bench/run quick $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
