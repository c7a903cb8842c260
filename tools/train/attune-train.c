/* attune-train — the server-side trainer.  Reads an events CSV (user,item,timestamp[,type])
 * and an Attune catalog, and writes the catalog back with each item's `vector` (implicit-ALS
 * item factors) and `neighbors` (co-occurrence cosine with shrinkage), every other key of
 * every item kept as it was.  Only item-level aggregates are written: user ids and user
 * factors stay in this process.  See tools/train/README.md for the maths and the flags.
 *
 * It shares the core's code: the catalog is validated by the same parser the engine uses, event
 * names and default weights come from its configuration module, user ids are interned by its
 * string table, JSON is read and written only through json.h, and the least-squares solves are
 * linalg.c's. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "core.h"
#include "json.h"
#include "strtab.h"
#include "train.h"

#define PROG "attune-train"
#define TRN_MAX_USER_LEN 256 /* bytes in a user id; longer ones are almost surely a broken file */
#define TRN_MAX_FIELDS 16    /* fields looked at per CSV line (more are counted, not kept) */

typedef struct trn_opts {
  const char *events, *catalog, *out, *weights;
  uint32_t dim, iters, neighbors, min_count;
  double lambda, alpha, shrink;
  uint64_t seed;
  int verbose, quiet, help, self_test;
  double type_w[ATT_EV_COUNT];
} trn_opts;

static const char trn_usage[] =
    "Usage: " PROG " --events FILE.csv --catalog CATALOG.json --out OUT.json [flags]\n"
    "\n"
    "Adds to every catalog item a `vector` (implicit-ALS item factors) and `neighbors`\n"
    "(co-occurrence cosine with shrinkage), computed from the events; every other key of\n"
    "every item is kept.  Only item-level aggregates are written.\n"
    "\n"
    "Files\n"
    "  --events FILE      CSV with a header row: user,item,timestamp[,type] (any order);\n"
    "                     timestamp in ms since 1970 or ISO-8601 UTC (2026-01-05T12:00:00Z);\n"
    "                     type one of view, click, like, share, purchase, dismiss, impression\n"
    "                     (no type column: every row is a click)\n"
    "  --catalog FILE     the Attune catalog JSON to enrich\n"
    "  --out FILE         where to write the enriched catalog (- for stdout); written to a\n"
    "                     temporary file first, so a failed run leaves no partial output\n"
    "\n"
    "Vectors (implicit ALS)\n"
    "  --dim D            factors per item, 0-128 (0: no vectors)            [16]\n"
    "  --iters N          alternating sweeps, 1-1000                         [15]\n"
    "  --lambda L         L2 regularisation, > 0                             [10]\n"
    "  --alpha A          confidence c = 1 + A*r, >= 0                       [10]\n"
    "  --seed S           seed of the initial item factors, 0-2^64-1         [1]\n"
    "\n"
    "Neighbors (co-occurrence)\n"
    "  --neighbors M      related items kept per item, 0-100                 [20]\n"
    "  --shrink S         sim = co / (sqrt(n_i n_j) + S), >= 0               [10]\n"
    "\n"
    "Both\n"
    "  --min-count K      an item needs K distinct users to be trained, and a neighbor\n"
    "                     pair K users in common, 1-1000000000               [5]\n"
    "  --weights SPEC     weigh events by type: `default` (the engine's weights: view 0.2,\n"
    "                     click 1, like 2, share 2, purchase 3) or a list like\n"
    "                     view=0.5,purchase=4 (unlisted: 1; weights 0-100; 0 skips the type).\n"
    "                     Without it every event weighs 1.  dismiss and impression weigh 0\n"
    "                     unless listed.\n"
    "\n"
    "Other\n"
    "  --verbose          print the ALS objective after every sweep\n"
    "  --quiet            print nothing but errors\n"
    "  --self-test        check the arithmetic against slow reference versions and exit\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 done, 1 bad input or I/O failure, 2 bad flags.\n";

/* --- messages ----------------------------------------------------------------------------- */

static void trn_die_usage(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static void trn_die_usage(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, PROG ": ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nRun " PROG " --help for the flags.\n");
  exit(2);
}

/* Prints an input or I/O error; the caller cleans up and exits 1. */
static int trn_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static int trn_err(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, PROG ": ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 1;
}

