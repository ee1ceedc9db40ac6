/* The workspace directory: open, free space, LIST and WIPE. */
#ifndef AI_WAY_WORKSPACE_H
#define AI_WAY_WORKSPACE_H

#include "json.h"

/* O_DIRECTORY fd of the workspace, or -1 with errno. */
int ws_open(void);
int ws_space(int dirfd, uint64_t *free_bytes, uint64_t *total_bytes);
/* Append "files", "truncated" (only when true), "freeBytes", "totalBytes"; -1 with errno. */
int ws_list_json(struct json *j);
/* Remove everything inside the workspace without following links; entries removed, or -1. */
long ws_wipe(void);

#endif
