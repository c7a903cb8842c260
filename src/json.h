/* json.h — the one door to cJSON.  Reading: length-bounded parsing with a nesting limit, typed
 * accessors, key checking with errors that name the path, and a walker that parses a large
 * top-level array one element at a time.  Writing: a small builder whose failures are sticky,
 * printed into a buffer.  No other module includes cJSON.h. */
#ifndef ATT_JSON_H
#define ATT_JSON_H

#include <stddef.h>

#include "core.h"

typedef struct cJSON att__jv;

enum { ATT__J_INVALID, ATT__J_NULL, ATT__J_BOOL, ATT__J_NUM, ATT__J_STR, ATT__J_ARR, ATT__J_OBJ };

/* Parses exactly `n` bytes as one JSON value (surrounding whitespace allowed).  On failure
 * returns NULL with ATT_E_JSON naming `what` and the byte offset, or ATT_E_NOMEM.  The caller
 * frees the result with att__json_free. */
att__jv *att__json_parse(att__err *e, const char *what, const char *s, size_t n);
void att__json_free(att__jv *v);

int att__jv_type(const att__jv *v);
/* "a string", "a number", ... for messages. */
const char *att__jv_typename(const att__jv *v);
double att__jv_num(const att__jv *v);
int att__jv_bool(const att__jv *v);
/* The NUL-terminated string value and its length. */
const char *att__jv_str(const att__jv *v, size_t *n);
/* The member name of a value inside an object. */
const char *att__jv_key(const att__jv *v);
att__jv *att__jv_first(const att__jv *v);
att__jv *att__jv_next(const att__jv *v);
size_t att__jv_count(const att__jv *v);
att__jv *att__jv_get(const att__jv *obj, const char *key);

/* Fails with `code` when `obj` has a member not in the NULL-terminated `allowed` list (any
 * name is allowed when `allowed` is NULL), or the same member twice; the message names `path`
 * and the member. */
int att__json_check_keys(att__err *e, int code, const att__jv *obj, const char *path,
                         const char *const *allowed);

/* Walks the JSON object in `s` without building it whole.  Each member other than
 * `array_key` is parsed on its own and passed to on_member; the array under `array_key` is
 * walked afterwards, each element parsed on its own and passed to on_elem, so memory is
 * bounded by the largest element.  Callbacks return ATT_OK or an error (already recorded in
 * `e`), which stops the walk.  A missing array is not an error (on_elem is never called). */
int att__json_walk(att__err *e, const char *what, const char *s, size_t n, const char *array_key,
                   int (*on_member)(void *ctx, const char *key, const att__jv *v),
                   int (*on_elem)(void *ctx, size_t index, const att__jv *v), void *ctx);

/* Builder.  Every function takes the writer; after the first allocation failure the writer
 * is marked failed and later calls do nothing.  key == NULL appends to an array. */
typedef struct att__jw {
  att__jv *root;
  int failed;
} att__jw;

att__jv *att__jw_begin(att__jw *w, int array);
att__jv *att__jw_obj(att__jw *w, att__jv *parent, const char *key);
att__jv *att__jw_arr(att__jw *w, att__jv *parent, const char *key);
void att__jw_num(att__jw *w, att__jv *parent, const char *key, double v);
/* A time in ms as an ISO-8601 UTC string, or null when not finite. */
void att__jw_time(att__jw *w, att__jv *parent, const char *key, double ms);
void att__jw_str(att__jw *w, att__jv *parent, const char *key, const char *s);
void att__jw_bool(att__jw *w, att__jv *parent, const char *key, int v);
void att__jw_null(att__jw *w, att__jv *parent, const char *key);
/* Prints the document into `out` (replacing its content) and frees it.  ATT_E_NOMEM when any
 * step failed. */
int att__jw_finish(att__jw *w, att__buf *out);

/* ISO-8601 "YYYY-MM-DDTHH:MM:SS.sssZ" (years past 9999 as "+YYYYYY-…", like JS Date) <-> ms
 * since the epoch.  att__iso_format writes "invalid" for times past 8.64e15 ms or far before
 * 1970 (which no caller passes).  att__iso_parse returns 0 on success, -1 when `s` is not exactly
 * that form or not a real date. */
void att__iso_format(char out[32], double ms);
int att__iso_parse(const char *s, size_t n, double *ms);

#endif
