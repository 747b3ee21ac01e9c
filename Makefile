# plane-teams: thin wrapper around CMake and the test suites.
#   make deps   install the Debian packages and the test tools (as root; otherwise prints the apt-get line)
#   make        build build/plane-teams (installs nothing)
#   make demo   show the main job on bundled example data (no credentials)
#   make test   every test: Lua specs, luacheck, C unit tests, integration, sanitizers, the
#               image and the Kubernetes manifests under podman
# demo, preview, bench and the test targets first install what they need (deps-*), so that
# they work on a fresh Debian machine; make, build and build-asan never install anything.
#   make fuzz   every libFuzzer target for FUZZ_SECONDS each (docs/fuzzing.md)
SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian packages: what building and the demo need, what the Lua specs and luacheck need
# (test-lua and lint, nothing else), and what the other tests add.
DEB_BUILD := build-essential cmake pkg-config liblua5.4-dev lua5.4 lua-cjson libuv1-dev \
  libcurl4-openssl-dev python3 tzdata ca-certificates
DEB_LUA := lua5.4 lua-cjson lua-busted lua-check python3
DEB_TEST := valgrind faketime chromium fonts-noto-color-emoji fonts-droid-fallback \
  mmdebstrap shellcheck podman buildah runc podman-compose uidmap containernetworking-plugins catatonit systemd strace \
  clang libclang-rt-14-dev squid nginx-light openssl
# -Werror: on for the test builds (build-asan always, build under the test targets)
WERROR ?= OFF

.PHONY: all build build-asan deps deps-build deps-lua deps-test demo preview screenshots bench test test-lua test-unit \
  test-integration test-valgrind test-container test-kubernetes deps-kubernetes test-install test-fuzz build-fuzz fuzz lint clean docker-build docker-up docker-down \
  docker-logs docker-reload docker-status

all: build

deps: deps-build deps-lua deps-test deps-kubernetes

# apt-get only what is missing; as another user, print the line to run
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; \
	  else echo "missing Debian packages; run as root:"; echo "  apt-get install -y $$missing"; exit 1; fi; \
	fi
endef

deps-build:
	$(call apt_install,$(DEB_BUILD))

deps-lua:
	$(call apt_install,$(DEB_LUA))

# npm fetches Microsoft's Adaptive Cards renderer, pinned by tools/cardcheck/package-lock.json:
# the tests run it with Node, and make preview puts it in the page. The daemon never needs it.
deps-test: deps-build deps-lua
	$(call apt_install,$(DEB_TEST))
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } \
	  || { echo "missing Node.js; run as root: apt-get install -y nodejs npm"; exit 1; }
	@[ tools/cardcheck/node_modules/.package-lock.json -nt tools/cardcheck/package-lock.json ] || \
	  npm ci --prefix tools/cardcheck --no-audit --no-fund --loglevel=error

# A goal that installs (demo, preview, bench, test*) builds only after deps-build.
ifneq ($(filter demo preview screenshots bench test%,$(MAKECMDGOALS)),)
build build-asan: deps-build
endif

# cmake --build re-runs the configure step itself when CMakeLists.txt changes; the
# explicit one only applies a changed WERROR (and costs nothing when none changed).
build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPT_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }

build-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPT_SANITIZE=ON -DPT_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) >$(ASAN_BUILD)/build.log 2>&1 || { cat $(ASAN_BUILD)/build.log; exit 1; }

demo: build
	@bash examples/demo.sh $(BUILD)/plane-teams

