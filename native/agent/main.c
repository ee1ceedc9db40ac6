/* ai-way-agent: PID 1 of the appliance. Starts the app in a sandbox of its own (sandbox.h), serves
 * the launcher over framed stdio (native/PROTOCOL.md) in one poll(2) loop, and wipes the workspace
 * when the launcher goes away. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "control.h"
#include "frame.h"
#include "reply.h"
#include "sandbox.h"
#include "stream.h"
#include "supervise.h"
#include "workspace.h"

const char *g_workspace = "/workspace";

/* What the agent keeps once the sandbox stands: enough to empty a workspace whatever the app did
 * to its files' modes. It signals only its own child (same user) and makes nothing new. */
#define AGENT_KEEPS ((1ull << 1) | (1ull << 3)) /* CAP_DAC_OVERRIDE, CAP_FOWNER */
#define REPORT_WAIT_MS 10000
#define WIPE_BUDGET_MS 1000 /* on the way out: the engine's tmpfs goes with the container anyway */

static struct sandbox_config g_sandbox = {.root = "/", .shm_bytes = 64u << 20};
static struct app_limits g_limits;

static volatile sig_atomic_t got_chld, got_term;

static void on_signal(int sig)
{
    if (sig == SIGCHLD)
        got_chld = 1;
    else
        got_term = 1;
}

static void __attribute__((noreturn)) usage(void)
{
    log_msg("usage: ai-way-agent [--workspace DIR] [--root DIR] [--shm-size BYTES] [--device PATH]... [--port-hint N] "
            "[--read-only DIR]... [--memory BYTES] [--pids N] [--cpus N[.NNN]] [--accelerator NAME] -- APP [ARGS...]");
    exit(2);
}

/* Absolute, without "." or ".." components; "/" itself only where allowed. The workspace is
 * emptied on exit, so it must name no more than the directory we were given. */
static int clean_path(const char *p, int root_ok)
{
    if (p[0] != '/' || (!root_ok && strspn(p, "/") == strlen(p)) || strlen(p) >= 4096)
        return 0;
    for (const char *c = p; *c;) {
        c += strspn(c, "/");
        size_t n = strcspn(c, "/");
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += n;
    }
    return 1;
}

/* Processors as a decimal ("1", "0.5", "2.25"), in thousandths; at least 0.01 (cgroup v2's shortest quota). */
static int parse_milli(const char *s, uint64_t *out)
{
    char whole[24];
    const char *dot = strchr(s, '.');
    size_t n = dot ? (size_t)(dot - s) : strlen(s), frac = dot ? strlen(dot + 1) : 0;
    uint64_t w, f = 0;
    if (n == 0 || n >= sizeof whole || (dot && (frac == 0 || frac > 3)))
        return -1;
    memcpy(whole, s, n);
    whole[n] = '\0';
    if (parse_u64(whole, 1000000, &w) < 0 || (dot && parse_u64(dot + 1, 999, &f) < 0))
        return -1;
    for (size_t i = frac; i < 3; i++)
        f *= 10;
    *out = w * 1000 + f;
    return *out >= 10 ? 0 : -1;
}

/* A name the launcher tells (an accelerator): short, lower-case letters, digits, - and _. */
static int plain_name(const char *s)
{
    return *s && strlen(s) <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s);
}

static char **parse_args(int argc, char **argv)
{
    int i = 1;
    uint64_t port;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (i + 1 >= argc)
            usage();
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "--workspace") == 0 && clean_path(v, 0))
            g_workspace = argv[++i];
        else if (strcmp(argv[i], "--root") == 0 && clean_path(v, 1))
            g_sandbox.root = argv[++i];
        else if (strcmp(argv[i], "--shm-size") == 0 && parse_u64(v, UINT64_MAX, &g_sandbox.shm_bytes) == 0 && g_sandbox.shm_bytes)
            i++;
        else if (strcmp(argv[i], "--device") == 0 && clean_path(v, 0) && strncmp(v, "/dev/", 5) == 0 &&
                 g_sandbox.ndevices < MAX_DEVICES)
            g_sandbox.devices[g_sandbox.ndevices++] = argv[++i];
        else if (strcmp(argv[i], "--read-only") == 0 && clean_path(v, 0) && g_sandbox.nfolders < MAX_FOLDERS)
            g_sandbox.folders[g_sandbox.nfolders++] = argv[++i];
        else if (strcmp(argv[i], "--memory") == 0 && parse_u64(v, UINT64_MAX, &g_limits.memory_bytes) == 0 && g_limits.memory_bytes)
            i++;
        else if (strcmp(argv[i], "--pids") == 0 && parse_u64(v, 4194304, &g_limits.pids) == 0 && g_limits.pids)
            i++;
        else if (strcmp(argv[i], "--cpus") == 0 && parse_milli(v, &g_limits.cpu_milli) == 0)
            i++;
        else if (strcmp(argv[i], "--accelerator") == 0 && plain_name(v))
            g_sandbox.accelerator = argv[++i];
        else if (strcmp(argv[i], "--port-hint") == 0 && parse_u64(argv[i + 1], 65535, &port) == 0 && port)
            i++; /* accepted for the launcher's convenience; the agent needs no port of its own */
        else
            usage();
    }
    if (i + 1 >= argc) /* no "--" or nothing after it */
        usage();
    return argv + i + 1;
}

