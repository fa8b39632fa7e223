# Thin wrappers over CMake/CTest.  `make run` and `make test` are the two
# commands of the README: each installs the Debian packages it needs first.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= 2
DATA_DIR ?= ./var
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test test-normal test-asan check-asan fuzz bench eval lint clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# Start the switchboard on the sample knowledge base (SQLite in $(DATA_DIR)).
run: build
	$(BUILD)/tongdai kb import --data-dir $(DATA_DIR) --format tongdai data/kb/*.json
	$(BUILD)/tongdai serve --data-dir $(DATA_DIR) --listen $(LISTEN)

# Every test, in a normal build and in an ASan+UBSan build.
test:
	@scripts/deps.sh test browser
	$(MAKE) test-normal test-asan

test-normal: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan check-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTD_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS)

# Coverage-guided fuzzing with libFuzzer (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh test
	CC=clang-14 cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTD_FUZZ=ON -DTD_SANITIZE=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	for f in $(FUZZ_BUILD)/fuzz_*; do \
		n=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus-$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(FUZZ_BUILD)/corpus-$$n fuzz/corpus/$$n || exit 1; \
	done

bench: build
	@scripts/deps.sh bench
	bench/run.sh $(BUILD)

# Development-set figures: questions (answering) and feedback (PAKN).
eval: build
	scripts/eval.sh $(BUILD)
	scripts/eval_pakn.sh $(BUILD)

lint:
	bash tests/cli/banned.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