/* --- flags -------------------------------------------------------------------------------- */

enum { TRN_STR, TRN_U32, TRN_DBL, TRN_U64, TRN_BOOL };

typedef struct trn_flag {
  const char *name;
  int kind;
  void *dst;
  double min, max;
  int min_exclusive;
} trn_flag;

static void trn_parse_number(const trn_flag *f, const char *v) {
  char *end = NULL;
  errno = 0;
  if (f->kind == TRN_DBL) {
    double d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d) || d < f->min || d > f->max || (f->min_exclusive && d == f->min))
      trn_die_usage("--%s: expected a number %s %g to %g, got \"%s\"", f->name,
                    f->min_exclusive ? "above" : "from", f->min, f->max, v);
    *(double *)f->dst = d;
  } else {
    /* strtoull takes a sign and wraps negatives around: a whole number here is digits only */
    unsigned long long u = 0;
    int ok = *v >= '0' && *v <= '9';
    if (ok) {
      u = strtoull(v, &end, 10);
      ok = !*end && !errno;
    }
    if (ok && f->kind == TRN_U32) ok = (double)u >= f->min && (double)u <= f->max;
    if (!ok && f->kind == TRN_U64)
      trn_die_usage("--%s: expected a whole number from 0 to 18446744073709551615, got \"%s\"", f->name, v);
    if (!ok) trn_die_usage("--%s: expected a whole number from %.0f to %.0f, got \"%s\"", f->name, f->min, f->max, v);
    if (f->kind == TRN_U64) *(uint64_t *)f->dst = (uint64_t)u;
    else *(uint32_t *)f->dst = (uint32_t)u;
  }
}

/* `default`, or name=weight pairs separated by commas. */
static void trn_parse_weights(trn_opts *o, const char *spec) {
  const char *p = spec;
  int t;
  if (strcmp(spec, "default") == 0) {
    /* the engine's own defaults; a dismissal weighs negative there, but implicit ALS and the
     * co-occurrence cosine have no negative preference, so it is skipped like an impression */
    att__config cfg;
    att__config_defaults(&cfg);
    for (t = 0; t < ATT_EV_COUNT; t++) o->type_w[t] = cfg.event_w[t] > 0 ? cfg.event_w[t] : 0;
    att__config_free(&cfg);
    return;
  }
  for (t = 0; t < ATT_EV_COUNT; t++) o->type_w[t] = t == ATT_EV_DISMISS || t == ATT_EV_IMPRESSION ? 0 : 1;
  while (*p) {
    const char *eq = strchr(p, '='), *comma = strchr(p, ',');
    char num[64], *end;
    size_t nl, vl;
    double w;
    if (!comma) comma = p + strlen(p);
    if (!eq || eq > comma)
      trn_die_usage("--weights: expected `default` or type=weight pairs like view=0.5,purchase=4, got \"%s\"", spec);
    nl = (size_t)(eq - p);
    if ((t = att__event_from_name(p, nl)) < 0)
      trn_die_usage("--weights: unknown event type \"%.*s\" (types: view, click, like, share, purchase, "
                    "dismiss, impression)", (int)nl, p);
    vl = (size_t)(comma - eq - 1);
    if (vl == 0 || vl >= sizeof num) trn_die_usage("--weights: %s needs a weight from 0 to 100", att__event_name(t));
    memcpy(num, eq + 1, vl);
    num[vl] = 0;
    errno = 0;
    w = strtod(num, &end);
    if (*end || errno || !(w >= 0 && w <= 100))
      trn_die_usage("--weights: %s=%s: expected a weight from 0 to 100", att__event_name(t), num);
    o->type_w[t] = w;
    p = *comma ? comma + 1 : comma;
  }
}

