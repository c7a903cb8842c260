/*
 * attune.h — the public C interface of the Attune personalization core.
 *
 * Ownership contract.  An engine is an opaque handle made by att_new() and released by
 * att_free() (att_free(NULL) is a no-op).  Every other function takes the handle first and
 * returns an int result code: ATT_OK (0) on success, one of the ATT_E_* codes otherwise.  On
 * failure att_errmsg() names what was wrong (the field, the item index or id) and what to do;
 * the message and code stay until the next call on the same handle.  A failed call changes
 * nothing: the profile, catalog and configuration are exactly as before the call.
 *
 * Input bytes (JSON texts, ids, snapshots) are borrowed for the duration of the call only and
 * are always given with an explicit length; they need not be NUL-terminated.  Output lands in a
 * per-handle result buffer read with att_result()/att_result_len(); it is owned by the handle
 * and valid until the next call on that handle, so copy what you keep.
 *
 * The core is pure and synchronous: no I/O, no clock, no entropy.  Every call that depends on
 * time takes `now` (milliseconds since the Unix epoch) and enforces retention with it; callers
 * supply random seeds and event ids.  Only i32 and f64 cross the wasm boundary.
 *
 * After any call, att_take_dirty() says whether the persistent profile changed, so the caller
 * knows to save a new snapshot.
 */
#ifndef ATTUNE_H
#define ATTUNE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever the exported functions, their arguments or the result formats change.
 * The JS glue refuses a wasm whose ABI differs from the one it was written for. */
#define ATT_ABI_VERSION 1
#define ATT_VERSION "0.1.0"

/* Result codes.  Their stable string names reach JS through att_constants(). */
enum {
  ATT_OK = 0,
  ATT_E_NOMEM = 1,        /* "out_of_memory" */
  ATT_E_JSON = 2,         /* "bad_json": input is not valid JSON */
  ATT_E_CONFIG = 3,       /* "bad_config": unknown key, wrong type or out-of-range value */
  ATT_E_CATALOG = 4,      /* "bad_catalog" */
  ATT_E_ARG = 5,          /* "bad_argument": a call argument is wrong */
  ATT_E_UNKNOWN_ITEM = 6, /* "unknown_item": an id not in the catalog */
  ATT_E_TRAIT = 7,        /* "bad_trait": undeclared trait or value */
  ATT_E_PROFILE = 8,      /* "corrupt_profile": snapshot or import data fails validation */
  ATT_E_VERSION = 9,      /* "newer_version": data from a newer format */
  ATT_E_LEVEL = 10,       /* "level_not_allowed": above the site's maximum */
  ATT_E_LIMIT = 11,       /* "too_large": over a documented limit */
  ATT_E_STATE = 12        /* "bad_state": call out of order (e.g. no catalog yet) */
};

/* Personalization levels, in increasing order of data used. */
enum { ATT_LEVEL_NONE, ATT_LEVEL_SEGMENT, ATT_LEVEL_BEHAVIORAL, ATT_LEVEL_CONTEXTUAL,
       ATT_LEVEL_INDIVIDUAL, ATT_LEVEL_COUNT };

/* Event types accepted by att_track(). */
enum { ATT_EV_VIEW, ATT_EV_CLICK, ATT_EV_LIKE, ATT_EV_SHARE, ATT_EV_PURCHASE, ATT_EV_DISMISS,
       ATT_EV_IMPRESSION, ATT_EV_COUNT };

typedef struct att_engine att_engine;

/* A static JSON text with the ABI version, level and event names, error code names and the
 * limits below.  Never fails; the pointer is to static storage. */
const char *att_constants(void);
int att_abi_version(void);

/* Makes an engine with the default configuration and no catalog.  NULL when out of memory. */
att_engine *att_new(void);
void att_free(att_engine *h);

const char *att_errmsg(const att_engine *h);
int att_errcode(const att_engine *h);
const unsigned char *att_result(const att_engine *h);
size_t att_result_len(const att_engine *h);
/* 1 if the persistent profile changed since the last call of this function, else 0. */
int att_take_dirty(att_engine *h);

