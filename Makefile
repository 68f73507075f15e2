# The two commands of the README: `make demo` and `make test`. Both bootstrap .venv from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test browser bench synth layer clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q pip==25.3
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/incasso demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2

# The portal's browser tests drive Debian's chromium through chromedriver: installed when missing (CI starts clean).
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
		echo "chromium not installed: the portal's browser test will be skipped" >&2

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The CloudFormation template into cdk.out/ with the pinned npm CDK CLI (package-lock.json); offline.
synth: $(STAMP)
	npm ci --silent --no-audit --no-fund
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --quiet

# The Lambda layer for a real deploy: the domain package + runtime dependencies (Linux arm64 wheels) in
# build/layer, which the CDK app then ships instead of layers/common alone. Downloads wheels; not part of test.
layer: $(STAMP)
	$(BIN)/python -m infra.cdk.layer_build

clean:
	rm -rf $(VENV) cdk.out node_modules demo-out build
