/* Frame I/O. Both buffers are static and bounded: the event loop stops reading sockets and
 * commands while out_len() >= OUT_HIGH, so the queue never needs more than a few frames above it. */
#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define MAX_FRAME (FRAME_HEADER + MAX_PAYLOAD)
#define OUT_CAP (OUT_HIGH + 4 * MAX_FRAME)
#define IN_CAP (2 * MAX_FRAME) /* a partial frame plus room to read a whole one */

static unsigned char outbuf[OUT_CAP];
static size_t out_off, out_end;
static unsigned char inbuf[IN_CAP];
static size_t in_off, in_end;

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int out_frame(uint8_t type, uint32_t stream, const void *payload, size_t len)
{
    size_t need = FRAME_HEADER + len;
    if (len > MAX_PAYLOAD)
        return -1;
    if (out_end + need > OUT_CAP) { /* compact: slide the unsent bytes to the front */
        memmove(outbuf, outbuf + out_off, out_end - out_off);
        out_end -= out_off;
        out_off = 0;
    }
    if (out_end + need > OUT_CAP) {
        log_msg("stdout queue full; frame of %zu bytes dropped", len);
        return -1;
    }
    unsigned char *p = outbuf + out_end;
    put_be32(p, (uint32_t)(5 + len));
    p[4] = type;
    put_be32(p + 5, stream);
    if (len)
        memcpy(p + FRAME_HEADER, payload, len);
    out_end += need;
    return 0;
}

size_t out_len(void)
{
    return out_end - out_off;
}

int out_flush(void)
{
    while (out_off < out_end) {
        ssize_t n = write(1, outbuf + out_off, out_end - out_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0) {
            log_msg("stdout: %s", strerror(errno));
            return -1;
        }
        out_off += (size_t)n;
    }
    out_off = out_end = 0;
    return 0;
}

void out_drain(int ms)
{
    long long end = now_ms() + ms;
    while (out_len()) {
        long long left = end - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {1, POLLOUT, 0};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            break;
        if (out_flush() < 0)
            break;
    }
}

int in_fill(void)
{
    if (in_off) { /* frames before in_off were handled: drop them */
        memmove(inbuf, inbuf + in_off, in_end - in_off);
        in_end -= in_off;
        in_off = 0;
    }
    if (in_end == IN_CAP)
        return 1;
    ssize_t n = read(0, inbuf + in_end, IN_CAP - in_end);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 1;
    if (n < 0) {
        log_msg("stdin: %s", strerror(errno));
        return -1;
    }
    if (n == 0)
        return 0;
    in_end += (size_t)n;
    return 1;
}

int in_next(struct frame *f, const char **err)
{
    size_t avail = in_end - in_off;
    const unsigned char *p = inbuf + in_off;
    if (avail < 4)
        return 0;
    uint32_t len = get_be32(p);
    /* judged on the length field alone, so a bad length fails at once instead of waiting */
    if (len < 5 || len > 5 + MAX_PAYLOAD) {
        *err = "bad frame length";
        return -1;
    }
    if (avail < 4 + (size_t)len)
        return 0;
    f->type = p[4];
    f->stream = get_be32(p + 5);
    f->payload = p + FRAME_HEADER;
    f->len = len - 5;
    switch (f->type) {
    case FT_CONTROL:
        if (f->stream != 0) {
            *err = "CONTROL on a stream other than 0";
            return -1;
        }
        break;
    case FT_DATA:
        if (f->stream == 0) {
            *err = "DATA on stream 0";
            return -1;
        }
        break;
    case FT_EOF:
        if (f->stream == 0 || f->len) {
            *err = f->len ? "EOF with a payload" : "EOF on stream 0";
            return -1;
        }
        break;
    default:
        *err = "unknown frame type";
        return -1;
    }
    in_off += 4 + (size_t)len;
    return 1;
}