static void trn_parse_args(trn_opts *o, int argc, char **argv) {
  const trn_flag flags[] = {
      {"events", TRN_STR, &o->events, 0, 0, 0},
      {"catalog", TRN_STR, &o->catalog, 0, 0, 0},
      {"out", TRN_STR, &o->out, 0, 0, 0},
      {"dim", TRN_U32, &o->dim, 0, ATT_MAX_DIM, 0},
      {"iters", TRN_U32, &o->iters, 1, 1000, 0},
      {"lambda", TRN_DBL, &o->lambda, 0, 1e6, 1},
      {"alpha", TRN_DBL, &o->alpha, 0, 1e6, 0},
      {"seed", TRN_U64, &o->seed, 0, 0, 0},
      {"neighbors", TRN_U32, &o->neighbors, 0, ATT_MAX_NEIGHBORS, 0},
      {"shrink", TRN_DBL, &o->shrink, 0, 1e9, 0},
      {"min-count", TRN_U32, &o->min_count, 1, 1e9, 0},
      {"weights", TRN_STR, &o->weights, 0, 0, 0},
      {"verbose", TRN_BOOL, &o->verbose, 0, 0, 0},
      {"quiet", TRN_BOOL, &o->quiet, 0, 0, 0},
      {"self-test", TRN_BOOL, &o->self_test, 0, 0, 0},
      {"help", TRN_BOOL, &o->help, 0, 0, 0},
  };
  const size_t nflags = sizeof flags / sizeof flags[0];
  unsigned seen = 0; /* one bit per flag: giving one twice is an error, not a silent override */
  int a, t;
  memset(o, 0, sizeof *o);
  o->dim = 16;
  o->iters = 15;
  o->lambda = 10;
  o->alpha = 10;
  o->seed = 1;
  o->neighbors = 20;
  o->shrink = 10;
  o->min_count = 5;
  for (t = 0; t < ATT_EV_COUNT; t++) o->type_w[t] = t == ATT_EV_DISMISS || t == ATT_EV_IMPRESSION ? 0 : 1;

  for (a = 1; a < argc; a++) {
    const char *arg = argv[a], *name, *eq, *val = NULL;
    size_t nl, k;
    if (strcmp(arg, "-h") == 0) arg = "--help";
    if (strncmp(arg, "--", 2) != 0 || !arg[2])
      trn_die_usage("unexpected argument \"%s\"; every input is given with a flag (--events, --catalog, --out)", arg);
    name = arg + 2;
    eq = strchr(name, '=');
    nl = eq ? (size_t)(eq - name) : strlen(name);
    for (k = 0; k < nflags; k++)
      if (strlen(flags[k].name) == nl && memcmp(flags[k].name, name, nl) == 0) break;
    if (k == nflags) trn_die_usage("unknown flag \"--%.*s\"", (int)nl, name);
    if (seen & (1u << k)) trn_die_usage("--%s is given twice", flags[k].name);
    seen |= 1u << k;
    if (flags[k].kind == TRN_BOOL) {
      if (eq) trn_die_usage("--%s takes no value", flags[k].name);
      *(int *)flags[k].dst = 1;
      continue;
    }
    if (eq) val = eq + 1;
    else if (a + 1 < argc) val = argv[++a];
    else trn_die_usage("--%s needs a value", flags[k].name);
    if (flags[k].kind == TRN_STR) {
      if (!*val) trn_die_usage("--%s needs a value", flags[k].name);
      *(const char **)flags[k].dst = val;
    } else {
      trn_parse_number(&flags[k], val);
    }
  }
  if (o->help || o->self_test) return;
  if (!o->events) trn_die_usage("--events is required (the interactions CSV)");
  if (!o->catalog) trn_die_usage("--catalog is required (the catalog JSON to enrich)");
  if (!o->out) trn_die_usage("--out is required (where the enriched catalog goes; - for stdout)");
  if (o->verbose && o->quiet) trn_die_usage("--verbose and --quiet contradict each other; give one");
  if (o->weights) trn_parse_weights(o, o->weights);
}

/* --- reading ------------------------------------------------------------------------------ */

static int trn_read_file(const char *path, const char *what, att__buf *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return trn_err("cannot open the %s \"%s\": %s", what, path, strerror(errno));
  for (;;) {
    size_t got;
    if (att__buf_reserve(out, 1 << 16)) {
      fclose(f);
      return trn_err("%s: out of memory reading the %s", path, what);
    }
    got = fread(out->p + out->len, 1, out->cap - out->len, f);
    out->len += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    fclose(f);
    return trn_err("cannot read the %s \"%s\": %s", what, path, strerror(errno));
  }
  fclose(f);
  return 0;
}

