/* Stream table, and routing of DATA/EOF frames and poll(2) events through each stream's kind. */
#include "stream.h"

#include <string.h>
#include <unistd.h>

struct stream g_streams[MAX_STREAMS];

struct stream *stream_find(uint32_t id)
{
    for (int i = 0; i < MAX_STREAMS; i++)
        if (g_streams[i].kind && g_streams[i].id == id)
            return &g_streams[i];
    return NULL;
}

struct stream *stream_new(uint32_t id, const struct stream_kind *kind, const char **why)
{
    if (stream_find(id)) {
        *why = "stream already in use";
        return NULL;
    }
    for (int i = 0; i < MAX_STREAMS; i++) {
        struct stream *s = &g_streams[i];
        if (!s->kind) {
            *s = (struct stream){id, kind, -1};
            return s;
        }
    }
    *why = "too many streams (64 at most)";
    return NULL;
}

int stream_slot(const struct stream *s)
{
    return (int)(s - g_streams);
}

void stream_free(struct stream *s)
{
    if (!s->kind)
        return;
    if (s->fd >= 0)
        close(s->fd);
    if (s->kind->release)
        s->kind->release(s);
    s->kind = NULL;
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
    return f->type == FT_DATA ? s->kind->data(s, f->payload, f->len, err) : s->kind->eof(s, err);
}

short stream_events(const struct stream *s)
{
    return s->kind && s->kind->events ? s->kind->events(s) : 0;
}

void stream_io(struct stream *s, short revents)
{
    if (s->kind && s->kind->io)
        s->kind->io(s, revents);
}

size_t streams_pending(void)
{
    size_t total = 0;
    for (int i = 0; i < MAX_STREAMS; i++)
        if (g_streams[i].kind && g_streams[i].kind->pending)
            total += g_streams[i].kind->pending(&g_streams[i]);
    return total;
}
