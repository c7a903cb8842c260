/* rank.h — scoring and ranking the catalog for a profile (levels none, segment, behavioral):
 * popularity and freshness prior, segment boosts, tag and category affinities, related items
 * from recent history, exclusions, editorial pins, a bounded top-k with deterministic ties,
 * per-item reasons in plain words and score explanations whose contributions add up.
 *
 * One scoring function serves both recommend and explain, so an explanation's contributions
 * sum to exactly the score that ranked the item. */
#ifndef ATT_RANK_H
#define ATT_RANK_H

#include <stdint.h>

#include "catalog.h"
#include "config.h"
#include "context.h"
#include "core.h"
#include "profile.h"

/* Per (configuration, catalog) compiled state and per-call scratch, reused across calls so
 * ranking allocates nothing on its hot path. */
typedef struct att__ranker {
  const att__config *cfg;
  const att__catalog *cat;
  float *fresh0;        /* 2^((published - fresh_ref) / halfLife) per item, 0 when unknown */
  double fresh_ref;     /* days */
  int32_t *pin_idx;     /* per config pin: catalog index or -1 */
  /* scratch, sized to the catalog */
  double *score;
  uint8_t *flag;        /* why an item is excluded this call (ATT__X_* bits) */
  double *tagw;         /* per tag: segment boost */
  double *tagaff;       /* per tag: affinity weight (normalised, times the affinity weight) */
  uint8_t *tagblk;      /* per tag: blocked by the user */
  double *catw, *cataff;
  float *ib;            /* per item: segment item boost */
  float *rel;           /* per item: related-item sum */
  uint32_t *touched;    /* items with ib or rel set, to reset them */
  uint32_t ntouched, cap_touched;
  uint32_t *heap;
  double w_rel_norm;    /* related weight / max related sum */
  double fresh_scale;   /* 2^(-(now - fresh_ref) / halfLife) */
  int use_tags;
  int seg;              /* segment used this call (nsegments = default, -1 at level none) */
  double now;
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
} att__rank_opts;

int att__ranker_bind(att__ranker *r, const att__config *cfg, const att__catalog *cat);
void att__ranker_free(att__ranker *r);

/* Parses recommend options JSON ({k, exclude, filter, context}); len 0 = defaults. */
int att__rank_opts_parse(att__err *e, const att__config *cfg, const att__catalog *cat, const char *json, size_t len,
                         att__rank_opts *o);
void att__rank_opts_free(att__rank_opts *o);

/* Ranks for `p` at `now`.  Writes the JSON result to `out` and the chosen catalog indices to
 * `picked` (room for opts->k entries); *npicked receives their count. */
int att__rank_recommend(att__err *e, att__ranker *r, const att__profile *p, const att__rank_opts *o,
                        double now, att__buf *out, uint32_t *picked, int *npicked);

/* Explains item `idx` for `p` at `now` as JSON into `out`. */
int att__rank_explain(att__err *e, att__ranker *r, const att__profile *p, uint32_t idx, double now,
                      att__buf *out);

#endif
