# modelhost front door. `make run` and `make test` work on a fresh Debian 12 machine.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
PORT ?= 8000
BIN := $(BUILD_DIR)/bin/modelhost
PY := .venv/bin/python
MODELS := $(BUILD_DIR)/models
FIXTURES := $(BUILD_DIR)/fixtures

.PHONY: all setup configure build run test test-unit test-conformance test-integration \
	setup-fixtures fixtures test-models bench format clean

all: build

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: $(BUILD_DIR)/build.ninja

build: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

models: setup
	@$(PY) scripts/gen_test_models.py $(MODELS) >/dev/null

# The controller on this machine with the demo model deployed; prints the URLs, the admin token
# and how to call the model (scripts/run-demo). `make run NODES=examples/nodes.json` schedules on
# declared GPU pools instead (their instances run on the CPU), with its own data directory.
NODES ?=
DATA_DIR ?= $(if $(NODES),modelhost-data-declared,modelhost-data)
run: build models
	@scripts/run-demo $(BIN) $(MODELS) $(PORT) $(DATA_DIR) $(NODES)

test-unit: build
	ctest --test-dir $(BUILD_DIR) -L unit --output-on-failure -j $(JOBS)

# The ONNX backend node tests shipped with the onnx package (see tests/conformance/README.md).
test-conformance: build
	ctest --test-dir $(BUILD_DIR) -L conformance --output-on-failure

test-integration: build models
	MODELHOST_BIN=$(abspath $(BIN)) $(PY) -m pytest -q tests/integration

# Real models (torchvision, transformers) exported by PyTorch into $(FIXTURES), cached by the
# exporter script's hash; see tests/models/README.md.
setup-fixtures:
	@scripts/setup-fixtures

fixtures: setup-fixtures
	@.venv-export/bin/python scripts/fixtures $(FIXTURES)

test-models: build fixtures
	MODELHOST_BIN=$(abspath $(BIN)) MODELHOST_FIXTURES=$(abspath $(FIXTURES)) $(PY) -m pytest -q tests/models

test: test-unit test-conformance test-integration test-models

bench: build models
	bench/run_perf_analyzer.sh

# The engine against ONNX Runtime on the real-model fixtures that scripts/fixtures exports (cases
# whose model is missing are listed as skipped); see docs/benchmarks.md.
FIXTURES ?= $(BUILD_DIR)/fixtures
.PHONY: bench-engine
bench-engine: build
	$(PY) bench/engine/run_engine_bench.py $(FIXTURES) --modelhost $(BIN)

# Deploy-to-ready time and the gateway's cost against the instance itself; see docs/benchmarks.md.
.PHONY: bench-platform
bench-platform: build models
	$(PY) bench/run_gateway_bench.py --binary $(BIN) --models $(MODELS)

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
