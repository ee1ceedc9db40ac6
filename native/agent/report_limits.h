/* Resource limit facts for the report: the cgroup's and the process's own. */
#ifndef AI_WAY_REPORT_LIMITS_H
#define AI_WAY_REPORT_LIMITS_H

#include "json.h"

/* "cgroup": {"memoryMax", "pidsMax", "cpuMax"}, as cgroup v2 writes them (or from v1's files), and
 * "controllers", those of the cgroup v2 in view (null: none in view) */
void report_cgroup(struct json *j);
/* "rlimits": [soft, hard] of nproc, nofile, data, fsize, as; -1 for unlimited */
void report_rlimits(struct json *j);

#endif