/* Splits one CSV line (modified in place) into fields: RFC 4180 quoting ("a,b", "say ""hi""")
 * within the line, spaces around fields ignored.  Stores up to TRN_MAX_FIELDS fields and
 * returns how many the line has, or -1 with *why set when the quoting is broken. */
static int trn_csv_split(char *line, char **field, size_t *len, const char **why) {
  char *p = line;
  int n = 0;
  for (;;) {
    char *start, *w;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '"') {
      start = w = ++p;
      for (;;) {
        if (!*p) {
          *why = "a quoted field is not closed on this line (fields cannot span lines)";
          return -1;
        }
        if (*p == '"') {
          if (p[1] != '"') break;
          p++; /* "" is one quote */
        }
        *w++ = *p++;
      }
      p++;
      while (*p == ' ' || *p == '\t') p++;
      if (*p && *p != ',') {
        *why = "text after a closing quote (a quote inside a quoted field is written \"\")";
        return -1;
      }
    } else {
      start = p;
      while (*p && *p != ',') p++;
      w = p;
      while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
    }
    if (n < TRN_MAX_FIELDS) {
      field[n] = start;
      len[n] = (size_t)(w - start);
    }
    n++;
    if (!*p) {
      *w = 0;
      return n;
    }
    p++;
    *w = 0; /* after moving on: w may be the comma itself */
  }
}

/* A time in ms since 1970 (digits, optionally a fraction) or ISO-8601 UTC. */
static int trn_parse_time(const char *s, size_t n) {
  size_t k, digits = 0, dots = 0;
  double ms;
  for (k = 0; k < n; k++) {
    if (s[k] >= '0' && s[k] <= '9') digits++;
    else if (s[k] == '.') dots++;
    else break;
  }
  if (k == n && digits > 0 && dots <= 1) return strtod(s, NULL) <= 1e15 ? 0 : -1;
  return att__iso_parse(s, n, &ms);
}

typedef struct trn_events {
  trn_event *ev;
  size_t n, cap;
  size_t rows, skipped; /* data rows read; rows whose type weighs 0 */
  att__strtab users;
} trn_events;

enum { TRN_COL_USER, TRN_COL_ITEM, TRN_COL_TIME, TRN_COL_TYPE, TRN_COLS };
static const char *const trn_col_names[TRN_COLS] = {"user", "item", "timestamp", "type"};

static int trn_header(const char *path, char **field, size_t *len, int nf, int *col) {
  int k, c;
  char q[80];
  for (c = 0; c < TRN_COLS; c++) col[c] = -1;
  if (nf > TRN_COLS)
    return trn_err("%s:1: the header has %d columns; expected user,item,timestamp and optionally type",
                   path, nf);
  for (k = 0; k < nf; k++) {
    for (c = 0; c < TRN_COLS; c++)
      if (len[k] == strlen(trn_col_names[c]) && memcmp(field[k], trn_col_names[c], len[k]) == 0) break;
    if (c == TRN_COLS)
      return trn_err("%s:1: unknown column \"%s\" in the header; expected user,item,timestamp and "
                     "optionally type (the first line must name the columns)",
                     path, att__quote(q, sizeof q, field[k], len[k]));
    if (col[c] >= 0) return trn_err("%s:1: column \"%s\" appears twice in the header", path, trn_col_names[c]);
    col[c] = k;
  }
  for (c = 0; c < TRN_COL_TYPE; c++)
    if (col[c] < 0)
      return trn_err("%s:1: the header has no \"%s\" column; expected user,item,timestamp and optionally type",
                     path, trn_col_names[c]);
  return 0;
}

/* Reads every row, checking it fully (even rows whose type is skipped), and keeps the
 * positive interactions.  Errors name the file and line. */
