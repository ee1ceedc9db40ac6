/* File system facts for the report: what is mounted where, what is writable, which devices exist. */
#ifndef AI_WAY_REPORT_FS_H
#define AI_WAY_REPORT_FS_H

#include "json.h"

/* "rootReadOnly" */
void report_root_read_only(struct json *j);
/* Where the launcher mounts a model, read-only (appliance/plan-model.ts MODEL_MOUNT). */
#define MODEL_PATH "/model/model.gguf"

/* "workspace" and "shm" (mount, type, options, size), then "writableMounts", then "model" (null: none) */
void report_mounts(struct json *j);
/* "devices": the GPU device nodes present, sorted */
void report_devices(struct json *j);

#endif
