# plane-teams: thin wrapper around CMake and the test suites.
#   make deps   install the Debian packages (as root; otherwise prints the apt-get line)
#   make        build build/plane-teams
#   make demo   show the main job on bundled example data (no credentials)
#   make test   every test: Lua specs, luacheck, C unit tests, integration, sanitizers
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

DEB_PACKAGES := build-essential cmake pkg-config liblua5.4-dev lua5.4 lua-cjson libuv1-dev \
  libcurl4-openssl-dev lua-busted lua-check python3 valgrind faketime tzdata ca-certificates
DEB_CHECK := gcc cmake pkg-config liblua5.4-dev lua5.4 lua-cjson libuv1-dev \
  libcurl4-openssl-dev lua-busted lua-check python3 valgrind faketime tzdata ca-certificates

.PHONY: all build deps demo test test-lua test-unit test-integration test-valgrind lint clean

all: build

deps:
	@missing=$$(for p in $(DEB_CHECK); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES) >/dev/null; \
	else \
	  echo "missing Debian packages; run as root:"; \
	  echo "  apt-get install -y $(DEB_PACKAGES)"; exit 1; \
	fi

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPT_SANITIZE=ON >/dev/null

build-asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	@bash examples/demo.sh $(BUILD)/plane-teams

lint: deps
	luacheck -q scripts host/batch.lua tests/scripts config.lua examples/config.lua

test-lua: deps
	cd tests/scripts && lua5.4 /usr/bin/busted --lpath='../../scripts/?.lua;../../host/?.lua;./?.lua' .

test-unit: build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure

test-integration: build build-asan
	python3 tests/integration/run.py --binary $(ASAN_BUILD)/plane-teams

test-valgrind: build
	bash tests/valgrind.sh $(BUILD)/plane-teams

test: lint test-lua test-unit test-integration test-valgrind
	@echo "make test: all suites passed"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
