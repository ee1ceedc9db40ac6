/* The app process: start it, reap children (we are PID 1 or a subreaper), stop it. */
#ifndef AI_WAY_SUPERVISE_H
#define AI_WAY_SUPERVISE_H

#include "json.h"

/* fork/exec argv in its own process group; pid, or -1 with errno when fork fails. */
pid_t app_spawn(char **argv);
/* Reap every exited child; 1 if the app itself exited during this call.
 * *none (if given) is set when no children are left at all. */
int app_reap(int *none);
int app_running(void);
/* "exitCode" and "signal" fields (null while running) */
void app_json(struct json *j);
/* SIGTERM the app's group, wait up to 1 s, then SIGKILL; returns when all children are gone
 * or the wait is over. */
void app_terminate(void);

#endif
