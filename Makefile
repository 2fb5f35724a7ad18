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

# Serves the demo model and prints how to call it.
run: build models
	@echo ""
	@echo "modelhost is serving the demo model at http://127.0.0.1:$(PORT)"
	@echo "Call it (Domino-style JSON):"
	@echo "  curl -s -X POST http://127.0.0.1:$(PORT)/models/demo/latest/model -d '{\"data\": {\"features\": [[5.1, 3.5, 1.4, 0.2]]}}'"
	@echo "Or with the Open Inference Protocol:"
	@echo "  curl -s -X POST http://127.0.0.1:$(PORT)/v2/models/demo/infer -d '{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [5.1, 3.5, 1.4, 0.2]}]}'"
	@echo ""
	$(BIN) run --model $(MODELS)/demo.onnx --name demo --http-port $(PORT)

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

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
