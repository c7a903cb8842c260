/* config.h — the site's configuration: parsed from JSON, validated strictly (unknown keys,
 * wrong types and out-of-range values are errors naming the key), with a documented default
 * for every field.  README.md "Configuration" is the user-facing copy of the defaults below. */
#ifndef ATT_CONFIG_H
#define ATT_CONFIG_H

#include <stdint.h>

#include "core.h"

enum { ATT_BOOST_TAG, ATT_BOOST_CATEGORY, ATT_BOOST_ITEM };

typedef struct att__boost {
  int kind;  /* ATT_BOOST_* */
  char *key; /* tag, category or item id */
  double w;
} att__boost;

/* A condition "key is one of values" (values are strings; a trait's are among its declared
 * values, checked when parsing). */
typedef struct att__cond {
  char *key;
  char **values;
  int nvalues;
} att__cond;

typedef struct att__rule {
  char *label;      /* segments only */
  att__cond *when;  /* all must hold (AND); a value list is an OR */
  int nwhen;
  att__boost *boost;
  int nboost;
} att__rule;

typedef struct att__pin {
  char *item;
  int position;   /* 1-based */
  int segment;    /* index into segments, -2 = any segment, -1 = the default label */
} att__pin;

typedef struct att__trait {
  char *name;
  char **values;
  int nvalues;
} att__trait;

typedef struct att__config {
  int level;              /* privacyLevel: default level of a profile with no stored choice */
  int max_level;          /* maxPrivacyLevel: no profile goes above it */
  int history_size;       /* history.size */
  double retention_days;  /* history.retentionDays */
  double half_life_days;  /* history.halfLifeDays */
  double event_w[ATT_EV_COUNT]; /* events.* (impression is fixed at 0) */
  att__trait traits[ATT_MAX_TRAITS];
  int ntraits;
  int usage_regular_days, usage_heavy_days; /* usage.regularDays / usage.heavyDays */
  att__rule segments[ATT_MAX_SEGMENTS];
  int nsegments;
  char *default_segment;
  char **context_keys;    /* context.keys: site-declared context keys */
  int ncontext_keys;
  att__rule *context_rules;
  int ncontext_rules;
  int label_k;            /* label.k */
  double *populations;    /* label.populations per segment, then the default; <0 = unknown */
  double random_rate;     /* label.randomRate */
  double epsilon;         /* label.epsilon; NaN = derived from randomRate */
  double epoch_days;      /* label.epochDays */
  int exclude_seen;       /* ranking.excludeSeen */
  double diversity;       /* ranking.diversity */
  int max_per_category;   /* ranking.maxPerCategory, 0 = no cap */
  double exploration;     /* ranking.exploration */
  double w_popularity, w_freshness, w_affinity, w_related; /* ranking.weights.* */
  double w_context, w_session, w_model;                     /* ranking.weights.* */
  double model_lambda;        /* model.lambda: ridge regularisation of the user vector */
  double model_alpha;         /* model.alpha: confidence per unit of interaction weight */
  double model_rate;          /* model.learningRate: step of the online signal weights */
  int model_vectors;          /* model.vectors: ATT_VEC_F32 or ATT_VEC_I8, read when a catalog is loaded */
  double freshness_half_life_days; /* ranking.freshnessHalfLifeDays */
  char **sensitive;       /* sensitiveTags */
  int nsensitive;
  att__pin *pins;         /* editorial.pins */
  int npins;
  char **editorial_exclude; /* editorial.exclude */
  int nexclude;
} att__config;

/* Fills `c` with every default. */
void att__config_defaults(att__config *c);
/* Parses `json` into `out` (which must be zeroed or freed).  On error `out` is left freed and
 * the error names the key. */
int att__config_parse(att__err *e, const char *json, size_t len, att__config *out);
void att__config_free(att__config *c);
/* The configuration as JSON with every default filled in (reads back to the same settings). */
int att__config_json(const att__config *c, att__buf *out);

/* The level named `s` (none, segment, ...) or -1. */
int att__level_from_name(const char *s, size_t n);
const char *att__level_name(int level);
const char *att__event_name(int type);
int att__event_from_name(const char *s, size_t n);

/* Index of trait `name` or -1; index of `value` among its declared values or -1. */
int att__config_trait(const att__config *c, const char *name, size_t n);
int att__config_trait_value(const att__trait *t, const char *value, size_t n);
int att__config_is_sensitive(const att__config *c, const char *tag, size_t n);
/* Index of the segment labelled `s`, ATT_MAX_SEGMENTS for the default label, or -1. */
int att__config_segment(const att__config *c, const char *s, size_t n);
/* The randomised-response keep probability for m labels (1 when nothing is randomised). */
double att__config_keep_probability(const att__config *c);

extern const char *const att__usage_names[3];

#endif
