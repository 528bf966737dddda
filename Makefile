# The two commands a newcomer runs: `make render` (the main job) and `make test`.
# `make render` joins every available chapter into renders/explainer.mp4 (480p); `make render QUALITY=high` gives 1080p.
# Both install what is missing first (scripts/setup.sh is idempotent).
PY := .venv/bin/python
QUALITY ?= low

.PHONY: render test setup setup-test lint clean

# One process makes every output (explainer + chapter MP4s, GIFs, stills, deck, explorer) and prints a phase table;
# setup is timed here so the table shows it too.
render:
	@t0=$$(date +%s%N) && bash scripts/setup.sh && t1=$$(date +%s%N) && \
	$(PY) -m gdevo render all --quality $(QUALITY) --setup-seconds $$(( (t1 - t0) / 1000000 ))e-3

test: setup-test
	$(PY) -m pytest -n 2 -q

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

lint: setup
	.venv/bin/ruff check gdevo sim scenes tests

clean:
	rm -rf renders/media renders/logs renders/.stamps .cache
