/* CONNECT streams: TCP connections to 127.0.0.1 inside the appliance, carried over frames. */
#ifndef AI_WAY_PROXY_H
#define AI_WAY_PROXY_H

#include "stream.h"

void proxy_connect(uint32_t id, const char *port);
/* CLOSE: ends a connection at once, whatever either side still had to send. */
void proxy_close(uint32_t id);
int proxy_data(struct stream *s, const unsigned char *p, size_t n, const char **err);
int proxy_eof(struct stream *s, const char **err);
/* poll(2) events this stream wants now; 0 means leave it out of the poll set */
short proxy_events(const struct stream *s);
void proxy_io(struct stream *s, short revents);
size_t proxy_pending_total(void);

#endif
