/* The isolation report: facts read inside the appliance (PROTOCOL.md, "Isolation report"). */
#ifndef AI_WAY_REPORT_H
#define AI_WAY_REPORT_H

#include "json.h"

/* What the app's process cannot read itself in its final state, handed down by the supervisor. */
struct report_given {
    const char *agent_uid_map; /* the supervisor's /proc/self/uid_map, read before the app started; NULL: unreadable */
    const char *accelerator;   /* what the launcher told runs the guest (not measured); NULL: not told */
};

/* Appends every report field after "type"; takes up to 500 ms (the outbound check). */
void report_json(struct json *j, const struct report_given *given);

#endif
