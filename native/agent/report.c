/* Isolation report. Each field is measured, not assumed: a failed read gives null, never a
 * guess, so the launcher can tell "not isolated" from "could not look". */
#include "report.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"
#include "mounts.h"

#define OUTBOUND_BUDGET_MS 500

/* ---- sorted name lists (interfaces, device nodes) ---- */

struct names {
    int n;
    char v[128][96];
};

static void names_add(struct names *nl, const char *s)
{
    if (nl->n < 128 && strlen(s) < sizeof nl->v[0])
        strcpy(nl->v[nl->n++], s);
}

static void names_add_chr(struct names *nl, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode))
        names_add(nl, path);
}

/* Character devices in dir whose names start with prefix, as full paths. */
static void names_scan(struct names *nl, const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[96];
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
            names_add_chr(nl, path);
    }
    closedir(d);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void names_emit_list(struct json *j, struct names *nl)
{
    qsort(nl->v, (size_t)nl->n, sizeof nl->v[0], by_name);
    json_open(j, '[');
    for (int i = 0; i < nl->n; i++)
        json_str(j, nl->v[i]);
    json_close(j, ']');
}

static void names_emit(struct json *j, const char *key, struct names *nl)
{
    json_key(j, key);
    names_emit_list(j, nl);
}

/* The interfaces of the reader's own network namespace (/sys/class/net may show another one's). */
static void add_interfaces(struct json *j)
{
    static char dev[16384];
    struct names nl = {0};
    char *save = NULL;
    json_key(j, "interfaces");
    if (read_file("/proc/self/net/dev", dev, sizeof dev) < 0) {
        json_null(j);
        return;
    }
    for (char *line = strtok_r(dev, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (colon) { /* the two header lines have none */
            *colon = '\0';
            names_add(&nl, trim(line));
        }
    }
    names_emit_list(j, &nl);
}

static void add_devices(struct json *j)
{
    struct names nl = {0};
    names_scan(&nl, "/dev", "nvidia");
    names_scan(&nl, "/dev/dri", "");
    names_add_chr(&nl, "/dev/kfd");
    names_add_chr(&nl, "/dev/dxg");
    names_emit(j, "devices", &nl);
}

/* ---- outbound: both connects run at once within one budget ---- */

static void add_outbound(struct json *j)
{
    static const struct {
        const char *ip, *label;
        int port;
    } to[2] = {{"1.1.1.1", "1.1.1.1:53", 53}, {"10.0.2.2", "10.0.2.2:80", 80}};
    int fd[2], err[2]; /* err: 0 connected, -1 still pending, else errno */
    struct pollfd p[2];
    int connected = 0;

    for (int i = 0; i < 2; i++) {
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)to[i].port);
        inet_pton(AF_INET, to[i].ip, &a.sin_addr);
        fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd[i] < 0)
            err[i] = errno;
        else if (connect(fd[i], (struct sockaddr *)&a, sizeof a) == 0)
            err[i] = 0;
        else
            err[i] = errno == EINPROGRESS ? -1 : errno;
    }
    long long end = now_ms() + OUTBOUND_BUDGET_MS;
    for (;;) {
        int n = 0, idx[2];
        for (int i = 0; i < 2; i++)
            if (err[i] == -1) {
                p[n].fd = fd[i];
                p[n].events = POLLOUT;
                p[n].revents = 0;
                idx[n++] = i;
            }
        long long left = end - now_ms();
        if (n == 0 || left <= 0)
            break;
        if (poll(p, (nfds_t)n, (int)left) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < n; k++) {
            if (!p[k].revents)
                continue;
            int e = 0;
            socklen_t l = sizeof e;
            if (getsockopt(p[k].fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
                e = errno;
            err[idx[k]] = e;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (err[i] == -1)
            err[i] = ETIMEDOUT;
        if (err[i] == 0)
            connected = 1;
        if (fd[i] >= 0)
            close(fd[i]);
    }
    json_key(j, "outbound");
    json_open(j, '{');
    json_key(j, "connected");
    json_bool(j, connected);
    json_key(j, "attempts");
    json_open(j, '[');
    for (int i = 0; i < 2; i++) {
        json_open(j, '{');
        json_kstr(j, "to", to[i].label);
        json_kstr(j, "error", err[i] ? errno_name(err[i]) : NULL);
        json_close(j, '}');
    }
    json_close(j, ']');
    json_close(j, '}');
}

/* ---- mounts: the workspace, /dev/shm, and what is writable ---- */

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

/* {"path", "fstype", "options", "sizeBytes", "freeBytes"} of the mount holding path */
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

static void add_mounts(struct json *j)
{
    static struct mount_table t;
    int have_table = mounts_read(&t) == 0;
    add_mount_fact(j, "workspace", &t, have_table, g_workspace);
    add_mount_fact(j, "shm", &t, have_table, "/dev/shm");
    add_writable_mounts(j, &t, have_table);
    if (have_table)
        mounts_free(&t);
}

/* The root's mount is read-only (the flag, not a failed write: the app's user could not write
 * there anyway). */
static void add_root_read_only(struct json *j)
{
    struct statvfs v;
    json_key(j, "rootReadOnly");
    if (statvfs("/", &v) == 0)
        json_bool(j, (v.f_flag & ST_RDONLY) != 0);
    else
        json_null(j);
}

/* ---- /proc/self/status, uid_map, cgroup, rlimits ---- */

/* Value of "Key:\tvalue" in status into out; NULL if absent. */
static const char *status_field(const char *status, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *p = status; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == ':') {
            const char *v = p + klen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vlen = (size_t)(p + len - v);
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return out;
        }
        p += len + (p[len] == '\n');
    }
    return NULL;
}

