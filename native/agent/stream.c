/* Stream table and routing of DATA/EOF frames to the proxy or upload code. */
#include "stream.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "upload.h"

struct stream g_streams[MAX_STREAMS];

struct stream *stream_find(uint32_t id)
{
    for (int i = 0; i < MAX_STREAMS; i++)
        if (g_streams[i].kind != SK_FREE && g_streams[i].id == id)
            return &g_streams[i];
    return NULL;
}

struct stream *stream_new(uint32_t id, enum stream_kind kind, const char **why)
{
    if (stream_find(id)) {
        *why = "stream already in use";
        return NULL;
    }
    for (int i = 0; i < MAX_STREAMS; i++) {
        struct stream *s = &g_streams[i];
        if (s->kind == SK_FREE) {
            memset(s, 0, sizeof *s);
            s->id = id;
            s->kind = kind;
            s->fd = -1;
            if (kind == SK_UPLOAD)
                s->u.dirfd = -1;
            return s;
        }
    }
    *why = "too many streams (64 at most)";
    return NULL;
}

void stream_free(struct stream *s)
{
    if (s->kind == SK_FREE)
        return;
    if (s->fd >= 0)
        close(s->fd);
    if (s->kind == SK_PROXY)
        free(s->p.pend);
    if (s->kind == SK_UPLOAD && s->u.dirfd >= 0)
        close(s->u.dirfd);
    s->kind = SK_FREE;
    s->fd = -1;
}

void streams_close_all(void)
{
    for (int i = 0; i < MAX_STREAMS; i++)
        stream_free(&g_streams[i]);
}

int stream_input(const struct frame *f, const char **err)
{
    struct stream *s = stream_find(f->stream);
    if (!s) {
        *err = f->type == FT_DATA ? "DATA on an unknown stream" : "EOF on an unknown stream";
        return -1;
    }
    if (s->kind == SK_PROXY)
        return f->type == FT_DATA ? proxy_data(s, f->payload, f->len, err) : proxy_eof(s, err);
    return f->type == FT_DATA ? upload_data(s, f->payload, f->len) : upload_eof(s);
}
