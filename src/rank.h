/* rank.h — scoring and ranking the catalog for a profile at every level: popularity and
 * freshness prior; segment boosts; tag and category affinities and related items; context
 * rules, learned per-context affinities and session intent; the on-device model (user vector
 * and learned signal weights); exclusions, editorial pins, diversity, exploration with
 * propensities, a bounded top-k with deterministic ties, reasons in plain words and
 * explanations whose contributions add up.
 *
 * Selection uses a fast score built from per-call combined tables; every item that is returned
 * or explained is scored again contribution by contribution, and that exact sum is the score
 * reported, so an explanation adds up to exactly the score that was shown. */
#ifndef ATT_RANK_H
#define ATT_RANK_H

#include <stdint.h>

#include "catalog.h"
#include "config.h"
#include "context.h"
#include "core.h"
#include "profile.h"

#define ATT_SESSION_MAX 32
#define ATT_SESSION_GAP_MS (30 * 60 * 1000.0) /* a session ends after 30 minutes without activity */

/* What the user did in this session: memory only, never stored, dropped when it ends. */
typedef struct att__session {
  int32_t idx[ATT_SESSION_MAX]; /* catalog indices, oldest first */
  double at[ATT_SESSION_MAX];
  int n;
} att__session;

/* A ranked item as it was served: for crediting clicks to positions, online learning and the
 * counterfactual estimate. */
typedef struct att__served_item {
  uint32_t idx;
  float feat[ATT_SIG_COUNT]; /* raw signal-group sums when served */
  float propensity;          /* probability the policy put it in its slot */
  uint8_t greedy;            /* it was the greedy choice for its slot */
} att__served_item;

/* Per (configuration, catalog) compiled state and per-call scratch, reused across calls so
 * ranking allocates nothing on its hot path (the touched list aside, which only grows). */
typedef struct att__ranker {
  const att__config *cfg;
  const att__catalog *cat;
  float *fresh0;        /* 2^((published - fresh_ref) / halfLife) per item, 0 when unknown */
  double fresh_ref;     /* days */
  float *inv_norm;      /* per item: 1 / |vector| (int8: the dequantised one), 0 without a vector */
  int32_t *pin_idx;     /* per config pin: catalog index or -1 */
  /* per-call scratch sized to the catalog */
  float *score;         /* fast score, -inf when excluded */
  uint8_t *flag;        /* why an item is excluded this call (ATT__X_* bits) */
  float *rel;           /* related-item sums */
  float *extra;         /* per-item part of the fast score */
  uint32_t *touched;    /* items with rel or extra set, to reset them */
  uint32_t ntouched, cap_touched;
  uint32_t *heap;
  /* per tag and per category */
  double *tagw, *tagaff, *ctxrule_tag, *ctxlearn_tag, *sess_tag;
  float *tag_pair;      /* fast path, per tag: (site boosts, interest) with learned weights applied */
  uint8_t *tagblk;
  double *catw, *cataff, *ctxrule_cat, *cat_all;
  /* this call */
  int level, seg;       /* seg: segment index (nsegments = default), -1 at level none */
  double now, fresh_scale, w_rel_norm, lambda_b;
  double theta[ATT_SIG_COUNT];
  double *uvec;         /* the user vector (dim), normalised */
  float *uvecf;         /* the same in float, for the fast path */
  float inv_sqrt[ATT_MAX_ITEM_TAGS + 1]; /* 1 / sqrt(n) */
  float w_pop_f, w_fresh_f, fresh_scale_f, model_w; /* fast-path weights */
  double *gram;         /* scratch for solving it: dim x dim */
  double *yty;          /* Y^T Y of the item vectors (dim x dim), for solving it */
  int yty_ready;        /* yty is computed (on the first solve: only level individual needs it) */
  double uconf;         /* confidence in it: n / (n + 3) */
  att__context ctx;
  const att__session *sess;
  uint8_t *rule_on;     /* per context rule: it matches this call's context */
  int use_tags;
} att__ranker;

/* Options of one recommend call. */
typedef struct att__rank_opts {
  int k;
  uint32_t *exclude;    /* catalog indices */
  uint32_t nexclude;
  uint16_t *ftags;      /* filter: any of these tags */
  uint32_t nftags;
  int has_ftags;
  uint16_t *fcats;      /* filter: one of these categories */
  uint32_t nfcats;
  int has_fcats;
  att__context context;
  double seed;          /* drives exploration; NaN = none given */
} att__rank_opts;

int att__ranker_bind(att__ranker *r, const att__config *cfg, const att__catalog *cat);
/* Bytes of per-catalog tables and scratch the ranker holds (for the memory benchmark). */
size_t att__ranker_bytes(const att__ranker *r);
void att__ranker_free(att__ranker *r);

/* Parses recommend options JSON ({k, exclude, filter, context, seed}); len 0 = defaults. */
int att__rank_opts_parse(att__err *e, const att__config *cfg, const att__catalog *cat, const char *json, size_t len,
                         att__rank_opts *o);
void att__rank_opts_free(att__rank_opts *o);

/* Ranks for `p` at `now`.  Writes the JSON result to `out` and the served items to `picked`
 * (room for opts->k entries); *npicked receives their count. */
int att__rank_recommend(att__err *e, att__ranker *r, const att__profile *p, const att__session *s,
                        const att__rank_opts *o, double now, att__buf *out, att__served_item *picked, int *npicked);

/* Explains item `idx` for `p` in context `ctx` at `now` as JSON into `out`. */
int att__rank_explain(att__err *e, att__ranker *r, const att__profile *p, const att__session *s,
                      const att__context *ctx, uint32_t idx, double now, att__buf *out);

#endif
