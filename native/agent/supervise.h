/* The app as the agent sees it: a sandbox (sandbox.h) whose supervisor is the agent's only child,
 * the isolation report measured inside it, its output, its exit, and its end. */
#ifndef AI_WAY_SUPERVISE_H
#define AI_WAY_SUPERVISE_H

#include "json.h"
#include "sandbox.h"

/* Builds the sandbox and starts argv in it. On failure no app runs, and the report says why. */
void app_start(const struct sandbox_config *c, char **argv);
/* Waits up to ms for the report the app measured before its program was executed. */
void app_collect_report(int ms);
/* The report as a complete {"type":"report",...} message. */
const char *app_report(size_t *len);
/* The supervisor's pid (what hello calls appPid), or 0 when nothing was started. */
pid_t app_pid(void);
/* Read end of the app's stdout and stderr, or -1 once closed; forward copies what is ready to our
 * stderr without ever blocking (what stderr cannot take now is dropped and counted). */
int app_output_fd(void);
void app_forward_output(void);
/* Reap every exited child; 1 if the app ended during this call. *none (if given) is set when no
 * children are left at all. */
int app_reap(int *none);
int app_running(void);
/* "exitCode" and "signal" fields (null while running) */
void app_json(struct json *j);
/* Kills the supervisor, which ends every process of the app's namespace at once (the kernel's
 * doing: nothing the app does can delay it), and waits up to 1 s for them. */
void app_terminate(void);

#endif
