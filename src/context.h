/* context.h — the situation a call happens in: hour, weekday, daypart, device class, referrer
 * class and the site's declared context keys.  Parsed and validated from JSON; never stored
 * raw (only a coarse bucket — daypart x device — is kept per interaction at level contextual). */
#ifndef ATT_CONTEXT_H
#define ATT_CONTEXT_H

#include "config.h"
#include "core.h"
#include "json.h"

#define ATT_CONTEXT_SITE_KEYS 8
#define ATT_DAYPARTS 4
#define ATT_DEVICES 3
/* Buckets are daypart x device (daypart * ATT_DEVICES + device), then one per daypart for an
 * unknown device (ATT_DAYPARTS * ATT_DEVICES + daypart; appended, so stored buckets keep their
 * meaning); 0 means "no bucket" in storage, so stored values are bucket + 1. */
#define ATT_BUCKETS (ATT_DAYPARTS * (ATT_DEVICES + 1))

typedef struct att__context {
  int hour;      /* 0..23, -1 = unknown */
  int weekday;   /* 0 = Sunday .. 6 = Saturday (as Date.getDay), -1 = unknown */
  int daypart;   /* 0 morning, 1 afternoon, 2 evening, 3 night; from hour when not given; -1 */
  int device;    /* 0 mobile, 1 tablet, 2 desktop, -1 */
  int referrer;  /* 0 search, 1 social, 2 email, 3 direct, 4 internal, -1 */
  char site[ATT_CONTEXT_SITE_KEYS][ATT_MAX_TAG_LEN + 1]; /* values of config.context.keys, "" = absent */
  int any;       /* 1 when anything is known */
} att__context;

extern const char *const att__daypart_names[ATT_DAYPARTS];
extern const char *const att__device_names[ATT_DEVICES];

void att__context_none(att__context *c);
/* Parses a context object; `where` prefixes messages ("track: context"). */
int att__context_parse(att__err *e, const att__config *cfg, const att__jv *obj, const char *where, att__context *c);
/* The same from JSON text; len 0 = no context. */
int att__context_parse_text(att__err *e, const att__config *cfg, const char *json, size_t len, const char *where,
                            att__context *c);
/* The context's bucket (see ATT_BUCKETS), or -1 when the daypart is unknown. */
int att__context_bucket(const att__context *c);
/* 1 when interactions in bucket `a` tell about bucket `b`: the same daypart, on the same device
 * or where either device is unknown. */
int att__buckets_match(int a, int b);
/* 1 when every condition of rule `r` holds in `c`. */
int att__context_matches(const att__config *cfg, const att__context *c, const att__rule *r);

#endif
