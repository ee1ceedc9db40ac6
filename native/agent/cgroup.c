/* The app's cgroup (cgroup.h). cgroup v2 only: the hierarchy is found in the mount table, the
 * agent's own cgroup in /proc/self/cgroup, and the app's is a child of it, with the controllers
 * enabled in the agent's cgroup's subtree. The supervisor joins it before the app exists. */
#include "cgroup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mounts.h"

#define CPU_PERIOD_US 100000ull
/* room for the app's folder name and a file name below the agent's cgroup */
#define PARENT_MAX (PATH_MAX - 64)
#define DIR_MAX (PATH_MAX - 32)

static char app_dir[DIR_MAX];

/* The agent's own cgroup as a folder: where the cgroup2 hierarchy is mounted, then the path
 * /proc/self/cgroup gives ("0::/path"). -1 when there is no cgroup v2 here. */
static int own_cgroup(char *out, size_t cap)
{
    static struct mount_table t;
    static char self[4096];
    const char *point = NULL, *path = NULL;
    if (mounts_read(&t) < 0)
        return -1;
    for (int i = 0; i < t.n && !point; i++)
        if (!t.m[i].hidden && strcmp(t.m[i].fstype, "cgroup2") == 0)
            point = t.m[i].point;
    if (point && read_file("/proc/self/cgroup", self, sizeof self) >= 0)
        for (char *line = self; *line && !path; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n')) {
            if (strncmp(line, "0::/", 4) == 0) {
                line[strcspn(line, "\n")] = '\0';
                path = line + 3;
            }
        }
    int rc = -1;
    struct stat st;
    if (path && (size_t)snprintf(out, cap, "%s%s", point, strcmp(path, "/") == 0 ? "" : path) < cap)
        rc = stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
    mounts_free(&t);
    return rc;
}

/* One limit: its controller enabled for the agent's children, then its file(s) in the app's cgroup. */
static void limit(const char *parent, const char *controller, const char *what, const char *file, const char *value)
{
    char path[PATH_MAX], enable[32];
    snprintf(enable, sizeof enable, "+%s", controller);
    snprintf(path, sizeof path, "%s/cgroup.subtree_control", parent);
    if (write_file(path, enable) < 0) {
        log_msg("the app's %s is not limited: the %s controller cannot be enabled here: %s", what, controller, strerror(errno));
        return;
    }
    snprintf(path, sizeof path, "%s/%s", app_dir, file);
    if (write_file(path, value) < 0)
        log_msg("the app's %s is not limited: %s cannot be written: %s", what, file, strerror(errno));
}

const char *cgroup_for_app(const struct app_limits *l)
{
    char parent[PARENT_MAX], path[PATH_MAX], v[48];
    if (!l->memory_bytes && !l->pids && !l->cpu_milli)
        return NULL;
    if (own_cgroup(parent, sizeof parent) < 0) {
        log_msg("no cgroup v2 here: the app's memory, processes and processors are not limited by a cgroup");
        return NULL;
    }
    snprintf(app_dir, sizeof app_dir, "%s/ai-way-app-%d", parent, (int)getpid());
    if (mkdir(app_dir, 0755) < 0 && errno != EEXIST) {
        log_msg("no cgroup for the app (%s): %s; it is not limited by one", app_dir, strerror(errno));
        return NULL;
    }
    if (l->memory_bytes) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)l->memory_bytes);
        limit(parent, "memory", "memory", "memory.max", v);
        /* without swap accounting (no such file) there is no swap to escape to either */
        snprintf(path, sizeof path, "%s/memory.swap.max", app_dir);
        if (write_file(path, "0") < 0 && errno != ENOENT)
            log_msg("the app's swap is not limited: memory.swap.max: %s", strerror(errno));
    }
    if (l->pids) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)l->pids);
        limit(parent, "pids", "number of processes", "pids.max", v);
    }
    if (l->cpu_milli) {
        snprintf(v, sizeof v, "%llu %llu", (unsigned long long)l->cpu_milli * CPU_PERIOD_US / 1000, CPU_PERIOD_US);
        limit(parent, "cpu", "processor time", "cpu.max", v);
    }
    return app_dir;
}

void cgroup_remove(const char *dir)
{
    if (!dir)
        return;
    /* the last of the app's processes may take a moment to leave it */
    for (int tries = 0; rmdir(dir) < 0; tries++) {
        if (errno != EBUSY || tries == 50) {
            log_msg("the app's cgroup %s stays: %s", dir, strerror(errno));
            return;
        }
        sleep_ms(2);
    }
}