static int trn_read_events(const trn_opts *o, const att__catalog *cat, trn_events *te) {
  FILE *f = fopen(o->events, "rb");
  char *line = NULL, *field[TRN_MAX_FIELDS], q[80];
  size_t cap = 0, len[TRN_MAX_FIELDS], lineno = 0;
  ssize_t got;
  int col[TRN_COLS], ncols = 0, have_header = 0, rc = 0;
  if (!f) return trn_err("cannot open the events file \"%s\": %s", o->events, strerror(errno));
  while ((got = getline(&line, &cap, f)) >= 0) {
    size_t n = (size_t)got;
    const char *why = NULL, *s;
    int nf, t = ATT_EV_CLICK;
    int64_t item;
    uint32_t uid;
    lineno++;
    if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
    if (n > 0 && line[n - 1] == '\r') line[--n] = 0;
    if (strlen(line) != n) {
      rc = trn_err("%s:%zu: the line contains a NUL byte; is this a text CSV file?", o->events, lineno);
      break;
    }
    if (lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) memmove(line, line + 3, (n -= 3) + 1);
    if (strspn(line, " \t") == n) {
      if (!have_header) {
        rc = trn_err("%s:%zu: expected the header row user,item,timestamp[,type] as the first line", o->events, lineno);
        break;
      }
      continue; /* blank lines between rows (and at the end) carry nothing */
    }
    nf = trn_csv_split(line, field, len, &why);
    if (nf < 0) {
      rc = trn_err("%s:%zu: %s", o->events, lineno, why);
      break;
    }
    if (!have_header) {
      if ((rc = trn_header(o->events, field, len, nf, col)) != 0) break;
      ncols = nf;
      have_header = 1;
      continue;
    }
    te->rows++;
    if (nf != ncols) {
      rc = trn_err("%s:%zu: %d field%s, but the header on line 1 has %d columns", o->events, lineno, nf,
                   nf == 1 ? "" : "s", ncols);
      break;
    }
    s = field[col[TRN_COL_USER]];
    if (len[col[TRN_COL_USER]] == 0 || len[col[TRN_COL_USER]] > TRN_MAX_USER_LEN) {
      rc = trn_err("%s:%zu: the user must be 1 to %d bytes", o->events, lineno, TRN_MAX_USER_LEN);
      break;
    }
    item = att__catalog_find(cat, field[col[TRN_COL_ITEM]], len[col[TRN_COL_ITEM]]);
    if (item < 0) {
      rc = len[col[TRN_COL_ITEM]] == 0
               ? trn_err("%s:%zu: the item is empty", o->events, lineno)
               : trn_err("%s:%zu: unknown item \"%s\": it is not in the catalog %s", o->events, lineno,
                         att__quote(q, sizeof q, field[col[TRN_COL_ITEM]], len[col[TRN_COL_ITEM]]), o->catalog);
      break;
    }
    if (trn_parse_time(field[col[TRN_COL_TIME]], len[col[TRN_COL_TIME]]) != 0) {
      rc = trn_err("%s:%zu: timestamp \"%s\" is not a time; expected milliseconds since 1970 (e.g. "
                   "1767614400000) or ISO-8601 UTC (e.g. 2026-01-05T12:00:00Z)",
                   o->events, lineno, att__quote(q, sizeof q, field[col[TRN_COL_TIME]], len[col[TRN_COL_TIME]]));
      break;
    }
    if (col[TRN_COL_TYPE] >= 0) {
      const char *ts = field[col[TRN_COL_TYPE]];
      if ((t = att__event_from_name(ts, len[col[TRN_COL_TYPE]])) < 0) {
        rc = trn_err("%s:%zu: unknown event type \"%s\"; expected view, click, like, share, purchase, "
                     "dismiss or impression", o->events, lineno,
                     att__quote(q, sizeof q, ts, len[col[TRN_COL_TYPE]]));
        break;
      }
    }
    if (!(o->type_w[t] > 0)) {
      te->skipped++;
      continue;
    }
    if (te->n == UINT32_MAX) {
      rc = trn_err("%s:%zu: more than %u interactions; aggregate or split the file", o->events, lineno, UINT32_MAX);
      break;
    }
    if (att__strtab_intern(&te->users, s, len[col[TRN_COL_USER]], &uid, NULL)) {
      rc = trn_err("%s:%zu: out of memory", o->events, lineno);
      break;
    }
    if (te->n == te->cap) {
      size_t ncap = te->cap ? te->cap * 2 : 4096;
      trn_event *p = att__realloc(te->ev, ncap * sizeof *p);
      if (!p) {
        rc = trn_err("%s:%zu: out of memory", o->events, lineno);
        break;
      }
      te->ev = p;
      te->cap = ncap;
    }
    te->ev[te->n].user = uid;
    te->ev[te->n].item = (uint32_t)item;
    te->ev[te->n].weight = (float)o->type_w[t];
    te->n++;
  }
  if (rc == 0 && ferror(f)) rc = trn_err("cannot read the events file \"%s\": %s", o->events, strerror(errno));
  if (rc == 0 && !have_header)
    rc = trn_err("%s: the file is empty; expected a header row user,item,timestamp[,type] and one row per event",
                 o->events);
  free(line);
  fclose(f);
  return rc;
}

