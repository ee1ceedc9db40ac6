/* The app's sandbox (sandbox.h). Three processes take part:
 *   the agent      keeps the channel; never shares a uid, a PID namespace or a descriptor with the app;
 *   the supervisor the agent's child and PID 1 of the app's PID namespace, with the agent's uid and no
 *                  capabilities: it builds the app's mounts, starts the app and reports its exit. The
 *                  agent ends everything in one step by killing it (the kernel then kills the namespace);
 *   the app        the supervisor's child: it drops to APP_ID, measures the isolation report in its
 *                  final state, hands it to the agent and only then executes the app's program. */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"
#include "mounts.h"
#include "reply.h"
#include "report.h"
#include "seccomp.h"

/* Device nodes every program expects; GPUs come on top (sandbox_config.devices). */
static const char *const base_devices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
#define NBASE (sizeof base_devices / sizeof base_devices[0])

/* Host information the engine hides from /proc and a fresh /proc would show again. */
static const char *const proc_masked_files[] = {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                                "/proc/timer_stats", "/proc/sched_debug"};
static const char *const proc_masked_dirs[] = {"/proc/acpi", "/proc/scsi"};

/* ---- capabilities ---- */

static int caps_set(uint64_t keep)
{
    struct k_cap_header h = {K_CAPABILITY_VERSION_3, 0};
    struct k_cap_data d[2] = {{(uint32_t)keep, (uint32_t)keep, 0}, {(uint32_t)(keep >> 32), (uint32_t)(keep >> 32), 0}};
    return (int)syscall(SYS_capset, &h, d);
}

/* The bounding set limits what any later program could ever hold. Needs CAP_SETPCAP. */
static int bounding_limit(uint64_t keep)
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
    return bounding_limit(keep) < 0 ? -1 : caps_set(keep);
}

/* ---- steps the agent takes for itself ---- */

int sandbox_isolate_network(const char **failed)
{
    struct ifreq r;
    *failed = "a network namespace of its own";
    if (unshare(K_CLONE_NEWNET) < 0)
        return -1;
    *failed = "loopback up";
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &r);
    if (rc == 0) {
        r.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &r);
    }
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

int sandbox_prepare_workspace(const char *workspace, const char **failed)
{
    *failed = "the workspace for the app's group";
    if (chown(workspace, (uid_t)-1, APP_ID) < 0 || chmod(workspace, 02770) < 0)
        return -1;
    return 0;
}

/* ---- the supervisor: the app's mounts ---- */

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

/* The app's tree is built in place: on "/" itself for a container (its root is the app's), or
 * under a guest's root folder, which then becomes root. Either way the engine's /proc and /dev
 * are covered by the app's own, and the workspace is a mount of its own at the same path. */
static int build_mounts(const struct sandbox_config *c, const char **failed)
{
    int dev_fds[NBASE + MAX_DEVICES];
    const char *base = strcmp(c->root, "/") == 0 ? "" : c->root;
    *failed = "making the app's mounts private";
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    if (open_devices(c, dev_fds, failed) < 0)
        return -1;
    *failed = "the app's root folder";
    if (*base && mount(base, base, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -1;
    *failed = "the workspace as a mount of its own"; /* what stays writable is decided per mount */
    if (mkdirs(at(base, c->workspace), 0755) < 0 || mount(c->workspace, at(base, c->workspace), NULL, MS_BIND, NULL) < 0)
        return -1;
    if (mount_proc(base, dev_fds[0], failed) < 0 || mount_dev(base, c, dev_fds, failed) < 0)
        return -1;
    for (int i = 0; i < (int)NBASE + c->ndevices; i++)
        close(dev_fds[i]);
    *failed = "pivot_root into the app's root folder";
    if (*base && (chdir(base) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0))
        return -1;
    return read_only_but(c->workspace, failed);
}

/* ---- the three processes (the agent holds no descriptor but its stdio and these pipes then) ---- */

static void close_from(int first)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0U) == 0)
        return;
#endif
    for (int fd = first; fd < 65536; fd++)
        close(fd);
}

