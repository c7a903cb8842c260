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
WASM_OPT ?= -O3

C_TESTS := $(wildcard tests/c/test_*.c)

.PHONY: all setup wasm web site native test test-c test-js test-browser demo bench clean

all: wasm web native

setup:
	@./scripts/setup.sh

$(CJSON):
	@./scripts/setup.sh

# --- wasm -------------------------------------------------------------------------------------
wasm: dist/attune.wasm

dist/attune.wasm: $(SRC) $(HDR) $(CJSON) Makefile
	@mkdir -p dist
	$(EMCC) $(WASM_OPT) $(CFLAGS_COMMON) $(CJSON_FLAGS) $(WASM_EXPORTS) $(SRC) $(CJSON) -o $@

# --- the <script> build and its SRI values --------------------------------------------------
JS_SRC := $(wildcard js/*.js js/storage/*.js web/*.js)
web: dist/attune.js dist/integrity.json

dist/attune.js: $(JS_SRC) node_modules/.package-lock.json
	@mkdir -p dist
	node_modules/.bin/vite build --config web/vite.config.js

dist/integrity.json: dist/attune.js dist/attune.wasm scripts/integrity.mjs
	node scripts/integrity.mjs dist/attune.js dist/attune.wasm > $@

node_modules/.package-lock.json: package-lock.json
	@./scripts/setup.sh

# --- the demo site (static files only) --------------------------------------------------------
SITE := build/site
site: $(SITE)/.stamp

$(SITE)/.stamp: $(wildcard demo/*) $(JS_SRC) dist/attune.wasm dist/attune.js dist/integrity.json scripts/gen-catalog.mjs
	rm -rf $(SITE) && mkdir -p $(SITE)/attune/dist
	cp -r demo/. $(SITE)/
	cp -r js $(SITE)/attune/js
	cp dist/attune.wasm dist/attune.js dist/integrity.json $(SITE)/attune/dist/
	node scripts/gen-catalog.mjs --out $(SITE)/catalog.json
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
test: setup wasm web native
	@./scripts/test.sh

test-c: build/native/test_attune
	@echo "== C unit tests (ASan + UBSan)"
	@ASAN_OPTIONS=detect_leaks=1 ./build/native/test_attune

test-js: dist/attune.wasm
	@echo "== JS tests (node --test)"
	@node --test tests/js/

test-browser: dist/attune.wasm dist/attune.js
	@echo "== Browser tests (Chromium)"
	@node --test --test-concurrency=1 tests/browser/

# --- demo and benchmarks ----------------------------------------------------------------------
demo: setup wasm web site
	@node scripts/serve.mjs $(SITE) --port $(PORT)

bench: setup wasm
	@node bench/run.mjs

clean:
	rm -rf build/native dist
