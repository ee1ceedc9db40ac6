/* Network facts (report_net.h). An isolated appliance has loopback only, and every attempt out
 * fails; each attempt says how. */
#include "report_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "names.h"

#define OUTBOUND_BUDGET_MS 500

/* The interfaces of the reader's own network namespace (/sys/class/net may show another one's). */
void report_interfaces(struct json *j)
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

/* Both connects run at once within one budget. */
void report_outbound(struct json *j)
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
