/* CONNECT streams: TCP connections to 127.0.0.1 inside the appliance, carried over frames. */
#ifndef AI_WAY_PROXY_H
#define AI_WAY_PROXY_H

#include "agent.h"

void proxy_connect(uint32_t id, const char *port);
/* CLOSE: ends a connection at once, whatever either side still had to send. */
void proxy_close(uint32_t id);

#endif
