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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workspace.h"

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

/* Entries of dir starting with prefix; as full paths of character devices when devices is set. */
static void names_scan(struct names *nl, const char *dir, const char *prefix, int devices)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[96];
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (!devices) {
            names_add(nl, e->d_name);
        } else if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path) {
            names_add_chr(nl, path);
        }
    }
    closedir(d);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void names_emit(struct json *j, const char *key, struct names *nl)
{
    qsort(nl->v, (size_t)nl->n, sizeof nl->v[0], by_name);
    json_key(j, key);
    json_open(j, '[');
    for (int i = 0; i < nl->n; i++)
        json_str(j, nl->v[i]);
    json_close(j, ']');
}

static void add_interfaces(struct json *j)
{
    struct names nl = {0};
    names_scan(&nl, "/sys/class/net", "", 0);
    names_emit(j, "interfaces", &nl);
}

static void add_devices(struct json *j)
{
    struct names nl = {0};
    names_scan(&nl, "/dev", "nvidia", 1);
    names_scan(&nl, "/dev/dri", "", 1);
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

static void add_root_read_only(struct json *j)
{
    int ro = 0;
    int fd = open("/.ai-way-probe", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        unlink("/.ai-way-probe");
    } else {
        ro = errno == EROFS;
    }
    json_key(j, "rootReadOnly");
    json_bool(j, ro);
}

/* ---- workspace mount, from /proc/self/mountinfo ---- */

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape_octal(char *s)
{
    char *o = s;
    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
            s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
}

static int has_option(const char *list, const char *opt, size_t n)
{
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, opt, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* mount options, then the super block's options not already listed */
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

static int path_under(const char *path, const char *mp)
{
    size_t n = strlen(mp);
    if (strcmp(mp, "/") == 0)
        return 1;
    return strncmp(path, mp, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* One mountinfo line, split: mount point, its options, and after " - " the fstype and the super block's options. */
struct mount_line {
    char *point, *options, *fstype, *super;
};

/* Calls each(line, ctx) for every line of /proc/self/mountinfo; 0 when it cannot be read. */
static int mountinfo_each(void (*each)(const struct mount_line *, void *), void *ctx)
{
    char *line = NULL;
    size_t lcap = 0;
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return 0;
    while (getline(&line, &lcap, f) > 0) {
        char *fld[64], *save = NULL;
        int n = 0, dash = -1;
        for (char *t = strtok_r(line, " \n", &save); t && n < 64; t = strtok_r(NULL, " \n", &save)) {
            if (n >= 6 && dash < 0 && strcmp(t, "-") == 0)
                dash = n;
            fld[n++] = t;
        }
        if (n < 10 || dash < 0 || dash + 3 >= n)
            continue;
        unescape_octal(fld[4]);
        struct mount_line m = {fld[4], fld[5], fld[dash + 1], fld[dash + 3]};
        each(&m, ctx);
    }
    free(line);
    fclose(f);
    return 1;
}

struct holder {
    char real[PATH_MAX];
    size_t best;
    int found;
    char *fstype, *opts;
    size_t fcap, ocap;
};

static void consider_holder(const struct mount_line *m, void *ctx)
{
    struct holder *h = ctx;
    size_t len = strlen(m->point);
    if (!path_under(h->real, m->point) || (h->found && len < h->best))
        return;
    h->best = len;
    h->found = 1;
    snprintf(h->fstype, h->fcap, "%s", m->fstype);
    merge_options(h->opts, h->ocap, m->options, m->super);
}

/* The mount holding path: the longest mount point above it, the later line on a tie. */
static int find_mount(const char *path, char *fstype, size_t fcap, char *opts, size_t ocap)
{
    struct holder h = {.fstype = fstype, .opts = opts, .fcap = fcap, .ocap = ocap};
    if (!realpath(path, h.real))
        snprintf(h.real, sizeof h.real, "%s", path);
    return mountinfo_each(consider_holder, &h) && h.found;
}

static void collect_writable(const struct mount_line *m, void *ctx)
{
    static const char *const kernel_fs[] = {"proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2", "devtmpfs"};
    if (!has_option(m->options, "rw", 2))
        return;
    for (size_t i = 0; i < sizeof kernel_fs / sizeof *kernel_fs; i++)
        if (strcmp(m->fstype, kernel_fs[i]) == 0)
            return;
    names_add(ctx, m->point);
}

/* Mount points mounted read-write, leaving out the kernel's own filesystems (proc, sysfs, devpts,
 * mqueue, cgroup) and device nodes bound from devtmpfs: the launcher allows only memory-only ones. */
static void add_writable_mounts(struct json *j)
{
    struct names nl = {0};
    if (!mountinfo_each(collect_writable, &nl)) {
        json_key(j, "writableMounts");
        json_null(j);
        return;
    }
    names_emit(j, "writableMounts", &nl);
}

static void add_workspace(struct json *j)
{
    char fstype[64], opts[1024];
    uint64_t free_b, total_b;
    int have_mount = find_mount(g_workspace, fstype, sizeof fstype, opts, sizeof opts);
    int fd = ws_open();
    int have_space = fd >= 0 && ws_space(fd, &free_b, &total_b) == 0;
    if (fd >= 0)
        close(fd);

    json_key(j, "workspace");
    json_open(j, '{');
    json_kstr(j, "path", g_workspace);
    json_kstr(j, "fstype", have_mount ? fstype : NULL);
    json_kstr(j, "options", have_mount ? opts : NULL);
    json_key(j, "sizeBytes");
    if (have_space)
        json_uint(j, total_b);
    else
        json_null(j);
    json_key(j, "freeBytes");
    if (have_space)
        json_uint(j, free_b);
    else
        json_null(j);
    json_close(j, '}');
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
    json_kstr(j, "capEff", status_field(status, "CapEff", v, sizeof v));
    json_kstr(j, "capBnd", status_field(status, "CapBnd", v, sizeof v));
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

static void add_cgroup(struct json *j)
{
    json_key(j, "cgroup");
    json_open(j, '{');
    add_cgroup_value(j, "memoryMax", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
    add_cgroup_value(j, "pidsMax", "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max");
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

void report_json(struct json *j)
{
    add_interfaces(j);
    add_outbound(j);
    add_root_read_only(j);
    add_workspace(j);
    add_proc_status(j);
    add_uid_map(j);
    add_cgroup(j);
    add_rlimits(j);
    add_devices(j);
    add_writable_mounts(j);
    json_kint(j, "uid", (long long)getuid());
    json_kint(j, "gid", (long long)getgid());
}
