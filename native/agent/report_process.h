/* Process facts for the report: the reader's privileges, and its separation from the agent. */
#ifndef AI_WAY_REPORT_PROCESS_H
#define AI_WAY_REPORT_PROCESS_H

#include "json.h"

/* "capEff".."capAmb", "noNewPrivs", "seccomp" from /proc/self/status */
void report_proc_status(struct json *j);
/* "uidMap", "gidMap" (the app's user namespace's [inside, outside, count] rows), "setgroups", and
 * "agentUidMap": the agent's namespace's rows, as the supervisor read them (NULL: it could not) */
void report_id_maps(struct json *j, const char *agent_uid_map);
/* "processes": the pids visible in /proc */
void report_processes(struct json *j);
/* "descriptors": open descriptors an executed program would keep */
void report_descriptors(struct json *j);
/* "supervisor": {"uid", "environ"} of PID 1 */
void report_supervisor(struct json *j);
/* "denied": {"userNamespace", "vsock"}, each tried for real */
void report_denied(struct json *j);

#endif
