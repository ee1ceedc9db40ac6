/* Process supervision. The app gets its own process group so one kill() reaches everything it
 * started; as PID 1 the agent also signals the whole pid namespace on the way out. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t app_pid = -1;
static int app_done, app_status;

static void close_from(int first)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0U) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = first; fd < max; fd++)
        close(fd);
}

static void __attribute__((noreturn)) exec_app(char **argv)
{
    sigset_t none;
    sigemptyset(&none);
    /* exec keeps ignored signals and the mask: give the app a clean slate */
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    /* stdin from /dev/null, stdout to our stderr: the agent's stdout carries frames only */
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0) {
        log_msg("cannot set up the app's stdio: %s", strerror(errno));
        _exit(127);
    }
    if (null > 2)
        close(null);
    close_from(3);
    execvp(argv[0], argv);
    log_msg("cannot run %s: %s", argv[0], strerror(errno));
    _exit(127);
}

pid_t app_spawn(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        exec_app(argv);
    setpgid(pid, pid); /* also done in the child: whichever runs first, no window without a group */
    app_pid = pid;
    return pid;
}

int app_reap(int *none)
{
    int st, exited = 0;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == app_pid && !app_done) {
            app_done = 1;
            app_status = st;
            exited = 1;
        }
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

static void signal_all(int sig)
{
    if (app_pid > 0 && kill(-app_pid, sig) < 0 && errno != ESRCH)
        log_msg("kill app group: %s", strerror(errno));
    /* As PID 1 the namespace is ours: this also reaches processes that left the app's group.
     * Never outside one, where -1 would mean every process we may signal. */
    if (getpid() == 1)
        kill(-1, sig);
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
        sleep_ms(10);
    }
}

void app_terminate(void)
{
    signal_all(SIGTERM);
    signal_all(SIGCONT); /* a stopped app would otherwise sit on its SIGTERM */
    if (wait_children(1000))
        return;
    log_msg("app still running 1 s after SIGTERM; sending SIGKILL");
    signal_all(SIGKILL);
    if (!wait_children(500))
        log_msg("some child processes did not exit");
}
