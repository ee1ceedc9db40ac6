/* The app's sandbox, built by the agent itself so that it holds with or without a container engine
 * around it (inside a VM guest there is none): the app gets its own PID, mount, IPC, UTS and cgroup
 * namespaces under a supervisor that is PID 1 there, its own uid and gid, no capabilities,
 * no_new_privs, a seccomp filter, a read-only view of everything but the workspace and a sized
 * /dev/shm, and no descriptors but its own stdio. The isolation report is measured in exactly that
 * state, just before the app's program is executed. */
#ifndef AI_WAY_SANDBOX_H
#define AI_WAY_SANDBOX_H

#include "sandbox_tree.h"

/* The app's uid and gid: never the agent's (0). */
#define APP_ID 1000

struct sandbox {
    pid_t supervisor; /* PID 1 of the app's namespace, the agent's child; killing it ends them all */
    int report_fd;    /* read end: the isolation report, complete at EOF (when the app is executed) */
    int output_fd;    /* read end: the app's stdout and stderr */
    int status_fd;    /* read end: the app's wait status (an int), written when it exits */
};

/* Takes the network namespace the agent and the app share: empty but for loopback. */
int sandbox_isolate_network(const char **failed);
/* Gives the app's group the workspace (setgid, so what the agent writes there is the app's to read). */
int sandbox_prepare_workspace(const char *workspace, const char **failed);
/* Starts the supervisor and, under it, the app. 0, or -1 with errno and *failed naming the step. */
int sandbox_start(const struct sandbox_config *c, char **argv, struct sandbox *sb, const char **failed);

#endif
