/* The app's file tree: its root, a workspace it may write, its own /proc, a /dev holding only the
 * device nodes it is given and a sized /dev/shm, everything else read-only. */
#ifndef AI_WAY_SANDBOX_TREE_H
#define AI_WAY_SANDBOX_TREE_H

#include "agent.h"

#define MAX_DEVICES 32
#define MAX_FOLDERS 8

struct sandbox_config {
    const char *root;      /* the app's root: "/" (a container's) or a folder (a guest's) */
    const char *workspace; /* shared with the agent; the same path inside */
    uint64_t shm_bytes;    /* size of the app's own /dev/shm */
    const char *cgroup;    /* the app's cgroup (the agent made it), or NULL: an engine's cgroup is the limit */
    uint64_t nproc;        /* the app's user's process limit (RLIMIT_NPROC), or 0 */
    const char *accelerator; /* what the launcher said runs the guest: passed on in the report, unmeasured */
    int ndevices;
    const char *devices[MAX_DEVICES]; /* device nodes the app may use (GPUs), same path inside */
    int nfolders;
    const char *folders[MAX_FOLDERS]; /* folders the app may read (WSL's GPU libraries), same path inside, read-only */
};

/* Builds the tree in the caller's mount namespace, which must be its own (and, with a cgroup, in a
 * cgroup namespace of its own rooted there), and makes its root the caller's. 0, or -1 with errno
 * and *failed naming the step. */
int sandbox_tree_build(const struct sandbox_config *c, const char **failed);
/* Makes every mount of the tree read-only but the workspace and /dev/shm. */
int sandbox_tree_seal(const struct sandbox_config *c, const char **failed);

#endif