/* --- writing ------------------------------------------------------------------------------ */

/* The shortest decimal that reads back as the same float, as a double: the engine keeps
 * vectors and weights as floats, so more digits would only make the file bigger. */
static double trn_float_text(float f) {
  char text[32];
  int digits;
  for (digits = 6; digits < 9; digits++) {
    snprintf(text, sizeof text, "%.*g", digits, (double)f);
    if (strtof(text, NULL) == f) break;
  }
  snprintf(text, sizeof text, "%.*g", digits, (double)f);
  return strtod(text, NULL);
}

/* Deep copy of a parsed value into the builder (key NULL: append to an array).  Numbers go
 * through att__jw_num, which prints the shortest text that reads back exactly. */
static void trn_copy(att__jw *w, att__jv *parent, const char *key, const att__jv *v) {
  const att__jv *c;
  att__jv *to;
  switch (att__jv_type(v)) {
    case ATT__J_NULL: att__jw_null(w, parent, key); break;
    case ATT__J_BOOL: att__jw_bool(w, parent, key, att__jv_bool(v)); break;
    case ATT__J_NUM: att__jw_num(w, parent, key, att__jv_num(v)); break;
    case ATT__J_STR: att__jw_str(w, parent, key, att__jv_str(v, NULL)); break;
    case ATT__J_ARR:
      to = att__jw_arr(w, parent, key);
      for (c = att__jv_first(v); c; c = att__jv_next(c)) trn_copy(w, to, NULL, c);
      break;
    case ATT__J_OBJ:
      to = att__jw_obj(w, parent, key);
      for (c = att__jv_first(v); c; c = att__jv_next(c)) trn_copy(w, to, att__jv_key(c), c);
      break;
    default: w->failed = 1; break;
  }
}

typedef struct trn_writer {
  att__err *e;
  FILE *f;
  const char *path;
  const att__catalog *cat;
  const trn_matrix *mx;
  const float *vec;
  int dim;
  const trn_nb *nb;
  const uint32_t *nb_count;
  uint32_t m;
  att__buf buf;
} trn_writer;

static int trn_write_member(void *ctx, const char *key, const att__jv *v) {
  (void)ctx;
  (void)key;
  (void)v; /* version and dim were checked by the catalog parser and are written anew */
  return ATT_OK;
}

static int trn_write_item(void *ctx, size_t index, const att__jv *v) {
  trn_writer *wr = ctx;
  att__jw w;
  att__jv *root, *arr;
  const att__jv *c;
  uint32_t i = (uint32_t)index, k;
  int d;
  root = att__jw_begin(&w, 0);
  for (c = att__jv_first(v); c; c = att__jv_next(c)) {
    const char *key = att__jv_key(c);
    /* replaced, not merged: old vectors may have another dim, old neighbors stale ids */
    if (strcmp(key, "vector") != 0 && strcmp(key, "neighbors") != 0) trn_copy(&w, root, key, c);
  }
  if (wr->dim > 0 && wr->mx->i_off[i + 1] > wr->mx->i_off[i]) {
    arr = att__jw_arr(&w, root, "vector");
    for (d = 0; d < wr->dim; d++) att__jw_num(&w, arr, NULL, trn_float_text(wr->vec[(size_t)i * wr->dim + d]));
  }
  if (wr->nb_count[i] > 0) {
    arr = att__jw_arr(&w, root, "neighbors");
    for (k = 0; k < wr->nb_count[i]; k++) {
      const trn_nb *nb = wr->nb + (size_t)i * wr->m + k;
      att__jv *pair = att__jw_arr(&w, arr, NULL);
      att__jw_str(&w, pair, NULL, att__catalog_id(wr->cat, nb->item));
      att__jw_num(&w, pair, NULL, trn_float_text(nb->w));
    }
  }
  if (att__jw_finish(&w, &wr->buf) != ATT_OK)
    return att__fail(wr->e, ATT_E_NOMEM, "out of memory writing item %zu", index);
  if ((i > 0 && fputs(",\n", wr->f) == EOF) || fwrite(wr->buf.p, 1, wr->buf.len, wr->f) != wr->buf.len)
    return att__fail(wr->e, ATT_E_ARG, "cannot write \"%s\": %s", wr->path, strerror(errno));
  return ATT_OK;
}

