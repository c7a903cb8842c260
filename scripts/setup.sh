#!/usr/bin/env bash
# Idempotent machine setup for building and testing Attune on Debian (run as root).
# Installs only from Debian's archive and the npm registry; each step is skipped
# when what it provides is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v emcc >/dev/null 2>&1 || need_apt+=(emscripten)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v dpkg-source >/dev/null 2>&1 || need_apt+=(dpkg-dev)
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
command -v gzip >/dev/null 2>&1 || need_apt+=(gzip)
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)
[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] || need_apt+=(libclang-rt-14-dev)

apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { apt-get update -qq; apt_updated=1; }; }

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# cJSON comes from Debian's source package (with Debian's patches applied) and
# is built into both the native and the wasm library; it never enters git.
if [ ! -f build/cjson/cJSON.c ]; then
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    src=/etc/apt/sources.list.d/debian.sources
    [ -f "$src" ] || { echo "setup: no $src to derive a deb-src entry from" >&2; exit 1; }
    sed 's/^Types: deb$/Types: deb-src/' "$src" > /etc/apt/sources.list.d/attune-deb-src.sources
    apt_updated=0
  fi
  apt_update
  rm -rf build/cjson-src && mkdir -p build/cjson-src && chmod a+rwx build/cjson-src # apt fetches as _apt
  (cd build/cjson-src && apt-get source -qq cjson >/dev/null)
  dir=$(find build/cjson-src -maxdepth 1 -mindepth 1 -type d -name 'cjson-*' | head -n 1)
  [ -f "$dir/cJSON.c" ] || { echo "setup: apt-get source cjson produced no cJSON.c" >&2; exit 1; }
  mkdir -p build/cjson
  cp "$dir/cJSON.c" "$dir/cJSON.h" build/cjson/
fi

# JS dev tools pinned by the committed lock file.
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
echo "setup: ok"
