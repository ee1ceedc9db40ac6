/* The isolation report: facts read inside the appliance (PROTOCOL.md, "Isolation report"). */
#ifndef AI_WAY_REPORT_H
#define AI_WAY_REPORT_H

#include "json.h"

/* Appends every report field after "type"; takes up to 500 ms (the outbound check). */
void report_json(struct json *j);

#endif