/* Writes the enriched catalog.  A regular file (or a new one) is written to a temporary file
 * renamed over `out` at the end, so readers never see half a catalog and a failure leaves the
 * old file in place.  Anything else (stdout, a device such as /dev/null, a FIFO, a symlink) is
 * written in place: renaming over it would replace the device or the link itself. */
static int trn_write(const trn_opts *o, const att__buf *cat_text, trn_writer *wr) {
  char *tmp = NULL;
  att__err e;
  struct stat st;
  int rc = 0, to_stdout = strcmp(o->out, "-") == 0;
  int in_place = to_stdout || (lstat(o->out, &st) == 0 && !S_ISREG(st.st_mode));
  memset(&e, 0, sizeof e);
  wr->e = &e;
  if (to_stdout) {
    wr->f = stdout;
    wr->path = "stdout";
  } else if (in_place) {
    wr->f = fopen(o->out, "wb");
    wr->path = o->out;
    if (!wr->f) return trn_err("cannot open \"%s\" for writing: %s", o->out, strerror(errno));
  } else {
    size_t n = strlen(o->out) + 32;
    tmp = att__malloc(n);
    if (!tmp) return trn_err("out of memory");
    snprintf(tmp, n, "%s.tmp-%ld", o->out, (long)getpid());
    wr->f = fopen(tmp, "wb");
    wr->path = tmp;
    if (!wr->f) {
      rc = trn_err("cannot create \"%s\" (a temporary file for --out \"%s\"): %s", tmp, o->out, strerror(errno));
      att__free(tmp);
      return rc;
    }
  }
  if (fprintf(wr->f, "{\"version\":1,\"dim\":%d,\"items\":[\n", wr->dim) < 0)
    rc = trn_err("cannot write \"%s\": %s", wr->path, strerror(errno));
  if (rc == 0 && att__json_walk(&e, "catalog", (const char *)cat_text->p, cat_text->len, "items",
                                trn_write_member, trn_write_item, wr) != ATT_OK)
    rc = trn_err("%s", e.msg);
  if (rc == 0 && (fputs("\n]}\n", wr->f) == EOF || fflush(wr->f) != 0 || ferror(wr->f)))
    rc = trn_err("cannot write \"%s\": %s", wr->path, strerror(errno));
  if (!to_stdout && fclose(wr->f) != 0 && rc == 0) rc = trn_err("cannot write \"%s\": %s", wr->path, strerror(errno));
  if (tmp) {
    if (rc == 0 && rename(tmp, o->out) != 0)
      rc = trn_err("cannot move \"%s\" to \"%s\": %s", tmp, o->out, strerror(errno));
    if (rc != 0) remove(tmp);
    att__free(tmp);
  }
  return rc;
}

/* --- main --------------------------------------------------------------------------------- */

typedef struct trn_progress {
  int verbose;
  double first, last;
} trn_progress;

static void trn_on_iter(void *ctx, uint32_t iter, double loss) {
  trn_progress *p = ctx;
  if (iter == 1) p->first = loss;
  p->last = loss;
  if (p->verbose) fprintf(stderr, PROG ": sweep %u: objective %.6g\n", iter, loss);
}

