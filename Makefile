# Two commands are enough on a fresh clone: `make report` builds the report, `make test` tests it.
# Both create .venv and install the project into it when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lab bench validate clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

report: $(STAMP)  ## execute every notebook for every scenario, render HTML and PDF
	$(BIN)/python -m analysis build $(ARGS)

test: $(STAMP)  ## library tests, notebook validation, checks of the rendered HTML and PDF
	$(BIN)/python -m pytest $(ARGS)

validate: $(STAMP)  ## check data, scenarios and notebooks without running anything
	$(BIN)/python -m analysis validate

lab: $(STAMP)  ## open the chapter notebooks in JupyterLab with the project's environment
	cd notebooks && ../$(BIN)/jupyter lab

bench: $(STAMP)  ## timings: naive papermill+nbconvert vs the build, no-change rebuild, Monte Carlo
	$(BIN)/python -m analysis.bench

clean:
	rm -rf build report/_output report/chapters report/_vega.html test-artifacts
