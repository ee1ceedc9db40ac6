/* JSON messages to the launcher on the control channel: replies, errors and the greeting. Knows
 * nothing of commands or streams, so every module that answers can use it. */
#ifndef AI_WAY_REPLY_H
#define AI_WAY_REPLY_H

#include "json.h"

/* Start a reply object with "type" and, when stream != 0, "stream". */
void reply_begin(struct json *j, const char *type, uint32_t stream);
/* Close the object and queue it as a CONTROL frame. */
void reply_send(struct json *j);
void reply_error(uint32_t stream, const char *error, const char *detail);

void send_hello(pid_t app_pid);

#endif
