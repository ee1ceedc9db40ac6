/* The app's tree (sandbox_tree.h), built by the supervisor in its own mount namespace. It is built
 * in place: on "/" itself for a container (its root is the app's), or under a guest's root folder,
 * which then becomes root. Either way the engine's /proc and /dev are covered by the app's own,
 * and the workspace is a mount of its own at the same path. */
#include "sandbox_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"

/* Device nodes every program expects; GPUs come on top (sandbox_config.devices). */
static const char *const base_devices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
#define NBASE (sizeof base_devices / sizeof base_devices[0])

/* Host information the engine hides from /proc and a fresh /proc would show again. */
static const char *const proc_masked_files[] = {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                                "/proc/timer_stats", "/proc/sched_debug"};
static const char *const proc_masked_dirs[] = {"/proc/acpi", "/proc/scsi"};

static int mkdirs(const char *path, mode_t mode)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s", path) >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* Bind the file behind an O_PATH descriptor onto path (created as an empty file first). */
static int bind_fd(int fd, const char *path)
{
    char src[32];
    snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
    int made = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
    if (made < 0 && errno != EEXIST)
        return -1;
    if (made >= 0)
        close(made);
    return mount(src, path, NULL, MS_BIND, NULL);
}

static unsigned long option_flags(const char *opts)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } map[] = {{"nosuid", MS_NOSUID},         {"nodev", MS_NODEV},       {"noexec", MS_NOEXEC},
               {"noatime", MS_NOATIME},       {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME},
               {"strictatime", MS_STRICTATIME}};
    unsigned long f = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (has_option(opts, map[i].name, strlen(map[i].name)))
            f |= map[i].flag;
    return f;
}

/* Every mount the app can reach becomes read-only, but the workspace and its own /dev/shm. The
 * mount's other flags are kept: in a user namespace they may be locked, and dropping them fails. */
static int read_only_but(const char *workspace, const char **failed)
{
    static struct mount_table t;
    static char step[PATH_MAX + 32];
    if (mounts_read(&t) < 0) {
        *failed = "reading the mount table";
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < t.n && rc == 0; i++) {
        const struct mount_entry *m = &t.m[i];
        if (m->hidden || has_option(m->options, "ro", 2) || strcmp(m->point, workspace) == 0 ||
            strcmp(m->point, "/dev/shm") == 0)
            continue;
        if (mount(NULL, m->point, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | option_flags(m->options), NULL) < 0) {
            snprintf(step, sizeof step, "making %s read-only", m->point);
            *failed = step;
            rc = -1;
        }
    }
    mounts_free(&t);
    return rc;
}

/* Paths of the app's tree while it is built: under its root folder, or as they are for "/". */
static const char *at(const char *base, const char *path)
{
    static char buf[2][PATH_MAX];
    static int turn;
    char *out = buf[turn ^= 1];
    if ((size_t)snprintf(out, PATH_MAX, "%s%s", base, path) >= PATH_MAX)
        return "/nonexistent/path-too-long";
    return out;
}