static void setup_signals(void)
{
    struct sigaction sa;
    sigset_t block;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a hung-up session (wsl --exec, limactl shell) means the launcher left */
    signal(SIGPIPE, SIG_IGN); /* a vanished reader shows up as EPIPE where we can handle it */
    /* delivered only inside ppoll(), so the flags are checked without races */
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, NULL);
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The dead man's switch: stop the app, wipe, leave. */
static void __attribute__((noreturn)) dead_man(const char *why)
{
    log_msg("stopping (%s): ending the app and wiping %s", why, g_workspace);
    if (out_flush() < 0) {
        /* the launcher is gone; carry on all the same */
    }
    streams_close_all();
    app_terminate();
    cgroup_remove(g_sandbox.cgroup);
    long n = ws_wipe(now_ms() + WIPE_BUDGET_MS);
    if (n < 0)
        log_msg("wipe %s: %s", g_workspace, strerror(errno));
    out_drain(500);
    exit(0);
}

static void __attribute__((noreturn)) protocol_error(const char *detail)
{
    log_msg("protocol error: %s", detail);
    reply_error(0, "protocol", detail);
    dead_man("protocol error");
}

static int congested(void)
{
    return out_len() >= OUT_HIGH || streams_pending() >= PENDING_HIGH;
}

/* Handle buffered frames until none is complete or the output side is backed up. */
static void process_input(void)
{
    struct frame f;
    const char *err = NULL;
    while (!congested()) {
        int r = in_next(&f, &err);
        if (r == 0)
            return;
        if (r < 0)
            protocol_error(err);
        if (f.type == FT_CONTROL) {
            if (control_command(f.payload, f.len))
                dead_man("SHUTDOWN");
        } else if (stream_input(&f, &err) < 0) {
            protocol_error(err);
        }
    }
}

static void __attribute__((noreturn)) serve(void)
{
    struct pollfd pfd[3 + MAX_STREAMS];
    struct stream *owner[3 + MAX_STREAMS];
    sigset_t none;
    int stdin_eof = 0;
    sigemptyset(&none);

    for (;;) {
        if (got_chld) {
            got_chld = 0;
            if (app_reap(NULL))
                send_app_exited();
        }
        if (got_term)
            dead_man("signal");
        process_input();
        if (stdin_eof)
            dead_man("stdin closed");

        /* While congested stdin is not read, but still watched: a launcher that dies then must
         * still trip the switch. POLLHUP is always reported; POLLRDHUP covers a socket's half-close. */
        nfds_t n = 0;
        pfd[n] = (struct pollfd){0, congested() ? POLLRDHUP : POLLIN, 0};
        owner[n++] = NULL;
        if (out_len()) {
            pfd[n] = (struct pollfd){1, POLLOUT, 0};
            owner[n++] = NULL;
        }
        if (app_output_fd() >= 0) {
            pfd[n] = (struct pollfd){app_output_fd(), POLLIN, 0};
            owner[n++] = NULL;
        }
        for (int i = 0; i < MAX_STREAMS; i++) {
            struct stream *s = &g_streams[i];
            short ev = stream_events(s);
            if (ev) {
                pfd[n] = (struct pollfd){s->fd, ev, 0};
                owner[n++] = s;
            }
        }
        if (ppoll(pfd, n, NULL, &none) < 0) {
            if (errno != EINTR)
                dead_man("poll failed");
            continue;
        }
        for (nfds_t i = 0; i < n; i++) {
            struct stream *s = owner[i];
            if (!pfd[i].revents)
                continue;
            if (!s && pfd[i].fd == 1) {
                if (out_flush() < 0)
                    dead_man("stdout closed");
            } else if (!s && pfd[i].fd != 0) {
                app_forward_output();
            } else if (!s && !(pfd[i].events & POLLIN)) {
                dead_man("stdin closed");
            } else if (!s) {
                int r = in_fill();
                if (r < 0)
                    dead_man("stdin error");
                stdin_eof = r == 0;
            } else if (s->kind && s->fd == pfd[i].fd) { /* still the same stream */
                stream_io(s, pfd[i].revents);
            }
        }
    }
}

int main(int argc, char **argv)
{
    /* The launcher's canary: the image's own agent starts here, so the engine can run this image (no shell needed) */
    if (argc == 2 && strcmp(argv[1], "--check") == 0)
        return 0;
    char **app = parse_args(argc, argv);
    setup_signals();
    /* outside a container (wsl --exec, limactl shell) orphans must still come to us for reaping */
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        log_msg("cannot become a subreaper: %s", strerror(errno));
    set_nonblock(0);
    set_nonblock(1);
    set_nonblock(2); /* a stalled log reader must never stall the agent: it loses lines instead */
    g_sandbox.workspace = g_workspace;
    /* Limits a guest enforces itself (in a container the engine's cgroup is the limit) */
    g_sandbox.cgroup = cgroup_for_app(&g_limits);
    g_sandbox.nproc = g_limits.pids;
    app_start(&g_sandbox, app);
    app_collect_report(REPORT_WAIT_MS);
    set_nonblock(app_output_fd());
    /* The sandbox stands: from now on the agent needs almost nothing, and nobody may inspect it. */
    if (caps_limit(AGENT_KEEPS) < 0)
        log_msg("cannot drop capabilities: %s", strerror(errno));
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    send_hello(app_pid());
    serve();
}
