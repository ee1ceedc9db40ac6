/* The app's lifetime from the agent's side. The agent never signals the app itself (it runs as
 * another user): it kills the supervisor, PID 1 of the app's namespace, and the kernel does the rest. */
#include "supervise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reply.h"

static struct sandbox sb = {-1, -1, -1, -1};
static int app_done = 1, app_status;
static char report[MAX_PAYLOAD];
static size_t report_len;
static unsigned long long output_dropped;

static void report_error(const char *detail)
{
    struct json j;
    reply_begin(&j, "report", 0);
    json_kstr(&j, "error", detail);
    json_close(&j, '}');
    memcpy(report, j.buf, j.len);
    report_len = j.len;
}

void app_start(const struct sandbox_config *c, char **argv)
{
    char detail[256];
    const char *failed = "";
    if (sandbox_isolate_network(&failed) == 0 && sandbox_prepare_workspace(c->workspace, &failed) == 0 &&
        sandbox_start(c, argv, &sb, &failed) == 0) {
        app_done = 0;
        return;
    }
    snprintf(detail, sizeof detail, "the app's sandbox could not be built: %s: %s", failed, strerror(errno));
    log_msg("%s", detail);
    report_error(detail);
    app_status = 126 << 8; /* as a shell reports a command it could not run */
}

void app_collect_report(int ms)
{
    int complete = 0;
    long long end = now_ms() + ms;
    if (sb.report_fd < 0)
        return; /* nothing started: the error report is already there */
    while (report_len < sizeof report) {
        struct pollfd p = {sb.report_fd, POLLIN, 0};
        long long left = end - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t n = read(sb.report_fd, report + report_len, sizeof report - report_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            complete = n == 0;
            break;
        }
        report_len += (size_t)n;
    }
    close(sb.report_fd);
    sb.report_fd = -1;
    if (!complete || report_len == 0)
        report_error(report_len ? "the app's isolation report was cut short" : "the app's sandbox gave no isolation report");
}

const char *app_report(size_t *len)
{
    *len = report_len;
    return report;
}

pid_t app_pid(void)
{
    return sb.supervisor > 0 ? sb.supervisor : 0;
}

int app_output_fd(void)
{
    return sb.output_fd;
}

void app_forward_output(void)
{
    static char buf[65536];
    ssize_t n = read(sb.output_fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* every writer is gone: the app and whatever it started have ended */
        close(sb.output_fd);
        sb.output_fd = -1;
        if (output_dropped)
            log_msg("%llu bytes of the app's output were dropped (the log reader was too slow)", output_dropped);
        return;
    }
    ssize_t w = write(2, buf, (size_t)n);
    if (w < n)
        output_dropped += (unsigned long long)(n - (w > 0 ? w : 0));
}

int app_reap(int *none)
{
    int st, exited = 0;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p != sb.supervisor || app_done)
            continue;
        /* The supervisor wrote the app's own status before it left; without it (killed), its own. */
        int app_st;
        app_status = read(sb.status_fd, &app_st, sizeof app_st) == (ssize_t)sizeof app_st ? app_st : st;
        close(sb.status_fd);
        sb.status_fd = -1;
        app_done = 1;
        exited = 1;
    }
    if (none)
        *none = p < 0 && errno == ECHILD;
    return exited;
}

int app_running(void)
{
    return !app_done;
}

void app_json(struct json *j)
{
    json_key(j, "exitCode");
    if (app_done && WIFEXITED(app_status))
        json_int(j, WEXITSTATUS(app_status));
    else
        json_null(j);
    json_key(j, "signal");
    if (app_done && WIFSIGNALED(app_status))
        json_int(j, WTERMSIG(app_status));
    else
        json_null(j);
}

static int wait_children(int ms)
{
    long long end = now_ms() + ms;
    for (;;) {
        int none;
        app_reap(&none);
        if (none)
            return 1;
        if (now_ms() >= end)
            return 0;
        sleep_ms(5);
    }
}

void app_terminate(void)
{
    if (!app_done && kill(sb.supervisor, SIGKILL) < 0 && errno != ESRCH)
        log_msg("kill the app's supervisor: %s", strerror(errno));
    /* As PID 1 the namespace is ours: anything else in it goes too. Never outside one, where -1
     * would mean every process we may signal. */
    if (getpid() == 1)
        kill(-1, SIGKILL);
    if (!wait_children(1000))
        log_msg("some of the app's processes had not exited 1 s after SIGKILL (stuck in the kernel)");
}
