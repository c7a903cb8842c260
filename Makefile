# Attune — build, test, demo and benchmarks.  `make test` and `make demo` set up what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := all

PORT ?= 8080
CC ?= gcc
EMCC ?= emcc
# emcc's JS optimiser needs acorn from Debian's node packages when Node is not Debian's.
export NODE_PATH := /usr/share/nodejs

SRC := $(wildcard src/*.c)
HDR := $(wildcard src/*.h)
CJSON := build/cjson/cJSON.c
CJSON_FLAGS := -DCJSON_NESTING_LIMIT=32
WARN := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes -Wmissing-prototypes
CFLAGS_COMMON := -std=c99 -D_POSIX_C_SOURCE=200809L -Isrc -Ibuild/cjson

WASM_EXPORTS := -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=1MB \
  -sMAXIMUM_MEMORY=1GB -sTOTAL_STACK=256KB -sFILESYSTEM=0
# The modules on the paths make bench times (ranking, catalog loading, track) are built for
# speed; the rest (configuration, snapshots, export and import, transparency texts, cJSON) for
# size, which takes about a tenth off the gzipped wasm and costs the timed paths nothing.
WASM_HOT := rank linalg catalog strtab profile model core
WASM_FAST ?= -O3
WASM_SMALL ?= -Oz
wasm_opt = $(if $(filter $(1),$(WASM_HOT)),$(WASM_FAST),$(WASM_SMALL))

C_TESTS := $(wildcard tests/c/test_*.c)

.PHONY: all setup wasm web site native test test-c test-valgrind test-js test-browser demo bench clean

all: wasm web native

setup:
	@./scripts/setup.sh

$(CJSON):
	@./scripts/setup.sh

# --- wasm -------------------------------------------------------------------------------------
# attune.wasm uses 128-bit SIMD; attune-scalar.wasm is the same code without it, which the
# loader picks where WebAssembly SIMD is missing.
wasm: dist/attune.wasm dist/attune-scalar.wasm

WASM_OBJ = $(patsubst src/%.c,build/wasm/$(1)/%.o,$(SRC)) build/wasm/$(1)/cJSON.o
.SECONDARY: $(call WASM_OBJ,simd) $(call WASM_OBJ,scalar)

build/wasm/simd/%.o: src/%.c $(HDR) $(CJSON) Makefile
	@mkdir -p $(@D)
	$(EMCC) $(call wasm_opt,$*) -msimd128 $(CFLAGS_COMMON) -c $< -o $@
build/wasm/scalar/%.o: src/%.c $(HDR) $(CJSON) Makefile
	@mkdir -p $(@D)
	$(EMCC) $(call wasm_opt,$*) $(CFLAGS_COMMON) -c $< -o $@
build/wasm/%/cJSON.o: $(CJSON) Makefile
	@mkdir -p $(@D)
	$(EMCC) $(WASM_SMALL) $(if $(filter simd,$*),-msimd128) $(CFLAGS_COMMON) $(CJSON_FLAGS) -c $< -o $@

dist/attune.wasm: $(call WASM_OBJ,simd)
	@mkdir -p dist
	$(EMCC) $(WASM_FAST) -msimd128 $(WASM_EXPORTS) $^ -o $@

dist/attune-scalar.wasm: $(call WASM_OBJ,scalar)
	@mkdir -p dist
	$(EMCC) $(WASM_FAST) $(WASM_EXPORTS) $^ -o $@

# --- the <script> build and its SRI values --------------------------------------------------
JS_SRC := $(wildcard js/*.js js/storage/*.js web/*.js)
web: dist/attune.js dist/integrity.json

dist/attune.js: $(JS_SRC) node_modules/.package-lock.json
	@mkdir -p dist
	node_modules/.bin/vite build --config web/vite.config.js

dist/integrity.json: dist/attune.js dist/attune.wasm dist/attune-scalar.wasm scripts/integrity.mjs
	node scripts/integrity.mjs dist/attune.js dist/attune.wasm dist/attune-scalar.wasm > $@

node_modules/.package-lock.json: package-lock.json
	@./scripts/setup.sh

# --- the demo site (static files only) --------------------------------------------------------
SITE := build/site
site: $(SITE)/.stamp

$(SITE)/.stamp: $(shell find demo -type f) $(JS_SRC) dist/attune.wasm dist/attune.js dist/integrity.json scripts/gen-catalog.mjs \
  $(wildcard scripts/demo-*.mjs)
	rm -rf $(SITE) && mkdir -p $(SITE)/attune/dist
	cp -r demo/. $(SITE)/
	cp -r js $(SITE)/attune/js
	cp dist/attune.wasm dist/attune-scalar.wasm dist/attune.js dist/integrity.json $(SITE)/attune/dist/
	node scripts/gen-catalog.mjs --display --out $(SITE)/catalog.json
	node scripts/demo-site.mjs $(SITE)
	touch $@

# --- native -----------------------------------------------------------------------------------
# Unit tests run under AddressSanitizer and UndefinedBehaviorSanitizer; ATT_TESTING enables
# allocation-failure injection.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
native: build/native/test_attune build/native/libattune.a

build/native/cjson.o: $(CJSON) | build/native
	$(CC) -O2 -g $(CFLAGS_COMMON) $(CJSON_FLAGS) $(SAN) -c $< -o $@
build/native/cjson-rel.o: $(CJSON) | build/native
	$(CC) -O2 $(CFLAGS_COMMON) $(CJSON_FLAGS) -c $< -o $@

build/native/libattune.a: $(SRC) $(HDR) build/native/cjson-rel.o | build/native
	rm -f $@ build/native/rel-*.o
	for f in $(SRC); do $(CC) -O2 $(CFLAGS_COMMON) $(WARN) -c $$f -o build/native/rel-$$(basename $$f .c).o || exit 1; done
	ar rcs $@ build/native/rel-*.o build/native/cjson-rel.o

build/native/test_attune: $(SRC) $(HDR) $(C_TESTS) tests/c/check.h tests/c/tests.h build/native/cjson.o | build/native
	$(CC) -O1 -g $(CFLAGS_COMMON) $(WARN) $(SAN) -DATT_TESTING -Itests/c $(SRC) $(C_TESTS) build/native/cjson.o -lm -o $@

build/native:
	@mkdir -p $@

# --- tests ------------------------------------------------------------------------------------
test: setup wasm web native build/native/attune-train fuzz-build site
	@./scripts/test.sh

test-c: build/native/test_attune
	@echo "== C unit tests (ASan + UBSan)"
	@ASAN_OPTIONS=detect_leaks=1 ./build/native/test_attune

test-valgrind: $(CJSON)
	@./scripts/valgrind.sh

test-js: dist/attune.wasm
	@echo "== JS tests (node --test)"
	@node --test tests/js/

test-browser: wasm web site
	@echo "== Browser tests (Chromium)"
	@node --test --test-concurrency=1 tests/browser/

# --- demo and benchmarks ----------------------------------------------------------------------
demo: setup wasm web site
	@node scripts/serve.mjs $(SITE) --port $(PORT)

bench: setup wasm build/native/bench_native
	@node bench/run.mjs

# the benchmark's native build of the same C (gcc -O2, no sanitizers)
build/native/bench_native: bench/native.c build/native/libattune.a
	$(CC) -O2 $(CFLAGS_COMMON) $< build/native/libattune.a -lm -o $@

clean:
	rm -rf build/native build/wasm dist

# --- the server-side trainer ------------------------------------------------------------------
# attune-train (tools/train/) enriches a catalog with item vectors and neighbors computed from
# an events CSV.  It links only the core modules it shares (catalog parsing, JSON, string
# tables, event names and weights, linear algebra), so it builds while other modules change.
.PHONY: train
TRAIN_C := $(wildcard tools/train/*.c)
TRAIN_CORE := src/core.c src/json.c src/strtab.c src/catalog.c src/config.c src/linalg.c
train: build/native/attune-train

build/native/attune-train: $(TRAIN_C) $(wildcard tools/train/*.h) $(TRAIN_CORE) $(HDR) build/native/cjson-rel.o | build/native
	$(CC) -O2 $(CFLAGS_COMMON) $(WARN) -Itools/train $(TRAIN_C) $(TRAIN_CORE) build/native/cjson-rel.o -lm -o $@

# --- fuzzing (libFuzzer with ASan + UBSan; clang) ------------------------------------------------
# Harnesses in fuzz/ (fuzz/README.md).  `make fuzz` builds them under build/fuzz/ and runs each,
# one at a time, for FUZZ_SECONDS on a working copy of its committed corpus
# (build/fuzz/corpus-work/, so new findings never dirty the repo) with its dictionary.
# `make fuzz-smoke` replays the committed corpus and every reproducer in fuzz/regressions/, then
# fuzzes each harness for FUZZ_SMOKE_SECONDS; `make test` runs it.  The core is built with
# ATT_TESTING so fuzz_events can inject allocation failures.
.PHONY: fuzz fuzz-smoke
.PHONY: fuzz-build fuzz-corpus
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_HARNESSES := config catalog events snapshot import merge
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(CFLAGS_COMMON) $(FUZZ_SAN) -DATT_TESTING
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(SRC)) build/fuzz/obj/cjson.o
FUZZ_BINS := $(FUZZ_HARNESSES:%=build/fuzz/fuzz_%)
.SECONDARY: $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BINS)

# src/ is held to $(WARN) by the gcc builds; the harnesses are held to it here
build/fuzz/obj/%.o: src/%.c $(HDR) $(CJSON) | build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/obj/cjson.o: $(CJSON) | build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CJSON_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -Ibuild/cjson -fsanitize=fuzzer $< $(FUZZ_OBJ) -lm -o $@
build/fuzz/obj:
	@mkdir -p $@

fuzz: $(FUZZ_BINS)
	@FUZZ_HARNESSES="$(FUZZ_HARNESSES)" fuzz/run.sh fuzz $(FUZZ_SECONDS)

fuzz-smoke: $(FUZZ_BINS)
	@FUZZ_HARNESSES="$(FUZZ_HARNESSES)" fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS)

# Regenerates fuzz/corpus/ from fuzz/gen_corpus.c (real snapshots and exports of this core).
fuzz-corpus: $(SRC) $(HDR) fuzz/gen_corpus.c fuzz/fuzz.h build/native/cjson-rel.o
	@mkdir -p build/fuzz
	$(CC) -O1 $(CFLAGS_COMMON) $(WARN) -Ifuzz $(SRC) fuzz/gen_corpus.c build/native/cjson-rel.o -lm -o build/fuzz/gen_corpus
	rm -rf fuzz/corpus && ./build/fuzz/gen_corpus fuzz/corpus

# --- offline evaluation (attune-eval) ---------------------------------------------------------
# `make eval` writes the synthetic population (tools/eval/synth.mjs, fixed seed) to
# build/eval/data/ and runs attune-eval on it through the wasm engine: build/eval/report.md,
# report.json and lift.svg.  It shows the evaluator working; synthetic data is not evidence
# about real users.  EVAL_USERS sizes the population; EVAL_FLAGS adds attune-eval options.
.PHONY: eval
EVAL_DIR ?= build/eval
EVAL_USERS ?= 1000
EVAL_FLAGS ?=
eval: dist/attune.wasm
	node tools/eval/synth.mjs --out $(EVAL_DIR)/data --users $(EVAL_USERS)
	node bin/attune-eval.mjs --synthetic --out $(EVAL_DIR) --events $(EVAL_DIR)/data/events.csv \
	  --catalog $(EVAL_DIR)/data/catalog.json --traits $(EVAL_DIR)/data/traits.csv \
	  --config $(EVAL_DIR)/data/config.json --groups $(EVAL_DIR)/data/groups.csv $(EVAL_FLAGS)
