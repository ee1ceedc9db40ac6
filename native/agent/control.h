/* Control commands (launcher -> agent), each answered with one reply (reply.h), and the app's exit
 * announced as an event. */
#ifndef AI_WAY_CONTROL_H
#define AI_WAY_CONTROL_H

#include "agent.h"

void send_app_exited(void);

/* Handle one CONTROL payload; 1 when it asked to shut down. */
int control_command(const unsigned char *payload, size_t len);

#endif
