/* transparency.h — what the engine tells the user about itself: the inventory of every stored
 * data point (what, why, how many, oldest, when it expires, which level keeps it, whether it
 * leaves the device), local engagement metrics, and the privacy report. */
#ifndef ATT_TRANSPARENCY_H
#define ATT_TRANSPARENCY_H

#include "catalog.h"
#include "config.h"
#include "core.h"
#include "profile.h"

/* `session` is how many interactions this visit holds (kept in memory only). */
int att__inventory_json(const att__profile *p, const att__config *cfg, const att__catalog *cat, int session,
                        double now, att__buf *out);
int att__metrics_json(const att__profile *p, double now, att__buf *out);
int att__privacy_report_json(const att__profile *p, const att__config *cfg, double now, att__buf *out);

#endif
