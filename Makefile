# One way to build: every target installs what it is missing, then builds, then runs.
# Nothing is rebuilt or reinstalled when nothing changed.
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
BUILD   := build/dev
JOBS    ?= $(shell nproc)
APT_PKGS := llvm-19-dev libzstd-dev libtbb-dev libgtest-dev cmake ninja-build

.PHONY: all build test test-cpp test-py bench bench-quick info clean deps

all: build

# Debian packages: installed only when one is missing.
$(BUILD)/.apt-ok:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(BUILD) && touch $@

# Python packages for building and testing, into .venv.
$(VENV)/.deps-ok: requirements-dev.txt
	@test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements-dev.txt
	@touch $@

$(VENV)/.bench-ok: $(VENV)/.deps-ok requirements-bench.txt
	$(VPY) -m pip install -q -r requirements-bench.txt
	@touch $@

deps: $(BUILD)/.apt-ok $(VENV)/.deps-ok

$(BUILD)/CMakeCache.txt: $(BUILD)/.apt-ok $(VENV)/.deps-ok CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(abspath $(VPY))

# Builds the extension and copies it next to the Python sources (python/hotloop/).
build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	@# copy then rename: a running process keeps the old library intact
	@for f in $(BUILD)/_core*.so; do cmp -s $$f python/hotloop/$$(basename $$f) || \
	  { cp $$f python/hotloop/.$$(basename $$f).tmp && mv python/hotloop/.$$(basename $$f).tmp python/hotloop/$$(basename $$f); }; done

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure

test-py: build
	PYTHONPATH=python $(VPY) -m pytest tests -x -p no:cacheprovider

test: test-cpp test-py

bench: build $(VENV)/.bench-ok
	PYTHONPATH=python $(VPY) -m hotloop bench $(BENCH_ARGS)

bench-quick: build $(VENV)/.bench-ok
	PYTHONPATH=python $(VPY) -m hotloop bench --quick $(BENCH_ARGS)

info: build
	PYTHONPATH=python $(VPY) -m hotloop info

clean:
	rm -rf build python/hotloop/_core*.so
