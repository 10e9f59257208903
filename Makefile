# clustersim: set-up, build, run and test in one place. Every target installs the Debian
# packages it needs when they are missing (apt-get; sudo when not root), then builds.
#   make run     simulate configs/scenarios/$(SCENARIO).yaml -> out/$(SCENARIO).h5 + plots + HTML report
#   make test    build and run the whole test suite through CTest
#   make bench   build and run the benchmarks in bench/
#   make test-asan  the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make validate   simulated vs published measurements (validation/), errors per table
#   make fit-check  whether the engine files' fitted constants are still where the fit puts them

SCENARIO ?= launch_day
BUILD    ?= build
JOBS     ?= $(shell nproc)
# Debian's interpreter: it has h5py and matplotlib (another python3 may be first on PATH).
PYTHON   := /usr/bin/python3

PACKAGES := cmake ninja-build g++ libboost-graph-dev libboost-program-options-dev \
            libyaml-cpp-dev libhdf5-dev catch2 hdf5-tools python3-h5py python3-matplotlib python3-numpy \
            python3-pandas python3-yaml nlohmann-json3-dev libopenmpi-dev openmpi-bin libssl-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build run test bench test-asan validate fit-check clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/clustersim run configs/scenarios/$(SCENARIO).yaml -o out/$(SCENARIO).h5
	$(PYTHON) analysis/plot_run.py out/$(SCENARIO).h5 -o out/$(SCENARIO)
	$(PYTHON) analysis/report.py out/$(SCENARIO).h5 -o out/$(SCENARIO)_report
	@echo "report: $(CURDIR)/out/$(SCENARIO)_report/report.html"

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_engine
	$(BUILD)/bench/bench_workloads
	$(BUILD)/bench/bench_network
	$(BUILD)/bench/bench_training
	$(BUILD)/bench/bench_training_cluster
	$(BUILD)/bench/bench_serving
	$(BUILD)/bench/bench_jsonl

validate: build
	$(PYTHON) validation/run_validation.py --build $(BUILD) --check

# The fit needs SciPy, which nothing else does: installed here rather than by `deps`.
fit-check: build
	@$(MAKE) --no-print-directory deps PACKAGES=python3-scipy
	$(PYTHON) validation/fit_engines.py --build $(BUILD) --check

# -O1 -g1 (what the sanitizers' documentation suggests) compiles in about half the time of -O2 -g,
# and without NDEBUG so that the debug-build invariant checks (assert) run under the sanitizers too.
build-asan/build.ninja: | deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DCLUSTERSIM_SANITIZE=ON -DCLUSTERSIM_BENCH=OFF

test-asan: build-asan/build.ninja
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) build-asan out
