/* profile.h — what the engine knows about one user, kept on the device: declared traits, the
 * activity bitmap, the rolling window of interactions, dismissed and blocked items and tags,
 * local engagement counts and the memoised server label.  Tag and category affinities are
 * derived from the window (never stored) and kept up to date incrementally.
 *
 * Items are kept by id string, not by catalog index, so a profile survives catalog changes;
 * `idx` caches the catalog index (-1 when the item is not in the current catalog). */
#ifndef ATT_PROFILE_H
#define ATT_PROFILE_H

#include <stdint.h>

#include "catalog.h"
#include "config.h"
#include "core.h"

typedef struct att__event {
  double eid;     /* caller-made unique id (integer < 2^53) */
  double at;      /* ms since the epoch */
  double value;   /* strength multiplier, 1 by default */
  char *item;     /* owned */
  int32_t idx;    /* catalog index or -1 */
  uint8_t type;   /* ATT_EV_*, never impression */
  uint8_t bucket; /* context bucket + 1 at level contextual and above, else 0 */
} att__event;

/* A dismissed item, a blocked tag or item, or an item shown at the individual level. */
typedef struct att__mark {
  char *key;  /* owned */
  int32_t idx; /* catalog index (item or tag), -1 when not in the catalog */
  uint32_t n;  /* how many times (impressions); 1 otherwise */
  double at;
} att__mark;

typedef struct att__marks {
  att__mark *v;
  int n, cap;
} att__marks;

/* Signal groups: the individual level learns one weight per group. */
enum { ATT_SIG_POPULARITY, ATT_SIG_FRESHNESS, ATT_SIG_SEGMENT, ATT_SIG_AFFINITY, ATT_SIG_RELATED,
       ATT_SIG_CONTEXT, ATT_SIG_MODEL, ATT_SIG_COUNT };

#define ATT_MAX_IMPRESSION_ITEMS 500

/* Names of the signal groups (JSON keys of the learned weights), NULL-terminated. */
extern const char *const att__group_names[ATT_SIG_COUNT + 1];

/* The on-device model (level individual).  The user vector is derived from the window each
 * time it is needed and never stored; what is stored is what cannot be derived: the learned
 * signal weights, impression counts and the counterfactual log. */
typedef struct att__model {
  double theta[ATT_SIG_COUNT]; /* learned weight of each signal group; 1 = as configured */
  double bias;                 /* reserved (kept 0): the pairwise model needs no intercept */
  uint32_t updates;            /* learning steps taken */
  att__marks impressions;      /* items shown, with counts (at most ATT_MAX_IMPRESSION_ITEMS) */
  double ips_n;                /* impressions logged with a propensity */
  double ips_greedy;           /* sum over clicks on greedy choices of 1 / propensity */
  uint32_t explored_shown, explored_clicked;
} att__model;

typedef struct att__profile {
  int level;          /* effective level */
  int level_chosen;   /* 1 when the level was set explicitly (then it is stored) */
  int16_t trait[ATT_MAX_TRAITS];   /* value index into the config's trait, -1 = unset */
  double trait_at[ATT_MAX_TRAITS]; /* when it was last set */
  int32_t act_day;    /* day number (UTC) of bit 0 of act_bits */
  uint32_t act_bits;  /* bit k: active on day act_day - k; only 30 days are kept */
  att__event *win;    /* the rolling window, sorted by (at, eid), oldest first */
  int nwin, capwin;
  att__marks dismissed, blocked_tags, blocked_items;
  uint32_t impr[ATT_LEVEL_COUNT][ATT_POSITIONS + 1]; /* [level][position], 0 = not from a list */
  uint32_t clicks[ATT_LEVEL_COUNT][ATT_POSITIONS + 1];
  double metrics_since; /* NaN when no counts */
  int32_t label_epoch;  /* epoch of the memoised server answers, -1 = none */
  uint8_t label_n;      /* answers memoised this epoch: one per (k-gated) true segment, so a
                           segment that comes back gets its first answer again */
  int16_t label_truth[ATT_MAX_SEGMENTS + 1]; /* segment indices, nsegments = the default */
  int16_t label_value[ATT_MAX_SEGMENTS + 1]; /* what was reported for it */
  uint32_t label_epochs; /* randomised answers drawn so far (disclosures) */
  double label_first;   /* when the first of those was, NaN = never */
  att__model model;     /* level individual */
  /* derived, never stored: fixed-point affinity sums anchored at aff_t0 (see profile.c) */
  int64_t *tag_aff, *cat_aff;
  uint32_t ntag_aff, ncat_aff;
  double aff_t0;
  int stale;          /* a decoder dropped something (so the stored copy must be rewritten) */
} att__profile;

