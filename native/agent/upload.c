/* UPLOAD streams. Data goes to <workspace>/.upload-<stream>, created with O_EXCL|O_NOFOLLOW so
 * nothing the app planted there is followed, and mode 0640: the workspace's group is the app's, so
 * it may read. The final name is made with link+unlink, which never replaces an existing file. A
 * failed upload stays in the table, dropping DATA, until the launcher's EOF, so DATA already on its
 * way is not a protocol error. */
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reply.h"
#include "sha256.h"
#include "stream.h"
#include "workspace.h"

struct upload {
    int dirfd;  /* the workspace, held so the temporary file is found again */
    int failed; /* error already reported: drop DATA until EOF */
    uint64_t size, written;
    struct sha256 sha;
    unsigned char want[32];
    char name[256];
};

static struct upload uploads[MAX_STREAMS]; /* by stream slot */

static const struct stream_kind upload_kind;

static struct upload *up(const struct stream *s)
{
    return &uploads[stream_slot(s)];
}

static int plain_byte(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* Decode a percent-encoded name token and apply the name rules; 0 if acceptable. */
static int name_decode(const char *t, char out[256])
{
    size_t n = 0;
    while (*t) {
        int c;
        if (*t == '%') {
            int hi = hex_value(t[1]);
            int lo = hi < 0 ? -1 : hex_value(t[2]);
            if (lo < 0)
                return -1;
            c = hi * 16 + lo;
            t += 3;
        } else if (plain_byte(*t)) {
            c = *t++;
        } else {
            return -1; /* a byte that should have been encoded */
        }
        if (n == 255)
            return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0 || strncmp(out, ".upload-", 8) == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c == '/' || c < 0x20 || c == 0x7f)
            return -1;
    }
    return 0;
}

static void temp_name(const struct stream *s, char buf[32])
{
    snprintf(buf, 32, ".upload-%u", s->id);
}

static void remove_temp(struct stream *s)
{
    char tmp[32];
    temp_name(s, tmp);
    if (unlinkat(up(s)->dirfd, tmp, 0) < 0 && errno != ENOENT)
        log_msg("stream %u: remove %s: %s", s->id, tmp, strerror(errno));
}

/* Report once, clean up, and keep the slot to absorb the rest of the stream. */
static void fail(struct stream *s, const char *error, const char *detail)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    remove_temp(s);
    up(s)->failed = 1;
    reply_error(s->id, error, detail);
}

static int parse_sha256(const char *hex, unsigned char out[32])
{
    if (strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return 0;
}

static void to_hex(const unsigned char d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void upload_start(uint32_t id, const char *size_text, const char *hex, const char *token)
{
    uint64_t size, free_b, total_b;
    unsigned char want[32];
    char name[256], tmp[32];
    const char *why;
    struct stat st;

    if (parse_u64(size_text, UINT64_MAX, &size) < 0) {
        reply_error(id, "command", "bad size");
        return;
    }
    if (parse_sha256(hex, want) < 0) {
        reply_error(id, "command", "bad sha256");
        return;
    }
    if (name_decode(token, name) < 0) {
        reply_error(id, "name", "invalid file name");
        return;
    }
    struct stream *s = stream_new(id, &upload_kind, &why);
    if (!s) {
        reply_error(id, "command", why);
        return;
    }
    struct upload *u = up(s);
    *u = (struct upload){.dirfd = ws_open()};
    if (u->dirfd < 0) {
        reply_error(id, "io", strerror(errno));
        stream_free(s);
        return;
    }
    int found = fstatat(u->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (found || errno != ENOENT) {
        reply_error(id, found ? "exists" : "io", found ? "a file of that name exists" : strerror(errno));
        stream_free(s);
        return;
    }
    if (ws_space(u->dirfd, &free_b, &total_b) < 0) {
        reply_error(id, "io", strerror(errno));
        stream_free(s);
        return;
    }
    if (size > free_b) {
        reply_error(id, "space", "not enough free space in the workspace");
        stream_free(s);
        return;
    }
    temp_name(s, tmp);
    remove_temp(s); /* a leftover of the same name (ours or planted) is replaced, never followed */
    s->fd = openat(u->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (s->fd < 0) {
        reply_error(id, "io", strerror(errno));
        stream_free(s);
        return;
    }
    u->size = size;
    memcpy(u->want, want, sizeof want);
    memcpy(u->name, name, sizeof name);
    sha256_init(&u->sha);

    struct json j;
    reply_begin(&j, "upload-ready", id);
    reply_send(&j);
}

static int upload_data(struct stream *s, const unsigned char *p, size_t n, const char **err)
{
    struct upload *u = up(s);
    (void)err; /* no DATA is a protocol error here: a failed upload absorbs the rest */
    if (u->failed)
        return 0;
    if (n > u->size - u->written) {
        fail(s, "size", "more data than the announced size");
        return 0;
    }
    sha256_update(&u->sha, p, n);
    u->written += n;
    while (n) {
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            fail(s, "io", strerror(errno));
            return 0;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Give the temporary file its name without replacing anything that took the name meanwhile. */
static int publish(struct stream *s, const char **error)
{
    char tmp[32];
    struct stat st;
    const struct upload *u = up(s);
    temp_name(s, tmp);
    *error = "io";
    if (linkat(u->dirfd, tmp, u->dirfd, u->name, 0) == 0) {
        remove_temp(s);
        return 0;
    }
    if (errno == EEXIST) {
        *error = "exists";
        return -1;
    }
    /* no hard links on this file system: check, then rename (the agent is the only writer) */
    if (fstatat(u->dirfd, u->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        *error = "exists";
        errno = EEXIST;
        return -1;
    }
    return renameat(u->dirfd, tmp, u->dirfd, u->name);
}

static int upload_eof(struct stream *s, const char **err)
{
    struct upload *u = up(s);
    unsigned char got[32];
    char hex[65], detail[128];
    const char *error = "io";

    (void)err;
    if (u->failed) {
        stream_free(s);
        return 0;
    }
    sha256_final(&u->sha, got);
    to_hex(got, hex);
    int rc = close(s->fd);
    s->fd = -1;
    if (u->written != u->size) {
        snprintf(detail, sizeof detail, "expected %llu bytes, got %llu", (unsigned long long)u->size,
                 (unsigned long long)u->written);
        fail(s, "size", detail);
    } else if (memcmp(got, u->want, sizeof got) != 0) {
        snprintf(detail, sizeof detail, "content has sha256 %s", hex);
        fail(s, "sha256", detail);
    } else if (rc < 0 || publish(s, &error) < 0) {
        fail(s, rc < 0 ? "io" : error, strerror(errno));
    } else {
        struct json j;
        reply_begin(&j, "uploaded", s->id);
        json_kstr(&j, "name", u->name);
        json_kuint(&j, "size", u->size);
        json_kstr(&j, "sha256", hex);
        reply_send(&j);
    }
    stream_free(s);
    return 0;
}

void upload_abort_all(const char *why)
{
    for (int i = 0; i < MAX_STREAMS; i++) {
        struct stream *s = &g_streams[i];
        if (s->kind == &upload_kind && !up(s)->failed)
            fail(s, "io", why);
    }
}

static void upload_release(struct stream *s)
{
    struct upload *u = up(s);
    if (u->dirfd >= 0)
        close(u->dirfd);
    u->dirfd = -1;
}

static const struct stream_kind upload_kind = {upload_data, upload_eof, NULL, NULL, NULL, upload_release};
