/* Control commands (launcher -> agent) and the JSON replies/events (agent -> launcher). */
#ifndef AI_WAY_CONTROL_H
#define AI_WAY_CONTROL_H

#include "json.h"

/* Start a reply object with "type" and, when stream != 0, "stream". */
void reply_begin(struct json *j, const char *type, uint32_t stream);
/* Close the object and queue it as a CONTROL frame. */
void reply_send(struct json *j);
void reply_error(uint32_t stream, const char *error, const char *detail);

void send_hello(pid_t app_pid);
void send_app_exited(void);

/* Handle one CONTROL payload; 1 when it asked to shut down. */
int control_command(const unsigned char *payload, size_t len);

#endif