# make preview [ISSUES=saved.json] [CONFIG=config.lua] [CARD_LANGUAGE=fr]: the card as Teams
# shows it, in build/preview.html, and a screenshot in build/preview.png when Chromium is
# there. ISSUES: what 'once --dry-run --save FILE' wrote, or a Plane page of issues.
# EXAMPLE=labels: a variant of the gallery, examples/scripts/labels/, put over the shipped
# scripts in build/examples/labels/ (with them beside it as default.lua and default_card.lua,
# which the variants require).
ISSUES ?= examples/sync.json
CONFIG ?= examples/config.lua
EXAMPLE ?=
RENDERER := tools/cardcheck/node_modules/adaptivecards/dist/adaptivecards.min.js
EXAMPLE_DIR := $(BUILD)/examples/$(EXAMPLE)
preview: build deps-test
	@if [ -n "$(EXAMPLE)" ]; then \
	  [ -d examples/scripts/$(EXAMPLE) ] || { echo "no examples/scripts/$(EXAMPLE)"; exit 1; }; \
	  rm -rf $(EXAMPLE_DIR) && mkdir -p $(EXAMPLE_DIR) && cp scripts/*.lua $(EXAMPLE_DIR)/ && \
	  cp scripts/transform.lua $(EXAMPLE_DIR)/default.lua && cp scripts/card.lua $(EXAMPLE_DIR)/default_card.lua && \
	  cp examples/scripts/$(EXAMPLE)/*.lua $(EXAMPLE_DIR)/; fi
	@LOG_FILE= $(BUILD)/plane-teams -c $(CONFIG) $(if $(EXAMPLE),--scripts $(EXAMPLE_DIR)) preview --issues $(ISSUES) \
	  --html $(BUILD)/preview.html --renderer $(RENDERER) --output $(BUILD)/preview.json
	@if command -v chromium >/dev/null; then \
	  profile=$$(mktemp -d); \
	  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir=$$profile --window-size=900,900 \
	    --screenshot=$(BUILD)/preview.png file://$(CURDIR)/$(BUILD)/preview.html >/dev/null 2>&1; rm -rf $$profile; \
	  echo "screenshot: $(BUILD)/preview.png"; fi
	@echo "open $(BUILD)/preview.html in a browser"

# make screenshots: the pictures in docs/ redone after a change of the card or a variant:
# preview-en.png and preview-fr.png (the default card), gallery-<variant>.png (each of
# examples/scripts/). Look at them before committing.
GALLERY := $(notdir $(wildcard examples/scripts/*))
screenshots: build deps-test
	@$(MAKE) preview CARD_LANGUAGE=en >/dev/null && cp $(BUILD)/preview.png docs/preview-en.png
	@$(MAKE) preview CARD_LANGUAGE=fr >/dev/null && cp $(BUILD)/preview.png docs/preview-fr.png
	@for e in $(GALLERY); do \
	  CARD_LANGUAGE=en $(MAKE) preview EXAMPLE=$$e >/dev/null && cp $(BUILD)/preview.png docs/gallery-$$e.png || exit 1; \
	done
	@echo "screenshots: docs/preview-en.png docs/preview-fr.png $(foreach e,$(GALLERY),docs/gallery-$(e).png)"

lint: deps-lua
	luacheck -q scripts host tests/scripts config.lua examples/config.lua examples/scripts
	python3 tools/gen_card_rules.py --check

# the specs, the gallery's specs (examples/scripts/*/spec), the specs a team keeps when it
# rewrites a script (tests/scripts/kept.sh) and every Lua example of docs/scripting.md
test-lua: deps-lua
	cd tests/scripts && lua5.4 /usr/bin/busted --lpath='../../scripts/?.lua;../../host/?.lua;./?.lua' .
	@for d in examples/scripts/*/; do \
	  (cd $$d && lua5.4 /usr/bin/busted --lpath='./?.lua;../../../scripts/?.lua;../../../host/?.lua;../../../tests/scripts/?.lua' spec) || exit 1; \
	done
	bash tests/scripts/kept.sh
	python3 tools/doc_examples.py docs/scripting.md

# ctest comes with cmake: the unit tests need what building needs and nothing more
test-unit: deps-build build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure

test-integration: deps-test build build-asan
	python3 tests/integration/run.py --binary $(ASAN_BUILD)/plane-teams

test-valgrind: deps-test build
	bash tests/valgrind.sh $(BUILD)/plane-teams

# the image, built from the Dockerfile and run with podman (and the compose file with
# podman-compose) against the fakes on loopback; docs/docker.md, "testing the image without Docker"
test-container: deps-test
	bash tests/container/suite.sh

# the Kubernetes manifests (dist/kubernetes): kubectl kustomize builds them, every object
# is checked against Kubernetes' schemas (tools/k8scheck, pinned by its package-lock.json),
# and the Deployment runs under podman kube play against the fakes; docs/kubernetes.md
test-kubernetes: deps-kubernetes
	bash tests/kubernetes/suite.sh

# kubectl: any on the PATH, else Debian's (kubernetes-client, 1.20 in bookworm: it builds
# the base; the suite says SKIP for the CronJob overlay, whose components it lacks)
deps-kubernetes: deps-test
	@command -v kubectl >/dev/null || { [ "$$(id -u)" = 0 ] && echo "installing: kubernetes-client" && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null; }; }; } \
	  || { echo "missing kubectl; run as root: apt-get install -y kubernetes-client"; exit 1; }
	@[ tools/k8scheck/node_modules/.package-lock.json -nt tools/k8scheck/package-lock.json ] || \
	  npm ci --prefix tools/k8scheck --no-audit --no-fund --loglevel=error

# cmake --install into a scratch prefix, and the installed binary's preview --html
test-install: deps-test
	bash tests/install.sh

# libFuzzer targets (clang, ASan+UBSan): `make fuzz` explores for FUZZ_SECONDS per target,
# FUZZ_JOBS at a time; `make test-fuzz` replays the seed corpora, then explores from them
# for FUZZ_TEST_SECONDS each (5), FUZZ_TEST_JOBS (2) at a time.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
$(FUZZ_BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPT_FUZZ=ON -DPT_TESTS=OFF >/dev/null

build-fuzz: deps-test $(FUZZ_BUILD)/Makefile
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) >$(FUZZ_BUILD)/build.log 2>&1 || { cat $(FUZZ_BUILD)/build.log; exit 1; }

fuzz: build-fuzz
	BUILD=$(FUZZ_BUILD) FUZZ_JOBS=$(FUZZ_JOBS) bash tests/fuzz/run.sh $(FUZZ_SECONDS)

FUZZ_TEST_SECONDS ?= 5
FUZZ_TEST_JOBS ?= 2
test-fuzz: build-fuzz
	BUILD=$(FUZZ_BUILD) FUZZ_JOBS=$(FUZZ_TEST_JOBS) FUZZ_REPLAY=1 bash tests/fuzz/run.sh $(FUZZ_TEST_SECONDS)

# every suite in turn (after a failure too), then a table of their times; fails when one failed
TEST_SUITES := lint test-lua test-unit test-integration test-valgrind test-container test-kubernetes test-install test-fuzz
test:
	@MAKE="$(MAKE)" bash tests/suites.sh $(TEST_SUITES)

# the tests build with -Werror (CI runs make test)
test: WERROR = ON
test-%: WERROR = ON

# make bench [RUNS=3]: SPEC §10 against the fakes on loopback (several minutes); the
# table goes to the terminal, callgrind files to build/bench/.
RUNS ?= 3
bench: build deps-test
	python3 bench/run.py --binary $(BUILD)/plane-teams --runs $(RUNS) --callgrind

# Container helpers (need a Docker engine): build, start, stop, follow the logs, reload.
docker-build:
	docker build -t plane-teams:latest .
docker-up:
	@[ -f .env ] || { echo "copy .env.example to .env and fill it in first"; exit 1; }
	docker compose up -d --build
docker-down:
	docker compose down
docker-logs:
	docker compose logs -f plane-teams
docker-reload:
	docker compose kill -s HUP plane-teams
docker-status:
	docker compose exec plane-teams plane-teams status

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
