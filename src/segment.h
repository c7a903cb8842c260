/* segment.h — the coarse segment label: ordered rules over traits (first match wins), the
 * default label, and the label reported to a server (k-anonymity gate, randomised response,
 * memoised per epoch). */
#ifndef ATT_SEGMENT_H
#define ATT_SEGMENT_H

#include "config.h"
#include "profile.h"

/* The index of the first segment whose conditions all hold, or cfg->nsegments for the default
 * label.  At level none no traits are known, so it is always the default. */
int att__segment_match(const att__config *cfg, const att__profile *p, double now);
const char *att__segment_label(const att__config *cfg, int seg);

/* 1 when segment `seg` (nsegments = default) may be reported under k-anonymity: its published
 * population is at least k, or no populations were published at all. */
int att__segment_k_ok(const att__config *cfg, int seg);

/* The label index to send to a server now: the true segment, gated by k, randomised by k-ary
 * randomised response and memoised for the epoch (drawing with `seed` when the epoch or the
 * true label changed).  Sets *drawn to 1 when a new answer was drawn (the profile changed).
 * Returns -1 at level none. */
int att__segment_report(const att__config *cfg, att__profile *p, double seed, double now, int *drawn);

#endif
