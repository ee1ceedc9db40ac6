/* The app's cgroup, where no engine gives one (a VM guest): the limits the launcher asked for,
 * enforced by the guest's kernel on the app and everything it starts, never on the agent. */
#ifndef AI_WAY_CGROUP_H
#define AI_WAY_CGROUP_H

#include "agent.h"

struct app_limits {
    uint64_t memory_bytes; /* memory.max (and no swap); 0: not asked */
    uint64_t pids;         /* pids.max; 0: not asked */
    uint64_t cpu_milli;    /* cpu.max in thousandths of a processor; 0: not asked */
};

/* Makes the app's cgroup under the agent's own in the cgroup v2 hierarchy, with every limit asked
 * for that the kernel has a controller for; says on stderr what it could not do (no cgroup v2, a
 * controller missing), since the app's report reads back only what holds. The folder, or NULL when
 * nothing was asked or no cgroup could be made. */
const char *cgroup_for_app(const struct app_limits *l);
/* Removes that cgroup once the app's processes are gone (a guest that lives on keeps no leftovers). */
void cgroup_remove(const char *dir);

#endif
