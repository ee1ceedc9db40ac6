/* CONNECT streams. A stream lives until both sides said EOF (or the connect failed), so DATA
 * the launcher sent before learning that the app went away is never "unknown". */
#include "proxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "frame.h"
#include "reply.h"
#include "stream.h"

struct proxy {
    int connecting; /* non-blocking connect still under way */
    int sent_eof;   /* we told the launcher the app's side is done */
    int got_eof;    /* the launcher will send no more DATA */
    int shut_wr;    /* shutdown(SHUT_WR) done */
    int broken;     /* writes to the app failed: further DATA is dropped */
    unsigned char *pend; /* DATA not yet taken by the socket */
    size_t pend_len, pend_cap;
};

static struct proxy proxies[MAX_STREAMS]; /* by stream slot */
static unsigned char rbuf[MAX_PAYLOAD];

static const struct stream_kind proxy_kind;

static struct proxy *px(const struct stream *s)
{
    return &proxies[stream_slot(s)];
}

static void connect_failed(struct stream *s, int err)
{
    reply_error(s->id, "connect", strerror(err));
    stream_free(s);
}

static void connected(struct stream *s)
{
    struct json j;
    px(s)->connecting = 0;
    reply_begin(&j, "connected", s->id);
    reply_send(&j);
}

void proxy_connect(uint32_t id, const char *port_text)
{
    uint64_t port;
    const char *why;
    if (parse_u64(port_text, 65535, &port) < 0 || port == 0) {
        reply_error(id, "command", "bad port");
        return;
    }
    struct stream *s = stream_new(id, &proxy_kind, &why);
    if (!s) {
        reply_error(id, "command", why);
        return;
    }
    *px(s) = (struct proxy){0};
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        connect_failed(s, errno);
        return;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s->fd, (struct sockaddr *)&a, sizeof a) == 0)
        connected(s);
    else if (errno == EINPROGRESS)
        px(s)->connecting = 1; /* finished in proxy_io when the socket turns writable */
    else
        connect_failed(s, errno);
}

void proxy_close(uint32_t id)
{
    struct stream *s = stream_find(id);
    if (!s || s->kind != &proxy_kind) {
        reply_error(id, "command", "no such connection");
        return;
    }
    stream_free(s); /* the app sees its connection closed; nothing more of it is read */
    struct json j;
    reply_begin(&j, "closed", id);
    reply_send(&j);
}

/* Drop what cannot be delivered any more; the app's close will bring the EOF home. */
static void mark_broken(struct stream *s, int err)
{
    if (err)
        log_msg("stream %u: write to app: %s", s->id, strerror(err));
    struct proxy *p = px(s);
    p->broken = 1;
    free(p->pend);
    p->pend = NULL;
    p->pend_len = p->pend_cap = 0;
}

/* Bytes the socket took now (maybe 0), or -1 after marking the stream broken. */
static ssize_t send_some(struct stream *s, const unsigned char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(s->fd, p + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (w < 0) {
            mark_broken(s, errno);
            return -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static void half_close_if_due(struct stream *s)
{
    struct proxy *p = px(s);
    if (p->got_eof && !p->connecting && !p->shut_wr && (p->pend_len == 0 || p->broken)) {
        shutdown(s->fd, SHUT_WR);
        p->shut_wr = 1;
    }
}

static void free_if_done(struct stream *s)
{
    const struct proxy *p = px(s);
    if (p->sent_eof && p->got_eof && (p->pend_len == 0 || p->broken))
        stream_free(s);
}

static void send_eof(struct stream *s)
{
    out_frame(FT_EOF, s->id, NULL, 0);
    px(s)->sent_eof = 1;
}

static void flush_pending(struct stream *s)
{
    struct proxy *p = px(s);
    if (p->pend_len && !p->broken) {
        ssize_t w = send_some(s, p->pend, p->pend_len);
        if (w > 0) {
            memmove(p->pend, p->pend + w, p->pend_len - (size_t)w);
            p->pend_len -= (size_t)w;
        }
    }
    half_close_if_due(s);
}

static int pend_append(struct stream *s, const unsigned char *d, size_t n)
{
    struct proxy *p = px(s);
    if (p->pend_len + n > p->pend_cap) {
        size_t cap = p->pend_cap ? p->pend_cap : 16384;
        while (cap < p->pend_len + n)
            cap *= 2;
        unsigned char *nb = realloc(p->pend, cap);
        if (!nb)
            return -1;
        p->pend = nb;
        p->pend_cap = cap;
    }
    memcpy(p->pend + p->pend_len, d, n);
    p->pend_len += n;
    return 0;
}

static int proxy_data(struct stream *s, const unsigned char *d, size_t n, const char **err)
{
    struct proxy *p = px(s);
    if (p->got_eof) {
        *err = "DATA after EOF";
        return -1;
    }
    if (p->broken)
        return 0;
    if (!p->connecting && p->pend_len == 0) { /* fast path: straight into the socket */
        ssize_t w = send_some(s, d, n);
        if (w < 0)
            return 0;
        d += w;
        n -= (size_t)w;
    }
    if (n && pend_append(s, d, n) < 0) {
        log_msg("stream %u: out of memory", s->id);
        mark_broken(s, 0);
        shutdown(s->fd, SHUT_RDWR); /* so the launcher sees EOF instead of silence */
    }
    return 0;
}

static int proxy_eof(struct stream *s, const char **err)
{
    if (px(s)->got_eof) {
        *err = "second EOF on a stream";
        return -1;
    }
    px(s)->got_eof = 1;
    half_close_if_due(s);
    free_if_done(s);
    return 0;
}

static short proxy_events(const struct stream *s)
{
    const struct proxy *p = px(s);
    short ev = 0;
    if (p->connecting)
        return POLLOUT;
    /* back-pressure: leave the app's bytes in its socket while stdout is backed up */
    if (!p->sent_eof && out_len() < OUT_HIGH)
        ev |= POLLIN;
    if (p->pend_len && !p->broken)
        ev |= POLLOUT;
    return ev;
}

static void read_socket(struct stream *s)
{
    ssize_t n = recv(s->fd, rbuf, sizeof rbuf, 0);
    if (n > 0) {
        out_frame(FT_DATA, s->id, rbuf, (size_t)n);
    } else if (n == 0) {
        send_eof(s);
    } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        log_msg("stream %u: read from app: %s", s->id, strerror(errno));
        mark_broken(s, 0); /* a reset connection takes no more writes either */
        send_eof(s);
    }
}

static void proxy_io(struct stream *s, short revents)
{
    if (px(s)->connecting) {
        int e = 0;
        socklen_t l = sizeof e;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
            e = errno;
        if (e) {
            connect_failed(s, e);
            return;
        }
        connected(s);
    }
    if (revents & (POLLOUT | POLLERR | POLLHUP))
        flush_pending(s);
    if ((revents & (POLLIN | POLLERR | POLLHUP)) && !px(s)->sent_eof && out_len() < OUT_HIGH)
        read_socket(s);
    free_if_done(s);
}

static size_t proxy_pending(const struct stream *s)
{
    return px(s)->pend_len;
}

static void proxy_release(struct stream *s)
{
    struct proxy *p = px(s);
    free(p->pend);
    p->pend = NULL;
}

static const struct stream_kind proxy_kind = {proxy_data, proxy_eof, proxy_events, proxy_io, proxy_pending, proxy_release};
