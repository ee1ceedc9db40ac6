/* UPLOAD streams: files written into the workspace, checked against size and SHA-256. */
#ifndef AI_WAY_UPLOAD_H
#define AI_WAY_UPLOAD_H

#include "agent.h"

void upload_start(uint32_t id, const char *size, const char *sha256_hex, const char *name_token);
/* Fail every upload still receiving data (WIPE removes their temporary files). */
void upload_abort_all(const char *why);

#endif
