/* The table of open streams (at most MAX_STREAMS): proxied connections and uploads. */
#ifndef AI_WAY_STREAM_H
#define AI_WAY_STREAM_H

#include "agent.h"
#include "frame.h"
#include "sha256.h"

enum stream_kind { SK_FREE = 0, SK_PROXY, SK_UPLOAD };

struct proxy {
    int connecting; /* non-blocking connect still under way */
    int sent_eof;   /* we told the launcher the app's side is done */
    int got_eof;    /* the launcher will send no more DATA */
    int shut_wr;    /* shutdown(SHUT_WR) done */
    int broken;     /* writes to the app failed: further DATA is dropped */
    unsigned char *pend; /* DATA not yet taken by the socket */
    size_t pend_len, pend_cap;
};

struct upload {
    int dirfd;       /* the workspace, held so the temporary file is found again */
    int failed;      /* error already reported: drop DATA until EOF */
    uint64_t size, written;
    struct sha256 sha;
    unsigned char want[32];
    char name[256];
};

struct stream {
    uint32_t id;
    enum stream_kind kind;
    int fd;
    union {
        struct proxy p;
        struct upload u;
    };
};

extern struct stream g_streams[MAX_STREAMS];

struct stream *stream_find(uint32_t id);
/* A zeroed slot with fd -1, or NULL with *why set (id in use, table full). */
struct stream *stream_new(uint32_t id, enum stream_kind kind, const char **why);
void stream_free(struct stream *s);
void streams_close_all(void);
/* Route a DATA or EOF frame; -1 is a protocol error (*err says why). */
int stream_input(const struct frame *f, const char **err);

#endif