static void clean_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Stand-in report when the sandbox could not be built: the launcher refuses it, naming the step. */
static void __attribute__((noreturn)) fail_report(int fd, const char *step)
{
    struct json j;
    char detail[PATH_MAX + 96];
    snprintf(detail, sizeof detail, "the app's sandbox could not be built: %s: %s", step, strerror(errno));
    reply_begin(&j, "report", 0);
    json_kstr(&j, "error", detail);
    json_close(&j, '}');
    if (write(fd, j.buf, j.len) < 0) {
        /* the agent is gone: nobody left to tell */
    }
    _exit(126);
}

static void __attribute__((noreturn)) run_app(char **argv, int report_fd, int output_fd, const char *cwd)
{
    const char *step = "the app's standard input and output";
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (setsid() < 0 || null < 0 || dup2(null, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0 ||
        (report_fd != 3 && dup3(report_fd, 3, O_CLOEXEC) < 0))
        fail_report(report_fd, step);
    close_from(4); /* the report (3) closes itself when the program is executed */
    report_fd = 3;
    step = "dropping to the app's own user";
    gid_t gid = APP_ID;
    if (bounding_limit(0) < 0 || setgroups(1, &gid) < 0 || setresgid(APP_ID, APP_ID, APP_ID) < 0 ||
        setresuid(APP_ID, APP_ID, APP_ID) < 0 || caps_set(0) < 0)
        fail_report(report_fd, step);
    step = "no_new_privs";
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        fail_report(report_fd, step);
    step = "the seccomp filter";
    if (seccomp_install() < 0)
        fail_report(report_fd, step);
    if (chdir(cwd) < 0 && chdir("/") < 0)
        fail_report(report_fd, "the working folder");
    clean_signals();

    static struct json j;
    reply_begin(&j, "report", 0);
    report_json(&j);
    json_close(&j, '}');
    for (size_t off = 0; off < j.len;) {
        ssize_t w = write(report_fd, j.buf + off, j.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(126);
        off += (size_t)w;
    }
    execvp(argv[0], argv);
    log_msg("cannot run %s: %s", argv[0], strerror(errno));
    _exit(127);
}

static void __attribute__((noreturn)) supervise(const struct sandbox_config *c, char **argv, int report_fd,
                                                int output_fd, int status_fd)
{
    const char *failed = "";
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* without the agent nothing here may live on */
    clean_signals();
    signal(SIGPIPE, SIG_IGN);
    /* nothing of the channel: stdin and stdout are the agent's frames */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(output_fd, 2) < 0)
        fail_report(report_fd, "the supervisor's standard input and output");
    close(null);
    if (unshare(K_CLONE_NEWNS | K_CLONE_NEWIPC | K_CLONE_NEWUTS | K_CLONE_NEWCGROUP) < 0)
        fail_report(report_fd, "namespaces of the app's own");
    if (sethostname("ai-way", 6) < 0)
        fail_report(report_fd, "the app's host name");
    if (build_mounts(c, &failed) < 0)
        fail_report(report_fd, failed);

    pid_t app = fork();
    if (app < 0)
        fail_report(report_fd, "starting the app");
    if (app == 0)
        run_app(argv, report_fd, output_fd, cwd);
    close(report_fd);
    close(output_fd);
    /* From here it only waits: nothing to keep, nothing the app could borrow. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (caps_limit(0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        log_msg("supervisor: dropping its own privileges: %s", strerror(errno));
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p == app) {
            if (write(status_fd, &st, sizeof st) < 0) {
                /* the agent is gone; our exit ends the namespace either way */
            }
            _exit(0); /* as PID 1 of the namespace, this also ends whatever the app left running */
        }
        if (p < 0 && errno != EINTR)
            _exit(0);
    }
}

int sandbox_start(const struct sandbox_config *c, char **argv, struct sandbox *sb, const char **failed)
{
    int rep[2], out[2], st[2];
    *failed = "pipes to the app";
    if (pipe2(rep, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0)
        return -1;
    /* The next child the agent makes is PID 1 of a namespace of the app's own. */
    *failed = "a PID namespace of the app's own";
    if (unshare(K_CLONE_NEWPID) < 0)
        return -1;
    *failed = "starting the supervisor";
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(rep[0]);
        close(out[0]);
        close(st[0]);
        supervise(c, argv, rep[1], out[1], st[1]);
    }
    close(rep[1]);
    close(out[1]);
    close(st[1]);
    *sb = (struct sandbox){pid, rep[0], out[0], st[0]};
    return 0;
}