int main(int argc, char **argv) {
  trn_opts o;
  att__buf cat_text = {0};
  att__catalog *cat = NULL;
  trn_events te;
  trn_matrix mx;
  trn_nb *nb = NULL;
  uint32_t *nb_count = NULL, i, trained = 0, with_nb = 0;
  float *vec = NULL;
  trn_progress prog = {0, NAN, NAN};
  att__err e;
  int rc = 0;

  memset(&te, 0, sizeof te);
  memset(&mx, 0, sizeof mx);
  memset(&e, 0, sizeof e);
  trn_parse_args(&o, argc, argv);
  if (o.help) {
    fputs(trn_usage, stdout);
    return 0;
  }
  if (o.self_test) return trn_self_test() == 0 ? 0 : 1;

  if ((rc = trn_read_file(o.catalog, "catalog", &cat_text)) != 0) goto done;
  if (att__catalog_parse(&e, (const char *)cat_text.p, cat_text.len, ATT_VEC_F32, &cat) != ATT_OK) {
    rc = trn_err("%s: %s", o.catalog, e.msg);
    goto done;
  }
  if ((rc = trn_read_events(&o, cat, &te)) != 0) goto done;
  if (trn_matrix_build(&mx, te.users.n, cat->n, te.ev, te.n, o.min_count) != 0) {
    rc = trn_err("out of memory aggregating %zu interactions", te.n);
    goto done;
  }
  att__free(te.ev); /* the matrix holds all that is needed from here on */
  te.ev = NULL;

  nb = att__malloc(((size_t)cat->n * o.neighbors + 1) * sizeof *nb);
  nb_count = att__calloc((size_t)cat->n + 1, sizeof *nb_count);
  if (!nb || !nb_count || trn_neighbors(&mx, o.neighbors, o.shrink, o.min_count, nb, nb_count) != 0) {
    rc = trn_err("out of memory computing neighbors");
    goto done;
  }
  if (o.dim > 0) {
    trn_als_opts ao;
    uint32_t bad = 0;
    int arc;
    ao.dim = (int)o.dim;
    ao.iters = o.iters;
    ao.lambda = o.lambda;
    ao.alpha = o.alpha;
    ao.seed = o.seed;
    prog.verbose = o.verbose;
    vec = att__malloc(((size_t)cat->n * o.dim + 1) * sizeof *vec);
    arc = vec ? trn_als(&mx, &ao, vec, trn_on_iter, &prog, &bad) : -1;
    if (arc == -1) rc = trn_err("out of memory in ALS");
    else if (arc == -2) rc = trn_err("ALS: the system for a user is not positive definite; raise --lambda");
    else if (arc == -3)
      rc = trn_err("ALS: the system for item \"%s\" is not positive definite; raise --lambda",
                   att__catalog_id(cat, bad));
    if (rc) goto done;
  }
  {
    trn_writer wr;
    memset(&wr, 0, sizeof wr);
    wr.cat = cat;
    wr.mx = &mx;
    wr.vec = vec;
    wr.dim = (int)o.dim;
    wr.nb = nb;
    wr.nb_count = nb_count;
    wr.m = o.neighbors;
    rc = trn_write(&o, &cat_text, &wr);
    att__buf_free(&wr.buf);
    if (rc) goto done;
  }
  for (i = 0; i < cat->n; i++) {
    if (mx.i_off[i + 1] > mx.i_off[i]) trained++;
    if (nb_count[i] > 0) with_nb++;
  }
  if (!o.quiet) {
    fprintf(stderr, PROG ": %zu rows (%zu skipped by type), %u users, %zu user-item pairs\n", te.rows,
            te.skipped, te.users.n, mx.pairs);
    fprintf(stderr, PROG ": %u of %u items trained, %u below --min-count %u, %u with no events\n", trained,
            cat->n, mx.dropped_items, o.min_count, cat->n - trained - mx.dropped_items);
    if (o.dim > 0)
      fprintf(stderr, PROG ": ALS dim %u, %u sweeps, objective %.6g -> %.6g\n", o.dim, o.iters, prog.first,
              prog.last);
    fprintf(stderr, PROG ": %u items have neighbors (up to %u); wrote %s\n", with_nb, o.neighbors,
            strcmp(o.out, "-") == 0 ? "stdout" : o.out);
  }
done:
  att__free(te.ev);
  att__strtab_free(&te.users);
  trn_matrix_free(&mx);
  att__free(nb);
  att__free(nb_count);
  att__free(vec);
  att__catalog_free(cat);
  att__buf_free(&cat_text);
  return rc ? 1 : 0;
}
