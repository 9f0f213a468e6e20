# synth-server — make run (install what is missing, play the default model) / make test
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MODEL ?= models/default
SERVE_ARGS ?=
# torch first and pinned, before anything that depends on it. On our machines pip's find-links
# serves the CPU wheel for this pin; elsewhere PyPI's torch pulls several GB of CUDA wheels, so
# there use e.g. `make run TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"`.
TORCH_SPEC ?= torch==2.13.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_ENV := DEBIAN_FRONTEND=noninteractive

.PHONY: run test test-unit bench model dataset docs clean debian-run debian-test

$(VENV)/bin/activate:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.torch: $(VENV)/bin/activate
	$(PIP) install --quiet $(TORCH_SPEC)
	touch $@

$(VENV)/.installed: $(VENV)/.torch pyproject.toml
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e ".[dev,train]"
	touch $@

# Debian packages: PortAudio for sound; JACK (dummy clock), liblo's oscsend, Pure Data (pd,
# headless), fluidsynth and the FluidR3 GM SoundFont (dataset soundfont) for the tests; a C
# compiler for the allocator shim that proves the audio callback allocates nothing; Debian's
# chromium for the browser controller's tests (Playwright drives it; its own download cannot work).
# Installed only when missing and when apt-get exists; elsewhere the server explains and plays on its internal clock.
debian-run:
	@if ! PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libportaudio.so.2'; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing libportaudio2 (Debian)"; \
	    ($(SUDO) apt-get update -qq || true) && $(SUDO) $(APT_ENV) apt-get install -y -qq --no-install-recommends libportaudio2 >/dev/null; \
	  else echo "note: PortAudio not found and no apt-get: serve will play on its internal clock (--record FILE.wav keeps the sound)"; fi; \
	fi

debian-test:
	@missing=""; \
	PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libportaudio.so.2' || missing="$$missing libportaudio2"; \
	command -v jackd >/dev/null || missing="$$missing jackd2"; \
	command -v oscsend >/dev/null || missing="$$missing liblo-tools"; \
	command -v pd >/dev/null || missing="$$missing puredata-core"; \
	command -v fluidsynth >/dev/null || missing="$$missing fluidsynth"; \
	[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || missing="$$missing fluid-soundfont-gm"; \
	command -v cc >/dev/null || missing="$$missing gcc libc6-dev"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing$$missing (Debian)"; \
	    ($(SUDO) apt-get update -qq || true) && $(SUDO) $(APT_ENV) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing$$missing and no apt-get: end-to-end tests will fail"; exit 1; fi; \
	fi

run: debian-run $(VENV)/.installed
	$(VENV)/bin/synth-server serve --model $(MODEL) $(SERVE_ARGS)

# the layering contract (pyproject.toml [tool.importlinter], docs/architecture.md), then every test
test: debian-test $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

# the fast tier for the edit-run loop: no processes, no JACK, no training
test-unit: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q -m unit $(PYTEST_ARGS)

# An existing data/toy is used as it is (`synth-server dataset toy --out data/toy --force`
# renders it again and keeps the old one beside it).
# Re-create the shipped default model (dataset → training); see models/default/README.md.
# --force: the current $(MODEL) is kept beside as $(MODEL).old-YYYYmmdd-HHMMSS (delete it when
# done); the new one has no descriptors/heatmaps/report until fit-descriptors / evaluate run.
dataset: $(VENV)/.installed-dev
	@if [ -e data/toy/factors.csv ]; then echo "data/toy exists: used as it is"; \
	else $(VENV)/bin/synth-server dataset toy --out data/toy; fi

model: dataset
	$(VENV)/bin/synth-server train --data data/toy --out $(MODEL) --force

docs: $(VENV)/.installed
	$(PY) -m synth_server.app.docs

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

SOAK_SECONDS ?= 600
bench: debian-test $(VENV)/.installed-dev
	$(PY) benchmarks/run_all.py --soak-seconds $(SOAK_SECONDS)
