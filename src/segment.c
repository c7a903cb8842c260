/* segment.c — segment rules and the server label. */
#include "segment.h"

#include <math.h>
#include <string.h>

#include "privacy.h"

/* The profile's current value for a condition key (a trait or usage), or NULL when unset. */
static const char *att__segment_value(const att__config *cfg, const att__profile *p, const char *key,
                                      double now) {
  int t;
  if (strcmp(key, "usage") == 0) return att__usage_names[att__profile_usage(p, cfg, now)];
  t = att__config_trait(cfg, key, strlen(key));
  if (t < 0 || p->trait[t] < 0) return NULL;
  return cfg->traits[t].values[p->trait[t]];
}

int att__segment_match(const att__config *cfg, const att__profile *p, double now) {
  int s, c, v;
  if (p->level == ATT_LEVEL_NONE) return cfg->nsegments;
  for (s = 0; s < cfg->nsegments; s++) {
    const att__rule *r = &cfg->segments[s];
    int ok = 1;
    for (c = 0; ok && c < r->nwhen; c++) {
      const char *val = att__segment_value(cfg, p, r->when[c].key, now);
      ok = 0;
      for (v = 0; val && v < r->when[c].nvalues; v++)
        if (strcmp(r->when[c].values[v], val) == 0) ok = 1;
    }
    if (ok) return s;
  }
  return cfg->nsegments;
}

const char *att__segment_label(const att__config *cfg, int seg) {
  return seg >= 0 && seg < cfg->nsegments ? cfg->segments[seg].label : cfg->default_segment;
}

int att__segment_k_ok(const att__config *cfg, int seg) {
  int i, published = 0;
  for (i = 0; i <= cfg->nsegments; i++)
    if (cfg->populations[i] >= 0) published = 1;
  if (!published || cfg->label_k == 0) return 1;
  return cfg->populations[seg] >= cfg->label_k;
}

int att__segment_report(const att__config *cfg, att__profile *p, double seed, double now, int *drawn) {
  int truth, i, m = cfg->nsegments + 1;
  int32_t epoch = att__label_epoch(cfg, now);
  att__rng rng;
  *drawn = 0;
  if (p->level == ATT_LEVEL_NONE) return -1;
  truth = att__segment_match(cfg, p, now);
  if (!att__segment_k_ok(cfg, truth)) truth = cfg->nsegments;
  if (p->label_epoch != epoch) {
    p->label_epoch = epoch;
    p->label_n = 0;
  }
  for (i = 0; i < p->label_n; i++)
    if (p->label_truth[i] == truth) return p->label_value[i];
  att__rng_seed(&rng, seed);
  p->label_truth[p->label_n] = (int16_t)truth;
  p->label_value[p->label_n] = (int16_t)att__rr_report(&rng, truth, m, att__config_keep_probability(cfg));
  p->label_epochs++;
  if (isnan(p->label_first)) p->label_first = now;
  *drawn = 1;
  return p->label_value[p->label_n++];
}