static void add_proc_status(struct json *j)
{
    static char status[16384];
    char v[64];
    const char *s;
    if (read_file("/proc/self/status", status, sizeof status) < 0)
        status[0] = '\0';
    static const char *const caps[][2] = {{"CapEff", "capEff"}, {"CapPrm", "capPrm"}, {"CapInh", "capInh"},
                                          {"CapBnd", "capBnd"}, {"CapAmb", "capAmb"}};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
        json_kstr(j, caps[i][1], status_field(status, caps[i][0], v, sizeof v));
    static const char *const ints[2][2] = {{"NoNewPrivs", "noNewPrivs"}, {"Seccomp", "seccomp"}};
    for (int i = 0; i < 2; i++) {
        json_key(j, ints[i][1]);
        if ((s = status_field(status, ints[i][0], v, sizeof v)))
            json_int(j, atoll(s));
        else
            json_null(j);
    }
}

static void add_uid_map(struct json *j)
{
    char buf[4096], *save = NULL;
    json_key(j, "uidMap");
    if (read_file("/proc/self/uid_map", buf, sizeof buf) < 0) {
        json_null(j);
        return;
    }
    json_open(j, '[');
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned long long a, b, c;
        if (sscanf(line, "%llu %llu %llu", &a, &b, &c) != 3)
            continue;
        json_open(j, '[');
        json_uint(j, a);
        json_uint(j, b);
        json_uint(j, c);
        json_close(j, ']');
    }
    json_close(j, ']');
}

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

static void add_cgroup(struct json *j)
{
    json_key(j, "cgroup");
    json_open(j, '{');
    add_cgroup_value(j, "memoryMax", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
    add_cgroup_value(j, "pidsMax", "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max");
    add_cpu_max(j);
    json_close(j, '}');
}

static void add_rlimit_value(struct json *j, rlim_t v)
{
    if (v == RLIM_INFINITY)
        json_int(j, -1);
    else
        json_uint(j, (unsigned long long)v);
}

static void add_rlimits(struct json *j)
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

/* ---- the app's separation from the agent ---- */

/* Process ids this process can see: only its own namespace's supervisor (1) and itself. */
static void add_processes(struct json *j)
{
    int pids[64], n = 0;
    DIR *d = opendir("/proc");
    json_key(j, "processes");
    if (!d) {
        json_null(j);
        return;
    }
    struct dirent *e;
    uint64_t pid;
    while ((e = readdir(d)) && n < 64)
        if (parse_u64(e->d_name, INT_MAX, &pid) == 0)
            pids[n++] = (int)pid;
    closedir(d);
    json_open(j, '[');
    for (int i = 0; i < n; i++)
        json_int(j, pids[i]);
    json_close(j, ']');
}

/* Descriptors the app's program will hold: open ones not closed on exec. */
static void add_descriptors(struct json *j)
{
    DIR *d = opendir("/proc/self/fd");
    json_key(j, "descriptors");
    if (!d) {
        json_null(j);
        return;
    }
    json_open(j, '[');
    struct dirent *e;
    uint64_t fd;
    while ((e = readdir(d)))
        if (parse_u64(e->d_name, INT_MAX, &fd) == 0 && (int)fd != dirfd(d) && !(fcntl((int)fd, F_GETFD) & FD_CLOEXEC))
            json_int(j, (long long)fd);
    closedir(d);
    json_close(j, ']');
}

/* The supervisor (PID 1 here) runs as the agent's user: its uid, and whether its memory and
 * environment are out of the app's reach. */
static void add_supervisor(struct json *j)
{
    static char status[8192];
    char v[64];
    json_key(j, "supervisor");
    json_open(j, '{');
    const char *uid = read_file("/proc/1/status", status, sizeof status) < 0 ? NULL : status_field(status, "Uid", v, sizeof v);
    json_key(j, "uid");
    if (uid)
        json_int(j, atoll(uid));
    else
        json_null(j);
    int fd = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
    json_kstr(j, "environ", fd < 0 ? errno_name(errno) : NULL); /* null: it could be read */
    if (fd >= 0)
        close(fd);
    json_close(j, '}');
}

/* What the seccomp filter must refuse, tried for real: a user namespace (in a throwaway child,
 * as success would change this process) and an AF_VSOCK socket. Each is the error it got,
 * "allowed", or null when it could not be tried. */
static void add_denied(struct json *j)
{
    int userns = -1;
    pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0xff));
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        userns = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
    }
    int s = socket(K_AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int vsock = s < 0 ? errno : 0;
    if (s >= 0)
        close(s);
    json_key(j, "denied");
    json_open(j, '{');
    json_kstr(j, "userNamespace", pid < 0 ? NULL : userns ? errno_name(userns) : "allowed");
    json_kstr(j, "vsock", vsock ? errno_name(vsock) : "allowed");
    json_close(j, '}');
}

void report_json(struct json *j)
{
    add_interfaces(j);
    add_outbound(j);
    add_root_read_only(j);
    add_mounts(j);
    add_proc_status(j);
    add_uid_map(j);
    add_cgroup(j);
    add_rlimits(j);
    add_devices(j);
    add_processes(j);
    add_descriptors(j);
    add_supervisor(j);
    add_denied(j);
    json_kint(j, "uid", (long long)getuid());
    json_kint(j, "gid", (long long)getgid());
}
