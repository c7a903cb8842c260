/* catalog.h — the site's items, held as struct-of-arrays for the ranking loops.  Ids, tags,
 * categories and titles are interned; tags per item and related-item lists are stored in
 * compressed rows (an offset array plus one flat array).  Built from JSON or from the compact
 * binary catalog, through one validating builder. */
#ifndef ATT_CATALOG_H
#define ATT_CATALOG_H

#include <stdint.h>

#include "core.h"
#include "strtab.h"

#define ATT_NO_CATEGORY 0xffffu
#define ATT_NO_TITLE UINT32_MAX

/* The compact binary catalog (what `attune-pack` writes and the JS glue makes from catalog
 * objects), little-endian:
 *   "ATTC" | u16 version (1) | u16 flags (0) | u32 payload length | u32 CRC-32 of the payload
 *   payload: u32 items, u32 dim, u32 strings, strings x (u16 length, UTF-8 bytes),
 *     items x (u32 id, u8 tags, tags x u32, u32 category, u32 title, f64 popularity,
 *              f64 publishedAt, u8 has vector, [dim x f32], u8 neighbors,
 *              neighbors x (u32 item position, f32 weight))
 *   Strings are referred to by index (ATT_CATALOG_NONE = absent); NaN = absent number. */
#define ATT_CATALOG_MAGIC "ATTC"
#define ATT_CATALOG_PACK_VERSION 1
#define ATT_CATALOG_NONE 0xffffffffu

typedef struct att__catalog {
  uint32_t n;          /* items; item i has id ids[i] */
  uint32_t dim;        /* vector dimension, 0 = no vectors */
  att__strtab ids, tags, cats, titles;
  uint32_t *tag_off;   /* n + 1 offsets into tag_ids */
  uint16_t *tag_ids;   /* each item's tags, sorted by id */
  uint16_t *cat;       /* ATT_NO_CATEGORY when absent */
  float *pop;          /* popularity prior in [0, 1]: log1p(popularity) / log1p(max) */
  float *published;    /* days since the epoch, NaN when absent */
  uint32_t *title;     /* id in `titles`, ATT_NO_TITLE when absent; NULL when no item has one */
  /* Vectors are held as config model.vectors said when the catalog was built: ATT_VEC_F32
   * keeps the floats as given; ATT_VEC_I8 keeps, per item, int8 values and one float scale
   * (symmetric: scale = max|y| / 127, q = round(y / scale), so |y - q * scale| <= scale / 2 per
   * component) and no float copy: dim + 4 bytes per item instead of 4 * dim.  Read them
   * through the accessors below. */
  int vec_kind;        /* ATT_VEC_F32 or ATT_VEC_I8 */
  float *vec;          /* F32: n * dim, zero rows for items without a vector; NULL for I8 */
  int8_t *vq;          /* I8: n * dim quantised values, zero rows for items without a vector */
  float *vscale;       /* I8: n scales, y = vq * vscale (0 for a zero row) */
  uint32_t *nb_off;    /* n + 1 offsets into nb_item / nb_w */
  uint32_t *nb_item;
  float *nb_w;
  uint32_t dropped_neighbors; /* neighbor ids not in the catalog (ignored) */
} att__catalog;

/* Parses catalog JSON ({"version":1,"dim":D,"items":[...]}) into a new catalog whose vectors
 * are held as `vectors` (ATT_VEC_*).  Items are parsed one at a time, so memory stays near the
 * size of the result.  Errors name the item by index and id. */
int att__catalog_parse(att__err *e, const char *json, size_t len, int vectors, att__catalog **out);
/* The same from the compact binary form (see above), validated just as strictly. */
int att__catalog_load_packed(att__err *e, const unsigned char *bytes, size_t len, int vectors,
                             att__catalog **out);
void att__catalog_free(att__catalog *c);

/* Index of item `id`, or -1. */
int64_t att__catalog_find(const att__catalog *c, const char *id, size_t n);
const char *att__catalog_id(const att__catalog *c, uint32_t item);
/* Bytes held by the catalog (for the memory benchmark). */
size_t att__catalog_bytes(const att__catalog *c);

/* Item vectors, whichever way they are held.  Every reader goes through these, so float32
 * catalogs compute exactly what they did before int8 existed, and int8 ones use one
 * dequantised arithmetic (q * scale, in float) everywhere a float row is needed. */

/* Item i's vector as dim floats: a pointer into the catalog (F32) or `scratch` (room for dim
 * floats) filled with the dequantised values (I8).  Allocates nothing. */
const float *att__catalog_vec(const att__catalog *c, uint32_t i, float *scratch);
/* Item i's vector . y in float, the ranking loop's arithmetic (att__dotf, or att__dotq8 times
 * the item's scale). */
float att__catalog_dotf(const att__catalog *c, uint32_t i, const float *y);
/* Item a's vector . item b's in float (I8: the exact integer dot times both scales). */
float att__catalog_dot_items(const att__catalog *c, uint32_t a, uint32_t b);

#endif