/* Replaces the configuration (JSON object, every key optional).  The profile is re-checked
 * against it: traits no longer declared are dropped and the level is capped.  model.vectors
 * says how catalogs loaded from now on hold their vectors; a loaded catalog keeps its own.
 * Result: the normalised configuration as JSON. */
int att_configure(att_engine *h, const char *json, size_t len, double now);
/* Replaces the catalog: JSON (see README), or the compact binary catalog (bytes starting with
 * "ATTC", see catalog.h), validated alike, with its vectors held as the configuration's
 * model.vectors says.  Result: {"items","tags","categories","dim","droppedNeighbors","bytes",
 * "rankingBytes"}. */
int att_load_catalog(att_engine *h, const char *json, size_t len, double now);

/* Declares traits: a JSON object {name: value|null}; null clears a trait. */
int att_set_traits(att_engine *h, const char *json, size_t len, double now);
/* Records one interaction.  `type` is an ATT_EV_*; `at` is the event time (ms, NaN = now);
 * `value` a strength multiplier (NaN = 1); `eid` a caller-made unique id (integer < 2^53)
 * used to merge profiles.  `ctx` is an optional context JSON object (len 0 = none).  The item is
 * looked up before any other argument is checked, and nothing is recorded until all are valid
 * (retention may still expire old data, as in every call that reads the clock), so a call with
 * type -1 asks only "is this item in the catalog?" (the glue's shown() relies on it). */
int att_track(att_engine *h, const char *item, size_t item_len, int type, double at, double value,
              double eid, const char *ctx, size_t ctx_len, double now);
/* Ranks the catalog.  `opts` is a JSON object {k, exclude, filter, context} (len 0 = defaults).
 * Result: JSON array [{id, score, reasons, editorial?}]. */
int att_recommend(att_engine *h, const char *opts, size_t opts_len, double now);
/* Explains one item's score.  Result: {id, score, rank?, contributions:[...]}. */
int att_explain(att_engine *h, const char *item, size_t item_len, const char *ctx, size_t ctx_len,
                double now);
/* Result: the local segment label (plain UTF-8, not JSON). */
int att_segment(att_engine *h, double now);
/* Result: JSON {"segment": label} or null at level none.  `seed` drives the randomised response
 * when a new epoch's answer must be drawn. */
int att_server_payload(att_engine *h, double seed, double now);
int att_inventory(att_engine *h, double now);
int att_metrics(att_engine *h, double now);
int att_privacy_report(att_engine *h, double now);
/* Sets the level (ATT_LEVEL_*); lowering it deletes at once what the new level does not keep. */
int att_set_level(att_engine *h, int level, double now);
int att_level(const att_engine *h);
/* kind 0 = tag, 1 = item; `on` 1 blocks, 0 unblocks. */
int att_block(att_engine *h, int kind, const char *key, size_t key_len, int on, double now);
/* Deletes the whole profile; the level returns to the configured default. */
int att_forget(att_engine *h);
/* Result: the profile as versioned binary snapshot bytes. */
int att_snapshot(att_engine *h, double now);
/* Replaces the profile with a validated snapshot; corrupt or newer data is refused. */
int att_restore(att_engine *h, const unsigned char *bytes, size_t len, double now);
/* Merges another tab's stored snapshot into the profile, three ways: `base` is the snapshot
 * this engine last read or wrote, `theirs` what is stored now (len 0 = no stored profile).
 * What either side added since base is kept; what either side removed stays removed. */
int att_merge(att_engine *h, const unsigned char *base, size_t base_len, const unsigned char *theirs,
              size_t theirs_len, double now);
/* Result: the profile as human-readable, versioned JSON. */
int att_export(att_engine *h, double now);
/* Replaces the profile with validated export JSON. */
int att_import(att_engine *h, const char *json, size_t len, double now);

/* Allocation for callers that marshal bytes in (the wasm glue). */
void *att_alloc(size_t n);
void att_dealloc(void *p);

#ifdef __cplusplus
}
#endif
#endif
