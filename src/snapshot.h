/* snapshot.h — the profile's two serialised forms.  The binary snapshot is what storage keeps:
 * magic, format version, payload length and CRC-32, then the payload.  The export is the same
 * content as human-readable, versioned JSON for the user to download and import.  Both
 * decoders validate everything and build a new profile, so a refused input changes nothing. */
#ifndef ATT_SNAPSHOT_H
#define ATT_SNAPSHOT_H

#include "config.h"
#include "core.h"
#include "profile.h"

#define ATT_SNAPSHOT_MAGIC "ATTN"
#define ATT_SNAPSHOT_VERSION 2
#define ATT_EXPORT_FORMAT "attune-profile"
#define ATT_EXPORT_VERSION 2

int att__snapshot_encode(const att__profile *p, const att__config *cfg, double now, att__buf *out);
/* Decodes into `out`, which is initialised here; on failure it is left empty.  Traits are
 * mapped by name onto `cfg` (traits it no longer declares are dropped). */
int att__snapshot_decode(att__err *e, const att__config *cfg, const unsigned char *b, size_t n,
                         att__profile *out);

int att__export_json(const att__profile *p, const att__config *cfg, double now, att__buf *out);
int att__import_json(att__err *e, const att__config *cfg, const char *json, size_t n, att__profile *out);

#endif
