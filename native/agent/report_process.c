/* Process facts (report_process.h), read from /proc or tried for real. */
#include "report_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"

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

void report_proc_status(struct json *j)
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

/* An id map's [inside, outside, count] rows; null when there is no text. */
static void add_id_map(struct json *j, const char *key, char *text)
{
    char *save = NULL;
    json_key(j, key);
    if (!text) {
        json_null(j);
        return;
    }
    json_open(j, '[');
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
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

void report_id_maps(struct json *j, const char *agent_uid_map)
{
    static char buf[4096], agent[4096];
    add_id_map(j, "uidMap", read_file("/proc/self/uid_map", buf, sizeof buf) < 0 ? NULL : buf);
    add_id_map(j, "gidMap", read_file("/proc/self/gid_map", buf, sizeof buf) < 0 ? NULL : buf);
    json_kstr(j, "setgroups", read_file("/proc/self/setgroups", buf, sizeof buf) < 0 ? NULL : trim(buf));
    snprintf(agent, sizeof agent, "%s", agent_uid_map ? agent_uid_map : "");
    add_id_map(j, "agentUidMap", agent_uid_map ? agent : NULL);
}

/* Process ids this process can see: only its own namespace's supervisor (1) and itself. */
void report_processes(struct json *j)
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
void report_descriptors(struct json *j)
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
void report_supervisor(struct json *j)
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
void report_denied(struct json *j)
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
