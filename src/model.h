/* model.h — the on-device model of the individual level: a user vector folded in from the
 * window by implicit-ALS least squares, and per-signal weights learned online (logistic
 * regression on impressions and clicks), with the impression log behind them. */
#ifndef ATT_MODEL_H
#define ATT_MODEL_H

#include "catalog.h"
#include "config.h"
#include "profile.h"

/* Y^T Y of the catalog's item vectors (dim x dim, row-major, into `yty`): exact for catalogs
 * of up to 2048 items, estimated from an evenly spaced sample beyond. */
void att__model_item_gram(const att__catalog *cat, double *yty);

/* Solves the user vector over the window by implicit-ALS fold-in (see model.c); writes its
 * unit direction to `uvec` (catalog dim) and returns the confidence n / (n + 3) in it, or 0
 * when there is none.  `inv_norm` holds 1 / |item vector| per item (0 without a vector), `yty`
 * the catalog's att__model_item_gram; `gram` is scratch of dim * dim doubles. */
double att__model_fold_in(const att__config *cfg, const att__catalog *cat, const att__profile *p,
                          const float *inv_norm, const double *yty, double now, double *gram, double *uvec);

/* One online learning step from a click: the clicked item (raw signal-group sums `pos`) was
 * preferred to an item shown above it and skipped (`neg`). */
void att__model_learn(const att__config *cfg, att__model *m, const float *pos, const float *neg);

/* Counts an impression of item `idx` (id `item`) at `at`; keeps the newest
 * ATT_MAX_IMPRESSION_ITEMS items.  The room for the new entry is reserved by the caller with
 * att__marks_reserve and the id copied into `key` (owned), so this cannot fail. */
void att__model_count_impression(att__model *m, char *key, int32_t idx, double at);

/* Keeps the newest ATT_MAX_IMPRESSION_ITEMS impression counts (after a merge). */
void att__model_trim(att__model *m);

#endif