static int mount_proc(const char *base, int null_fd, const char **failed)
{
    *failed = "a /proc of the app's own";
    if (mount("proc", at(base, "/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return -1;
    *failed = "hiding host information in /proc";
    for (size_t i = 0; i < sizeof proc_masked_files / sizeof *proc_masked_files; i++)
        if (access(at(base, proc_masked_files[i]), F_OK) == 0 && bind_fd(null_fd, at(base, proc_masked_files[i])) < 0)
            return -1;
    for (size_t i = 0; i < sizeof proc_masked_dirs / sizeof *proc_masked_dirs; i++)
        if (access(at(base, proc_masked_dirs[i]), F_OK) == 0 &&
            mount("tmpfs", at(base, proc_masked_dirs[i]), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "size=4k,nr_inodes=1,mode=0555") < 0)
            return -1;
    /* The app (which inherits it) is the one the kernel's OOM killer takes first, never the agent. */
    *failed = "oom_score_adj";
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    int ok = fd >= 0 && write(fd, "1000", 4) == 4;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

static int mount_dev(const char *base, const struct sandbox_config *c, const int *dev_fds, const char **failed)
{
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"}};
    static char step[PATH_MAX + 32];
    char opts[64];
    *failed = "a /dev of the app's own";
    if (mount("tmpfs", at(base, "/dev"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k,nr_inodes=256") < 0)
        return -1;
    for (int i = 0; i < (int)NBASE + c->ndevices; i++) {
        const char *path = i < (int)NBASE ? base_devices[i] : c->devices[i - (int)NBASE];
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", at(base, path));
        *strrchr(parent, '/') = '\0';
        if (mkdirs(parent, 0755) < 0 || bind_fd(dev_fds[i], at(base, path)) < 0) {
            snprintf(step, sizeof step, "passing %s to the app", path);
            *failed = step;
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i][0], at(base, links[i][1])) < 0)
            return -1;
    *failed = "the app's /dev/shm";
    snprintf(opts, sizeof opts, "mode=1777,size=%llu", (unsigned long long)c->shm_bytes);
    if (mkdir(at(base, "/dev/shm"), 01777) < 0 ||
        mount("tmpfs", at(base, "/dev/shm"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
        return -1;
    return 0;
}

/* The app's cgroup as its own: a /sys holding nothing but a cgroup2 mount, whose root (in the
 * app's cgroup namespace) is the app's cgroup, so its limits read back from inside. An appliance
 * without /sys is not shown its cgroup (its report then finds no limits). */
static int mount_cgroup_view(const char *base, const char **failed)
{
    struct stat st;
    if (stat(at(base, "/sys"), &st) < 0 || !S_ISDIR(st.st_mode)) {
        log_msg("the app's root has no /sys: its cgroup is not shown to it");
        return 0;
    }
    *failed = "a /sys of the app's own";
    if (mount("tmpfs", at(base, "/sys"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4k,nr_inodes=8") < 0 ||
        mkdirs(at(base, "/sys/fs/cgroup"), 0755) < 0)
        return -1;
    *failed = "the app's cgroup in its /sys";
    return mount("cgroup2", at(base, "/sys/fs/cgroup"), "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* Device sources are opened first: once /dev is replaced they are out of reach by path. */
static int open_devices(const struct sandbox_config *c, int *fds, const char **failed)
{
    static char step[PATH_MAX + 32];
    for (int i = 0; i < (int)NBASE + c->ndevices; i++) {
        const char *path = i < (int)NBASE ? base_devices[i] : c->devices[i - (int)NBASE];
        struct stat st;
        fds[i] = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fds[i] < 0 || fstat(fds[i], &st) < 0 || !S_ISCHR(st.st_mode)) {
            snprintf(step, sizeof step, "%s is not a character device here", path);
            *failed = step;
            if (fds[i] >= 0)
                errno = ENODEV;
            return -1;
        }
    }
    return 0;
}

/* Folders passed whole (WSL's GPU libraries and driver store): opened before the root changes,
 * bound at the same path inside; the seal makes them read-only with everything else. */
static int open_folders(const struct sandbox_config *c, int *fds, const char **failed)
{
    static char step[PATH_MAX + 32];
    for (int i = 0; i < c->nfolders; i++) {
        fds[i] = open(c->folders[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fds[i] < 0) {
            snprintf(step, sizeof step, "%s is not a folder here", c->folders[i]);
            *failed = step;
            return -1;
        }
    }
    return 0;
}

static int bind_folders(const char *base, const struct sandbox_config *c, const int *fds, const char **failed)
{
    static char step[PATH_MAX + 32];
    for (int i = 0; i < c->nfolders; i++) {
        char src[32];
        snprintf(src, sizeof src, "/proc/self/fd/%d", fds[i]);
        if (mkdirs(at(base, c->folders[i]), 0755) < 0 || mount(src, at(base, c->folders[i]), NULL, MS_BIND | MS_REC, NULL) < 0) {
            snprintf(step, sizeof step, "passing %s to the app", c->folders[i]);
            *failed = step;
            return -1;
        }
        close(fds[i]);
    }
    return 0;
}

int sandbox_tree_build(const struct sandbox_config *c, const char **failed)
{
    int dev_fds[NBASE + MAX_DEVICES];
    int folder_fds[MAX_FOLDERS];
    const char *base = strcmp(c->root, "/") == 0 ? "" : c->root;
    *failed = "making the app's mounts private";
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    if (open_devices(c, dev_fds, failed) < 0 || open_folders(c, folder_fds, failed) < 0)
        return -1;
    *failed = "the app's root folder";
    if (*base && mount(base, base, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -1;
    *failed = "the workspace as a mount of its own"; /* what stays writable is decided per mount */
    if (mkdirs(at(base, c->workspace), 0755) < 0 || mount(c->workspace, at(base, c->workspace), NULL, MS_BIND, NULL) < 0)
        return -1;
    if (bind_folders(base, c, folder_fds, failed) < 0 || mount_proc(base, dev_fds[0], failed) < 0 ||
        mount_dev(base, c, dev_fds, failed) < 0 ||
        (c->cgroup && mount_cgroup_view(base, failed) < 0))
        return -1;
    for (int i = 0; i < (int)NBASE + c->ndevices; i++)
        close(dev_fds[i]);
    *failed = "pivot_root into the app's root folder";
    if (*base && (chdir(base) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0))
        return -1;
    return 0;
}

int sandbox_tree_seal(const struct sandbox_config *c, const char **failed)
{
    return read_only_but(c->workspace, failed);
}
