/* The app's sandbox (sandbox.h). Three processes take part:
 *   the agent      keeps the channel; never shares a uid, a PID namespace or a descriptor with the app;
 *   the supervisor the agent's child and PID 1 of the app's PID namespace, with the agent's uid and no
 *                  capabilities: it builds the app's tree (sandbox_tree.c), starts the app and reports its
 *                  exit. The agent ends everything in one step by killing it (the kernel then kills the
 *                  namespace);
 *   the app        the supervisor's child: it drops to APP_ID, takes a user namespace where only its
 *                  own ids exist, measures the isolation report in its final state, hands it to the
 *                  agent and only then executes the app's program. */
#include "sandbox.h"

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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "kernel.h"
#include "reply.h"
#include "report.h"
#include "seccomp.h"

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

/* The report on 3 and the handshake with the supervisor on 4, whatever numbers they came with;
 * nothing else stays open. */
static int place_descriptors(int *report_fd, int *sync_fd, int output_fd)
{
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int r = fcntl(*report_fd, F_DUPFD_CLOEXEC, 10), s = fcntl(*sync_fd, F_DUPFD_CLOEXEC, 10);
    if (null < 0 || r < 0 || s < 0 || dup2(null, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0 ||
        dup3(r, 3, O_CLOEXEC) < 0 || dup3(s, 4, O_CLOEXEC) < 0)
        return -1;
    close_from(5);
    *report_fd = 3;
    *sync_fd = 4;
    return 0;
}

/* A user namespace where only the app's own ids exist, so whatever it could become there is nobody
 * outside. The app maps itself (an unprivileged process may map its own ids), dumpable again as
 * any process of its user is (its program will be): else its /proc files would stay root's. */
static int own_user_namespace(void)
{
    char map[32];
    snprintf(map, sizeof map, "%d %d 1", APP_ID, APP_ID);
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 || unshare(K_CLONE_NEWUSER) < 0)
        return -1;
    if (write_file("/proc/self/setgroups", "deny") < 0 || write_file("/proc/self/uid_map", map) < 0 ||
        write_file("/proc/self/gid_map", map) < 0)
        return -1;
    return 0;
}

static void __attribute__((noreturn)) run_app(const struct sandbox_config *c, char **argv, int report_fd, int output_fd,
                                              int sync_fd, const char *cwd, const struct report_given *given)
{
    const char *step = "the app's standard input and output";
    if (setsid() < 0 || place_descriptors(&report_fd, &sync_fd, output_fd) < 0)
        fail_report(report_fd, step);
    struct rlimit nproc = {c->nproc, c->nproc};
    if (c->nproc && setrlimit(RLIMIT_NPROC, &nproc) < 0)
        fail_report(report_fd, "the app's process limit");
    step = "dropping to the app's own user";
    gid_t gid = APP_ID;
    if (caps_bound(0) < 0 || setgroups(1, &gid) < 0 || setresgid(APP_ID, APP_ID, APP_ID) < 0 ||
        setresuid(APP_ID, APP_ID, APP_ID) < 0 || caps_set(0) < 0)
        fail_report(report_fd, step);
    if (own_user_namespace() < 0)
        fail_report(report_fd, "a user namespace of the app's own");
    /* the supervisor makes the tree read-only now that the maps are written, and says so */
    char sealed = 0;
    if (write(sync_fd, "m", 1) != 1 || read(sync_fd, &sealed, 1) != 1 || sealed != 's')
        _exit(126); /* the supervisor reports why */
    close(sync_fd);
    /* The new namespace gave every capability back, the bounding set too. */
    step = "dropping the capabilities of its user namespace";
    if (caps_limit(0) < 0)
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
    report_json(&j, given);
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

/* Waits for the app to have mapped its ids, then makes the tree read-only before anything of the
 * app's runs. An app that failed before says why itself (the handshake then ends at once). */
static void seal_for(pid_t app, const struct sandbox_config *c, int sync_fd, int report_fd)
{
    const char *failed = "";
    char mapped;
    if (read(sync_fd, &mapped, 1) != 1)
        return;
    if (sandbox_tree_seal(c, &failed) < 0) {
        int e = errno;
        kill(app, SIGKILL);
        waitpid(app, NULL, 0);
        errno = e;
        fail_report(report_fd, failed);
    }
    if (write(sync_fd, "s", 1) != 1)
        log_msg("supervisor: the app left before its tree was sealed");
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
    /* in the app's cgroup before its cgroup namespace is taken: that cgroup is then the app's root */
    char procs[PATH_MAX];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", c->cgroup ? c->cgroup : "");
    if (c->cgroup && write_file(procs, "0") < 0)
        fail_report(report_fd, "joining the app's cgroup");
    if (unshare(K_CLONE_NEWNS | K_CLONE_NEWIPC | K_CLONE_NEWUTS | K_CLONE_NEWCGROUP) < 0)
        fail_report(report_fd, "namespaces of the app's own");
    if (sethostname("ai-way", 6) < 0)
        fail_report(report_fd, "the app's host name");
    if (sandbox_tree_build(c, &failed) < 0)
        fail_report(report_fd, failed);
    /* what the engine's layer (or the guest's kernel) maps, read before the app's own namespace hides it */
    static char agent_map[4096];
    struct report_given given = {read_file("/proc/self/uid_map", agent_map, sizeof agent_map) < 0 ? NULL : agent_map,
                                 c->accelerator};
    int sync[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0)
        fail_report(report_fd, "a handshake with the app");

    pid_t app = fork();
    if (app < 0)
        fail_report(report_fd, "starting the app");
    if (app == 0) {
        close(sync[0]);
        run_app(c, argv, report_fd, output_fd, sync[1], cwd, &given);
    }
    close(sync[1]);
    seal_for(app, c, sync[0], report_fd);
    close(sync[0]);
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
