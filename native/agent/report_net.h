/* Network facts for the report: the interfaces the app sees, and whether anything outside answers. */
#ifndef AI_WAY_REPORT_NET_H
#define AI_WAY_REPORT_NET_H

#include "json.h"

/* "interfaces": names in the reader's network namespace, sorted; null when unreadable */
void report_interfaces(struct json *j);
/* "outbound": {"connected", "attempts"}; takes up to 500 ms */
void report_outbound(struct json *j);

#endif
