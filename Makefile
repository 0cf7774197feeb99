# Two commands are enough on a fresh clone: `make report` builds the report, `make test` tests it.
# Both create .venv with exactly the versions in requirements.lock when it is missing or out of date.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
UV     := $(VENV)/lock-tools/bin/uv

.PHONY: report test lab bench repro validate lock clean

# The lock must match pyproject.toml (one line and a failure if not). A changed lock means a new .venv,
# so nothing outside the lock stays installed; the project itself goes in last, without dependencies.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -m analysis.lock check
	@cmp -s $(LOCK) $(VENV)/.lock || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >$(VENV)/.pip-check || { cat $(VENV)/.pip-check; exit 1; }
	@cp $(LOCK) $(VENV)/.lock && touch $(STAMP)

report: $(STAMP)  ## execute every notebook for every scenario, render HTML and PDF
	$(BIN)/python -m analysis build $(ARGS)

test: $(STAMP)  ## library tests, notebook validation, checks of the rendered HTML and PDF
	$(BIN)/python -m pytest $(ARGS)

validate: $(STAMP)  ## check data, scenarios and notebooks without running anything
	$(BIN)/python -m analysis validate

# Jupyter refuses to start as root ("Running as root is not recommended") unless told it may: in a
# container or on a CI box root is the only user, so the flag is added exactly then. ARGS passes more
# (e.g. ARGS="--no-browser --port=8899").
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(STAMP)  ## open the chapter notebooks in JupyterLab with the project's environment
	cd notebooks && ../$(BIN)/jupyter lab $(ROOT_FLAG) $(ARGS)

bench: $(STAMP)  ## timings: naive papermill+nbconvert vs the build, no-change rebuild, Monte Carlo
	$(BIN)/python -m analysis.bench

repro: $(STAMP)  ## build one edition twice in fresh folders and compare them (ARGS=--scenario NAME)
	$(BIN)/python -m analysis.repro $(ARGS)

lock:  ## refresh requirements.lock after editing pyproject.toml (ARGS=--upgrade: newest releases)
	@test -x $(UV) || { $(PYTHON) -m venv $(VENV)/lock-tools && \
	  $(VENV)/lock-tools/bin/python -m pip install --quiet uv==$$($(PYTHON) -c 'from analysis.lock import UV_VERSION; print(UV_VERSION)'); }
	$(PYTHON) -m analysis.lock compile $(UV) $(ARGS)

clean:
	rm -rf build report/_output report/_vega.html report/_edition.yml report/_edition.html report/*.ipynb report/*_files report/.quarto test-artifacts
