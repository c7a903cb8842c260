/**
 * Bindings to attune.wasm whose names mirror src/attune.h.  Every call checks the result code
 * and turns a failure into an AttuneError whose text comes from C.  Bytes are copied in and
 * out; views of wasm memory are re-taken on every use because the memory may have grown.
 */
import { AttuneError, JS_CODES } from './errors.js';

/** The ABI this glue was written for; a wasm reporting another one is refused. */
export const ABI_VERSION = 1;

/** Every function the glue calls; a wasm lacking one is refused up front. */
const REQUIRED_EXPORTS = ['_initialize', 'att_abi_version', 'att_constants', 'att_new', 'att_free', 'att_errmsg',
  'att_errcode', 'att_result', 'att_result_len', 'att_level', 'att_take_dirty', 'att_alloc', 'att_dealloc',
  'att_configure', 'att_load_catalog', 'att_set_traits', 'att_track', 'att_set_level', 'att_block', 'att_forget',
  'att_recommend', 'att_explain', 'att_segment', 'att_server_payload', 'att_inventory', 'att_metrics',
  'att_privacy_report', 'att_snapshot', 'att_restore', 'att_merge', 'att_export', 'att_import'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/* A module whose only function returns a v128 constant: it validates exactly where WebAssembly
 * SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* header */
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, /* type: () -> v128 */
  0x03, 0x02, 0x01, 0x00, /* one function of that type */
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array(16).fill(0), 0x0b, /* v128.const 0; end */
]);

/** True where WebAssembly SIMD is available (then attune.wasm, else attune-scalar.wasm). */
export function hasSimd() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** @type {Map<string, Promise<WebAssembly.Module>>} */
const modules = new Map();

/**
 * Compiles the module once per key and reuses it.
 * @param {string} key
 * @param {() => Promise<WebAssembly.Module>} compile
 */
export function cachedModule(key, compile) {
  let m = modules.get(key);
  if (!m) {
    m = compile();
    modules.set(key, m);
    m.catch(() => modules.delete(key));
  }
  return m;
}

export class Core {
  /** @param {WebAssembly.Module} module */
  constructor(module) {
    let instance;
    try {
      instance = new WebAssembly.Instance(module, {
        env: { emscripten_notify_memory_growth() {} },
      });
    } catch (err) {
      throw new AttuneError(JS_CODES.MISMATCH, `attune.wasm needs imports this glue does not provide (${err.message}); use the attune.wasm shipped with this version`, { cause: err });
    }
    /** @type {any} */
    const x = instance.exports;
    if (typeof x.att_abi_version === 'function' && typeof x._initialize === 'function') {
      x._initialize();
      const abi = x.att_abi_version();
      if (abi !== ABI_VERSION) {
        throw new AttuneError(JS_CODES.MISMATCH,
          `attune.wasm has ABI ${abi} but this glue needs ABI ${ABI_VERSION}; use the attune.wasm shipped with this version`);
      }
    }
    const missing = REQUIRED_EXPORTS.filter((name) => typeof x[name] !== 'function');
    if (!(x.memory instanceof WebAssembly.Memory)) missing.push('memory');
    if (missing.length) {
      throw new AttuneError(JS_CODES.MISMATCH, `attune.wasm is not an Attune module of this version (missing ${missing.join(', ')}); use the attune.wasm shipped with this version`);
    }
    this.x = x;
    this.constants = JSON.parse(this.#cstring(x.att_constants()));
    if (this.constants.abi !== ABI_VERSION) {
      throw new AttuneError(JS_CODES.MISMATCH, 'attune.wasm constants disagree with its ABI version');
    }
    this.h = x.att_new();
    if (!this.h) throw new AttuneError('out_of_memory', 'attune.wasm: could not create an engine (out of memory)');
  }

  /** A fresh view: the memory may have grown since the last one. */
  bytes() {
    return new Uint8Array(this.x.memory.buffer);
  }

  #cstring(ptr) {
    const m = this.bytes();
    let end = ptr;
    while (m[end] !== 0) end++;
    return decoder.decode(m.subarray(ptr, end));
  }

  /**
   * Copies `inputs` (strings or byte arrays) into wasm memory, calls `fn(...pointersAndLengths)`
   * and frees every allocation on every exit path.
   * @param {(string|Uint8Array|null)[]} inputs
   * @param {(...args: number[]) => number} fn
   */
  withInputs(inputs, fn) {
    const ptrs = [];
    try {
      const args = [];
      for (const input of inputs) {
        if (input === null || input === undefined) {
          args.push(0, 0);
          continue;
        }
        const data = typeof input === 'string' ? encoder.encode(input) : input;
        const p = this.x.att_alloc(data.length || 1);
        if (!p) throw new AttuneError('out_of_memory', 'attune.wasm: out of memory copying input');
        ptrs.push(p);
        this.bytes().set(data, p);
        args.push(p, data.length);
      }
      return fn(...args);
    } finally {
      for (const p of ptrs) this.x.att_dealloc(p);
    }
  }

  /** Throws the engine's current error when rc is not 0. */
  check(rc) {
    if (rc === 0) return;
    const code = this.constants.errors[rc] ?? `error_${rc}`;
    throw new AttuneError(code, this.#cstring(this.x.att_errmsg(this.h)));
  }

  /** A copy of the result buffer. */
  resultBytes() {
    const p = this.x.att_result(this.h);
    const n = this.x.att_result_len(this.h);
    return this.bytes().slice(p, p + n);
  }

  resultText() {
    const p = this.x.att_result(this.h);
    const n = this.x.att_result_len(this.h);
    return decoder.decode(this.bytes().subarray(p, p + n));
  }

  resultJSON() {
    return JSON.parse(this.resultText());
  }

  takeDirty() {
    return this.x.att_take_dirty(this.h) === 1;
  }

  level() {
    return this.x.att_level(this.h);
  }

  free() {
    if (this.h) this.x.att_free(this.h);
    this.h = 0;
  }
}
