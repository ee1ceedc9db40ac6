/* Small helpers used by several modules: logging, number parsing, clocks, file reads and writes. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void log_msg(const char *fmt, ...)
{
    char buf[1024];
    size_t len = (size_t)snprintf(buf, sizeof buf, "ai-way-agent: ");
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + len, sizeof buf - len - 1, fmt, ap);
    va_end(ap);
    if (m > 0)
        len += (size_t)m;
    if (len > sizeof buf - 2)
        len = sizeof buf - 2;
    buf[len++] = '\n';
    /* One write per line so our lines do not interleave with the app's stderr. */
    if (write(2, buf, len) < 0) {
        /* stderr is gone: nowhere left to say so */
    }
}

const char *errno_name(int err)
{
    static const struct {
        int err;
        const char *name;
    } names[] = {
        {ENETUNREACH, "ENETUNREACH"},   {EHOSTUNREACH, "EHOSTUNREACH"}, {ECONNREFUSED, "ECONNREFUSED"},
        {ETIMEDOUT, "ETIMEDOUT"},       {EACCES, "EACCES"},             {EPERM, "EPERM"},
        {ENETDOWN, "ENETDOWN"},         {EHOSTDOWN, "EHOSTDOWN"},       {ECONNRESET, "ECONNRESET"},
        {ECONNABORTED, "ECONNABORTED"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
        {EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {EINVAL, "EINVAL"},       {ENOBUFS, "ENOBUFS"},
        {ENOMEM, "ENOMEM"},             {EMFILE, "EMFILE"},             {ENFILE, "ENFILE"},
        {ENOENT, "ENOENT"},             {ENOSYS, "ENOSYS"},             {ENOSPC, "ENOSPC"},
        {EAGAIN, "EAGAIN"},             {EUSERS, "EUSERS"},
    };
    static char other[24];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].err == err)
            return names[i].name;
    snprintf(other, sizeof other, "errno %d", err);
    return other;
}

/* Strict decimal: digits only, no sign or spaces, at most max. */
int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads at most cap-1 bytes and NUL-terminates; -1 if the file cannot be opened or read. */
ssize_t read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len < cap - 1) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* Writes text to an existing file in one write(2), as the kernel's control files want it. */
int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int e = errno;
    close(fd);
    if (n == (ssize_t)len)
        return 0;
    errno = n < 0 ? e : EIO;
    return -1;
}

char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}
