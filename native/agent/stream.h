/* The table of open streams (at most MAX_STREAMS). What a stream does with its frames belongs to
 * its kind: each kind (proxy.c, upload.c) hands stream_new its table of handlers and keeps its own
 * state per slot, so the table knows none of them. */
#ifndef AI_WAY_STREAM_H
#define AI_WAY_STREAM_H

#include "agent.h"
#include "frame.h"

struct stream;

struct stream_kind {
    /* DATA and EOF from the launcher; -1 is a protocol error (*err says why). */
    int (*data)(struct stream *s, const unsigned char *p, size_t n, const char **err);
    int (*eof)(struct stream *s, const char **err);
    /* poll(2) events wanted now, 0 to be left out (NULL: never polled), and their handler */
    short (*events)(const struct stream *s);
    void (*io)(struct stream *s, short revents);
    /* bytes received for the app and not yet taken by it (NULL: none are ever held) */
    size_t (*pending)(const struct stream *s);
    /* frees what the kind holds for the stream, besides fd (NULL: nothing) */
    void (*release)(struct stream *s);
};

struct stream {
    uint32_t id;
    const struct stream_kind *kind; /* NULL: a free slot */
    int fd;
};

extern struct stream g_streams[MAX_STREAMS];

struct stream *stream_find(uint32_t id);
/* A slot with fd -1, or NULL with *why set (id in use, table full). The kind's own state for it
 * is found by stream_slot(). */
struct stream *stream_new(uint32_t id, const struct stream_kind *kind, const char **why);
int stream_slot(const struct stream *s);
void stream_free(struct stream *s);
void streams_close_all(void);
/* Route a DATA or EOF frame to its stream's kind; -1 is a protocol error (*err says why). */
int stream_input(const struct frame *f, const char **err);
short stream_events(const struct stream *s);
void stream_io(struct stream *s, short revents);
/* Bytes held for the app across all streams. */
size_t streams_pending(void);

#endif
