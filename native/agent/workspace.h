/* The workspace directory: open, free space, LIST and WIPE. */
#ifndef AI_WAY_WORKSPACE_H
#define AI_WAY_WORKSPACE_H

#include "json.h"

/* O_DIRECTORY fd of the workspace, or -1 with errno. */
int ws_open(void);
int ws_space(int dirfd, uint64_t *free_bytes, uint64_t *total_bytes);
/* Append "files", "truncated" (only when true), "freeBytes", "totalBytes"; -1 with errno. */
int ws_list_json(struct json *j);
/* Remove everything inside the workspace without following links, until deadline (now_ms()
 * time); entries removed, or -1 with errno (ETIMEDOUT when the deadline came first). */
long ws_wipe(long long deadline);

#endif
