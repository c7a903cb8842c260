/* merge.h — three-way merge of profiles, so two tabs of one profile lose nothing.
 *
 * `base` is the stored profile a tab last read or wrote, `theirs` what another tab has stored
 * since, `ours` the tab's profile in memory.  Collections merge as sets: the result keeps ours,
 * minus what they removed since base, plus what they added since base.  So interactions,
 * blocks and dismissals added in either tab survive, and a removal in either tab (an unblock,
 * an expiry, a forget) is not undone by the other.  Single values (traits, the level) take the
 * side that changed; when both changed, the newer trait and the lower level win.  Counters add
 * both sides' increments. */
#ifndef ATT_MERGE_H
#define ATT_MERGE_H

#include "config.h"
#include "profile.h"

/* Builds the merged profile into `out` (initialised here).  None of the inputs change. */
int att__merge(att__err *e, const att__config *cfg, const att__profile *base, const att__profile *theirs,
               const att__profile *ours, att__profile *out);

#endif
