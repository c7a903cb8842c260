/* native.c — the same engine calls as bench/run.mjs, compiled natively (gcc -O2), on the same
 * inputs: a packed catalog, a config JSON and an events file ("item type at" per line).
 * Prints one JSON object of medians (ms) per level.
 *
 *   bench_native <catalog.attc> <config.json> <events.txt> <k> <runs> */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attune.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  char *b;
  long len;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  rewind(f);
  b = malloc((size_t)len + 1);
  if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
    free(b);
    b = NULL;
  }
  fclose(f);
  if (b) b[len] = 0;
  *n = (size_t)len;
  return b;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  static const char *const levels[] = {"none", "segment", "behavioral", "contextual", "individual"};
  size_t ncat, ncfg, nev;
  char *cat, *cfg, *ev, *line, opts[256];
  double now = 1.8e12, t0, *times, load_ms;
  int k, runs, l, i;
  att_engine *h;
  if (argc != 6) {
    fprintf(stderr, "usage: bench_native catalog.attc config.json events.txt k runs\n");
    return 2;
  }
  cat = slurp(argv[1], &ncat);
  cfg = slurp(argv[2], &ncfg);
  ev = slurp(argv[3], &nev);
  k = atoi(argv[4]);
  runs = atoi(argv[5]);
  if (!cat || !cfg || !ev || runs < 1) return 2;
  times = malloc((size_t)runs * sizeof *times);
  h = att_new();
  if (att_configure(h, cfg, ncfg, now)) goto fail;
  t0 = now_ms();
  if (att_load_catalog(h, cat, ncat, now)) goto fail;
  load_ms = now_ms() - t0;
  if (att_set_traits(h, "{\"plan\":\"pro\"}", 14, now)) goto fail;
  snprintf(opts, sizeof opts, "{\"k\":%d,\"seed\":1,\"context\":{\"hour\":9,\"weekday\":2,\"device\":\"mobile\"}}", k);
  printf("{\"loadPackedMs\":%.4f", load_ms);
  for (l = 0; l < 5; l++) {
    double eid = 1;
    if (att_set_level(h, l, now)) goto fail;
    /* the same 100 interactions at every level that keeps them */
    for (line = strtok(ev, "\n"); line; line = strtok(NULL, "\n")) {
      char item[160];
      int type;
      double at;
      if (sscanf(line, "%159s %d %lf", item, &type, &at) != 3) continue;
      if (att_track(h, item, strlen(item), type, at, 1, eid++, "{\"hour\":9,\"weekday\":2,\"device\":\"mobile\"}", 40, now))
        goto fail;
    }
    free(ev);
    ev = slurp(argv[3], &nev); /* strtok consumed it */
    for (i = 0; i < 5; i++) att_recommend(h, opts, strlen(opts), now);
    for (i = 0; i < runs; i++) {
      t0 = now_ms();
      if (att_recommend(h, opts, strlen(opts), now)) goto fail;
      times[i] = now_ms() - t0;
    }
    printf(",\"%s\":%.5f", levels[l], median(times, runs));
  }
  {
    double eid = 1e6;
    for (i = 0; i < runs * 10 && i < 5000; i++) {
      char item[32];
      snprintf(item, sizeof item, "i%d", i % 1000);
      t0 = now_ms();
      att_track(h, item, strlen(item), 0, now, 1, eid++, NULL, 0, now);
      times[i % runs] = now_ms() - t0;
    }
    printf(",\"trackMs\":%.5f", median(times, runs));
  }
  printf("}\n");
  att_free(h);
  return 0;
fail:
  fprintf(stderr, "bench_native: %s\n", att_errmsg(h));
  return 1;
}
