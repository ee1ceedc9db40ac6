/* Resource limit facts (report_limits.h). */
#include "report_limits.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static void add_cgroup_value(struct json *j, const char *key, const char *v2, const char *v1)
{
    char buf[64];
    int ok = read_file(v2, buf, sizeof buf) >= 0 || read_file(v1, buf, sizeof buf) >= 0;
    json_kstr(j, key, ok ? trim(buf) : NULL);
}

/* CPU bandwidth as cgroup v2 writes it, "QUOTA PERIOD" or "max PERIOD"; from v1's two files if need be. */
static void add_cpu_max(struct json *j)
{
    char v[64], quota[32], period[32];
    const char *out = NULL;
    if (read_file("/sys/fs/cgroup/cpu.max", v, sizeof v) >= 0) {
        out = trim(v);
    } else if (read_file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", quota, sizeof quota) >= 0 &&
               read_file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", period, sizeof period) >= 0) {
        const char *q = trim(quota);
        snprintf(v, sizeof v, "%s %s", strcmp(q, "-1") == 0 ? "max" : q, trim(period));
        out = v;
    }
    json_kstr(j, "cpuMax", out);
}

/* The controllers of the cgroup v2 in view (what can limit at all); null without one. */
static void add_controllers(struct json *j)
{
    char v[256], *save = NULL;
    json_key(j, "controllers");
    if (read_file("/sys/fs/cgroup/cgroup.controllers", v, sizeof v) < 0) {
        json_null(j);
        return;
    }
    json_open(j, '[');
    for (char *c = strtok_r(v, " \n", &save); c; c = strtok_r(NULL, " \n", &save))
        json_str(j, c);
    json_close(j, ']');
}

void report_cgroup(struct json *j)
{
    json_key(j, "cgroup");
    json_open(j, '{');
    add_cgroup_value(j, "memoryMax", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
    add_cgroup_value(j, "pidsMax", "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max");
    add_cpu_max(j);
    add_controllers(j);
    json_close(j, '}');
}

static void add_rlimit_value(struct json *j, rlim_t v)
{
    if (v == RLIM_INFINITY)
        json_int(j, -1);
    else
        json_uint(j, (unsigned long long)v);
}

void report_rlimits(struct json *j)
{
    static const struct {
        const char *name;
        int resource;
    } lim[] = {{"nproc", RLIMIT_NPROC}, {"nofile", RLIMIT_NOFILE}, {"data", RLIMIT_DATA},
               {"fsize", RLIMIT_FSIZE}, {"as", RLIMIT_AS}};
    json_key(j, "rlimits");
    json_open(j, '{');
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        struct rlimit r;
        json_key(j, lim[i].name);
        if (getrlimit(lim[i].resource, &r) < 0) {
            json_null(j);
            continue;
        }
        json_open(j, '[');
        add_rlimit_value(j, r.rlim_cur);
        add_rlimit_value(j, r.rlim_max);
        json_close(j, ']');
    }
    json_close(j, '}');
}
