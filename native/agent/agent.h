/* Limits and small helpers shared by every part of ai-way-agent.
 * Every .c includes this first so _GNU_SOURCE is set before any libc header
 * (ppoll, prctl, SOCK_NONBLOCK need it on musl and glibc). */
#ifndef AI_WAY_AGENT_H
#define AI_WAY_AGENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_PAYLOAD 65536u          /* PROTOCOL.md: a frame carries at most this many payload bytes */
#define FRAME_HEADER 9u             /* u32 length + u8 type + u32 stream */
#define MAX_STREAMS 64
#define OUT_HIGH (256u * 1024)      /* stdout backlog that pauses socket reads and command handling */
#define PENDING_HIGH (1024u * 1024) /* unsent socket bytes (all streams) that pause reading stdin */

enum frame_type { FT_CONTROL = 1, FT_DATA = 2, FT_EOF = 3 };

extern const char *g_workspace;

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errno_name(int err);
int parse_u64(const char *s, uint64_t max, uint64_t *out);
int hex_value(int c);
long long now_ms(void);
void sleep_ms(int ms);
ssize_t read_file(const char *path, char *buf, size_t cap);
int write_file(const char *path, const char *text);
char *trim(char *s);

#endif
