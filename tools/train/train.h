/* train.h — the trainer's arithmetic, with no I/O: the user–item interaction matrix, item
 * neighbors by co-occurrence cosine with shrinkage, and item factors by implicit ALS (Hu,
 * Koren & Volinsky 2008).  attune-train.c reads files into these structures and writes what
 * they compute; selftest.c checks them against slow, obvious reference versions.
 *
 * Only item-level aggregates leave this module: user factors are scratch memory inside
 * trn_als() and are freed before it returns. */
#ifndef TRN_TRAIN_H
#define TRN_TRAIN_H

#include <stddef.h>
#include <stdint.h>

/* One positive interaction read from the events file.  `weight` > 0 (the event type's
 * weight, 1 when types are not weighted). */
typedef struct trn_event {
  uint32_t user, item;
  float weight;
} trn_event;

/* The interactions aggregated per (user, item) pair, stored twice: by user (rows for the user
 * solve) and by item (rows for the item solve and the co-occurrence scan).  For each pair,
 * `r` is the sum of its event weights (the "rating" that sets ALS confidence, so repeat
 * engagement counts) and `w` the strongest single event weight (the co-occurrence entry, so a
 * user who reloads a page a hundred times does not outweigh a hundred users). */
typedef struct trn_matrix {
  uint32_t users, items;
  size_t pairs;
  uint32_t *u_off;  /* users + 1 offsets into the u_* arrays */
  uint32_t *u_item;
  float *u_r, *u_w;
  uint32_t *i_off;  /* items + 1 offsets into the i_* arrays */
  uint32_t *i_user;
  float *i_r, *i_w;
  uint32_t *i_users; /* distinct users per item before the min-count cut (for reporting) */
  uint32_t dropped_items; /* items with interactions but fewer than min_count users */
} trn_matrix;

/* Builds the matrix from `n` events (reordered in place).  Items with fewer than `min_count`
 * distinct users are removed entirely, so they get neither a vector nor neighbors and do not
 * influence anyone else's.  Returns 0, or -1 when out of memory (the matrix is then empty). */
int trn_matrix_build(trn_matrix *m, uint32_t users, uint32_t items, trn_event *ev, size_t n,
                     uint32_t min_count);
void trn_matrix_free(trn_matrix *m);

/* One related item and its similarity. */
typedef struct trn_nb {
  uint32_t item;
  float w;
} trn_nb;

/* For every item i, its `m` most similar items j != i by
 *   sim(i, j) = co(i, j) / (sqrt(n_i * n_j) + shrink),
 * co(i, j) = sum over users of w_ui * w_uj, n_i = sum over users of w_ui^2, keeping only
 * pairs with at least `min_common` users in common and sim > 0.  Results go to out[i * m ...],
 * best first (ties: lower item index first), count[i] of them.  Returns 0 or -1 (memory). */
int trn_neighbors(const trn_matrix *mx, uint32_t m, double shrink, uint32_t min_common, trn_nb *out,
                  uint32_t *count);

typedef struct trn_als_opts {
  int dim;         /* factors per item, 1 .. ATT_MAX_DIM */
  uint32_t iters;  /* full sweeps (users, then items) */
  double lambda;   /* L2 regularisation, > 0 */
  double alpha;    /* confidence slope: c = 1 + alpha * r */
  uint64_t seed;   /* item factors start from this seed */
} trn_als_opts;

/* Fills the rows of items that have interactions with seeded random values of variance 1/dim,
 * and zeroes the others (so they never enter a Gram matrix). */
void trn_als_init(const trn_matrix *mx, int dim, uint64_t seed, float *item_f);

/* Solves every row of `dst` (n_dst x dim) given `src`: for row a with observed pairs (b, r),
 *   (S^T S + sum alpha*r * s_b s_b^T + lambda I) x_a = sum (1 + alpha*r) s_b,
 * which is Hu et al.'s C_a-weighted least squares with S^T S computed once per sweep.  Rows
 * without pairs become zero.  off/idx/r describe dst's rows (the u_* or i_* arrays).  Returns 0,
 * -1 when out of memory, or -2 when a system is not positive definite (*bad = its row). */
int trn_als_solve(const trn_als_opts *o, uint32_t n_dst, const uint32_t *off, const uint32_t *idx,
                  const float *r, const float *src, uint32_t n_src, float *dst, uint32_t *bad);

/* The objective Hu et al. minimise, for reporting and checking:
 *   sum over all (u, i) of c_ui (p_ui - x_u.y_i)^2 + lambda (|X|^2 + |Y|^2),
 * computed without touching the unobserved pairs: their part is sum_u x_u^T (Y^T Y) x_u. */
double trn_als_loss(const trn_matrix *mx, const trn_als_opts *o, const float *user_f, const float *item_f);

/* Runs trn_als_init and `iters` sweeps; item_f (items x dim) receives the item factors.
 * on_iter (may be NULL) is told the loss after each sweep.  Returns as trn_als_solve, except
 * that a failed item solve returns -3 (a failed user solve -2), *bad naming the row. */
int trn_als(const trn_matrix *mx, const trn_als_opts *o, float *item_f,
            void (*on_iter)(void *ctx, uint32_t iter, double loss), void *ctx, uint32_t *bad);

/* splitmix64: a small, well-mixed generator; the same seed gives the same factors on every
 * platform. */
uint64_t trn_rand64(uint64_t *state);
/* Uniform in [-1, 1). */
double trn_rand_sym(uint64_t *state);

/* The --self-test: ALS against the dense normal equations, the loss falling every sweep, and
 * neighbors against brute-force pair counting, on seeded random data.  Prints what it checked
 * to stdout and returns 0 when everything agrees. */
int trn_self_test(void);

#endif
