/* Capabilities (caps.h), through the system calls themselves: the agent links libc only. */
#include "caps.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

int caps_set(uint64_t keep)
{
    struct k_cap_header h = {K_CAPABILITY_VERSION_3, 0};
    struct k_cap_data d[2] = {{(uint32_t)keep, (uint32_t)keep, 0}, {(uint32_t)(keep >> 32), (uint32_t)(keep >> 32), 0}};
    return (int)syscall(SYS_capset, &h, d);
}

int caps_bound(uint64_t keep)
{
    for (int cap = 0; cap <= K_CAP_LAST_POSSIBLE; cap++) {
        if (keep & (1ull << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) /* past the kernel's last capability */
                break;
            return -1;
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    return 0;
}

int caps_limit(uint64_t keep)
{
    return caps_bound(keep) < 0 ? -1 : caps_set(keep);
}
