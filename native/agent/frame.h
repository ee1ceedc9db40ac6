/* Frame I/O on stdin (launcher -> agent) and stdout (agent -> launcher). */
#ifndef AI_WAY_FRAME_H
#define AI_WAY_FRAME_H

#include "agent.h"

struct frame {
    uint8_t type;
    uint32_t stream;
    const unsigned char *payload; /* valid until the next in_fill() */
    size_t len;
};

/* Queue one frame for stdout; -1 if it cannot be queued (logged, dropped whole). */
int out_frame(uint8_t type, uint32_t stream, const void *payload, size_t len);
size_t out_len(void);
/* Write what stdout takes now; -1 when the launcher's end is gone. */
int out_flush(void);
/* Keep flushing for up to ms milliseconds (used on the way out). */
void out_drain(int ms);

/* Read what stdin has: 1 read (or nothing ready), 0 EOF, -1 error. */
int in_fill(void);
/* Next complete frame: 1 got one, 0 need more bytes, -1 protocol error (*err says why). */
int in_next(struct frame *f, const char **err);

#endif
