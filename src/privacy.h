/* privacy.h — data minimisation in code: retention, decay, what each level keeps, sensitive
 * tags, and the randomised response that protects the server label. */
#ifndef ATT_PRIVACY_H
#define ATT_PRIVACY_H

#include <stdint.h>

#include "catalog.h"
#include "config.h"

struct att__profile;

/* 2^(-age_ms / half_life_days); 1 for age <= 0 is NOT assumed (future ages grow above 1). */
double att__decay(double age_ms, double half_life_days);
/* The weight at `now` of something from time `t`: att__decay(now - t), but a `t` after `now`
 * (the device's clock was set back, even by decades) counts as `now`, so weights seen from the
 * present stay within 1 and never overflow. */
double att__decay_since(double now, double t, double half_life_days);

/* 1 when item `idx` carries a tag or category the site marked sensitive. */
int att__item_sensitive(const att__config *cfg, const att__catalog *cat, int32_t idx);

/* Removes everything older than the configured retention (and activity older than 30 days)
 * as of `now`.  Returns 1 when anything was removed. */
int att__privacy_expire(struct att__profile *p, const att__config *cfg, const att__catalog *cat,
                        double now);

/* Deletes what `level` does not keep and sets the level.  Returns 1 when anything was
 * deleted. */
int att__privacy_purge(struct att__profile *p, const att__config *cfg, const att__catalog *cat, int level);

/* A small deterministic generator (splitmix64) for callers that pass a seed. */
typedef struct att__rng {
  uint64_t s;
} att__rng;
void att__rng_seed(att__rng *r, double seed);
double att__rng_unit(att__rng *r); /* uniform in [0, 1) */

/* The epoch (label.epochDays long, counted from 1970) that `now` falls in: the server label's
 * randomised answers hold for one epoch. */
int32_t att__label_epoch(const att__config *cfg, double now);

/* k-ary randomised response: reports `truth` (0..m-1) with probability `keep`, otherwise one of
 * the other m-1 answers uniformly. */
int att__rr_report(att__rng *r, int truth, int m, double keep);

/* The epsilon of k-ary randomised response with keep probability `keep` over m answers. */
double att__rr_epsilon(double keep, int m);

#endif
