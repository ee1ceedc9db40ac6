/* File system facts (report_fs.h), from the mount table and statvfs(2). */
#include "report_fs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mounts.h"
#include "names.h"

void report_devices(struct json *j)
{
    struct names nl = {0};
    names_scan(&nl, "/dev", "nvidia");
    names_scan(&nl, "/dev/dri", "");
    names_add_chr(&nl, "/dev/kfd");
    names_add_chr(&nl, "/dev/dxg");
    names_emit(j, "devices", &nl);
}

/* A mount's options, then its super block's options not already listed. */
static void merge_options(char *out, size_t cap, const char *mount_opts, const char *super_opts)
{
    size_t len = (size_t)snprintf(out, cap, "%s", mount_opts);
    if (len >= cap)
        return;
    for (const char *p = super_opts; *p;) {
        size_t n = strcspn(p, ",");
        if (n && !has_option(out, p, n) && len + 1 + n < cap) {
            out[len++] = ',';
            memcpy(out + len, p, n);
            len += n;
            out[len] = '\0';
        }
        p += n + (p[n] == ',');
    }
}

/* {"path", "mountPoint", "fstype", "options", "sizeBytes", "freeBytes"} of the mount holding path */
static void add_mount_fact(struct json *j, const char *key, const struct mount_table *t, int have_table, const char *path)
{
    char real[PATH_MAX], opts[1024];
    struct statvfs v;
    const struct mount_entry *m = NULL;
    if (have_table)
        m = mounts_holder(t, realpath(path, real) ? real : path);
    if (m)
        merge_options(opts, sizeof opts, m->options, m->super);
    int have_space = statvfs(path, &v) == 0;
    json_key(j, key);
    json_open(j, '{');
    json_kstr(j, "path", path);
    json_kstr(j, "mountPoint", m ? m->point : NULL);
    json_kstr(j, "fstype", m ? m->fstype : NULL);
    json_kstr(j, "options", m ? opts : NULL);
    json_key(j, "sizeBytes");
    if (have_space)
        json_uint(j, (unsigned long long)v.f_blocks * v.f_frsize);
    else
        json_null(j);
    json_key(j, "freeBytes");
    if (have_space)
        json_uint(j, (unsigned long long)v.f_bavail * v.f_frsize);
    else
        json_null(j);
    json_close(j, '}');
}

/* Visible mount points mounted read-write, leaving out the kernel's own filesystems (proc, sysfs,
 * devpts, mqueue, cgroup) and device nodes bound from devtmpfs: the launcher allows only the
 * workspace and /dev/shm. */
static void add_writable_mounts(struct json *j, const struct mount_table *t, int have_table)
{
    static const char *const kernel_fs[] = {"proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2", "devtmpfs"};
    struct names nl = {0};
    json_key(j, "writableMounts");
    if (!have_table) {
        json_null(j);
        return;
    }
    for (int i = 0; i < t->n; i++) {
        const struct mount_entry *m = &t->m[i];
        int kernel = 0;
        for (size_t k = 0; k < sizeof kernel_fs / sizeof *kernel_fs; k++)
            kernel |= strcmp(m->fstype, kernel_fs[k]) == 0;
        if (!m->hidden && !kernel && has_option(m->options, "rw", 2))
            names_add(&nl, m->point);
    }
    names_emit_list(j, &nl);
}

void report_mounts(struct json *j)
{
    static struct mount_table t;
    int have_table = mounts_read(&t) == 0;
    add_mount_fact(j, "workspace", &t, have_table, g_workspace);
    add_mount_fact(j, "shm", &t, have_table, "/dev/shm");
    add_writable_mounts(j, &t, have_table);
    /* The model the launcher passed, if any: its mount point shows whether it is a read-only mount of its own. */
    if (access(MODEL_PATH, F_OK) == 0)
        add_mount_fact(j, "model", &t, have_table, MODEL_PATH);
    else {
        json_key(j, "model");
        json_null(j);
    }
    if (have_table)
        mounts_free(&t);
}

/* The root's mount is read-only (the flag, not a failed write: the app's user could not write
 * there anyway). */
void report_root_read_only(struct json *j)
{
    struct statvfs v;
    json_key(j, "rootReadOnly");
    if (statvfs("/", &v) == 0)
        json_bool(j, (v.f_flag & ST_RDONLY) != 0);
    else
        json_null(j);
}
