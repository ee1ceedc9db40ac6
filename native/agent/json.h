/* A bounded JSON writer: replies must fit one frame, so it never allocates and flags overflow. */
#ifndef AI_WAY_JSON_H
#define AI_WAY_JSON_H

#include "agent.h"

#define JSON_DEPTH 8

struct json {
    size_t len;
    int overflow;
    int depth;
    int after_key;
    int count[JSON_DEPTH];
    char buf[MAX_PAYLOAD];
};

void json_init(struct json *j);
void json_open(struct json *j, char c); /* '{' or '[' */
void json_close(struct json *j, char c);
void json_key(struct json *j, const char *key);
void json_strn(struct json *j, const char *s, size_t n);
void json_str(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* "key": value shorthands */
void json_kstr(struct json *j, const char *key, const char *s); /* NULL writes null */
void json_kint(struct json *j, const char *key, long long v);
void json_kuint(struct json *j, const char *key, unsigned long long v);

#endif
