/* UPLOAD streams: files written into the workspace, checked against size and SHA-256. */
#ifndef AI_WAY_UPLOAD_H
#define AI_WAY_UPLOAD_H

#include "stream.h"

/* Decode a percent-encoded name token and apply the name rules; 0 if acceptable. */
int upload_name_decode(const char *token, char out[256]);
void upload_start(uint32_t id, const char *size, const char *sha256_hex, const char *name_token);
int upload_data(struct stream *s, const unsigned char *p, size_t n);
int upload_eof(struct stream *s);
/* Fail every upload still receiving data (WIPE removes their temporary files). */
void upload_abort_all(const char *why);

#endif