void att__profile_init(att__profile *p, int level);
/* Resets the model to its prior (weights 1, empty logs). */
void att__model_reset(att__model *m);
/* Releases everything and leaves an empty profile at `level`. */
void att__profile_reset(att__profile *p, int level);
void att__profile_free(att__profile *p);
/* Moves `from` into `to` (freeing what `to` held). */
void att__profile_move(att__profile *to, att__profile *from);

/* Re-resolves item and tag ids against `cat` and rebuilds the derived affinities.  Called
 * when the catalog, the configuration or the whole profile changes. */
int att__profile_bind(att__profile *p, const att__config *cfg, const att__catalog *cat);

/* Adds an interaction to the window, keeping it sorted by time (same-millisecond events in
 * arrival order) and the affinities current; takes ownership of ev->item on success.  An event
 * whose eid is already in the window is ignored (returns 0); returns 1 when added, or
 * -ATT_E_NOMEM.  The window may then exceed history.size: see att__profile_trim. */
int att__profile_add_event(att__profile *p, const att__config *cfg, const att__catalog *cat,
                           const att__event *ev);
/* Makes room for one more interaction, so the next add cannot fail. */
int att__profile_reserve(att__profile *p);
/* Drops the oldest interactions beyond history.size; returns how many. */
int att__profile_trim(att__profile *p, const att__config *cfg, const att__catalog *cat);
/* Removes window entry `i`, keeping the affinities current. */
void att__profile_remove_event(att__profile *p, const att__config *cfg, const att__catalog *cat, int i);

/* Moves the bitmap forward to the day of `now`, dropping days older than 30. */
void att__profile_roll_activity(att__profile *p, double now);
/* Marks the day containing `at` as active (ignored when older than 30 days before act_day). */
void att__profile_mark_active(att__profile *p, double at);
/* Active days among the 30 ending with the day of `now`. */
int att__profile_active_days(const att__profile *p, double now);
/* 0 light, 1 regular, 2 heavy. */
int att__profile_usage(const att__profile *p, const att__config *cfg, double now);

/* Current affinity of tag / category (decayed to `now`). */
double att__profile_tag_aff(const att__profile *p, const att__config *cfg, uint32_t tag, double now);
double att__profile_cat_aff(const att__profile *p, const att__config *cfg, uint32_t cat, double now);

/* Marks: find by key, add (or refresh `at`), remove.  Add returns ATT_OK, ATT_E_NOMEM or
 * ATT_E_LIMIT when `max` are already kept. */
int att__marks_find(const att__marks *m, const char *key, size_t n);
int att__marks_add(att__marks *m, const char *key, size_t n, int32_t idx, double at, int max);
/* Two steps of an add that cannot fail halfway: reserve room, then put an owned key. */
int att__marks_reserve(att__marks *m);
void att__marks_put(att__marks *m, char *key, int32_t idx, double at);
void att__marks_remove(att__marks *m, int i);
void att__marks_free(att__marks *m);

/* The position-th (1-based) slot of the metrics arrays for a position; 0 = not from a list. */
int att__metrics_slot(int position);

#endif
