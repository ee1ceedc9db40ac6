/* Bounded JSON writer. Commas are placed automatically: each nesting level counts its items. */
#include "json.h"

#include <stdio.h>
#include <string.h>

static void put(struct json *j, const char *s, size_t n)
{
    if (j->overflow || n > sizeof j->buf - j->len) {
        j->overflow = 1;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

/* Called before every value or key: a value right after its key needs no comma. */
static void separate(struct json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth]++)
        put(j, ",", 1);
}

void json_init(struct json *j)
{
    j->len = 0;
    j->overflow = 0;
    j->depth = 0;
    j->after_key = 0;
    j->count[0] = 0;
}

void json_open(struct json *j, char c)
{
    separate(j);
    put(j, &c, 1);
    if (j->depth + 1 >= JSON_DEPTH) {
        j->overflow = 1;
        return;
    }
    j->count[++j->depth] = 0;
}

void json_close(struct json *j, char c)
{
    put(j, &c, 1);
    if (j->depth > 0)
        j->depth--;
}


/* The quoting itself; bytes >= 0x80 pass through (names are bytes, not always UTF-8). */
static void quote(struct json *j, const char *s, size_t n)
{
    put(j, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(j, esc, 2);
        } else if (c < 0x20) {
            char esc[7];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(j, esc, 6);
        } else {
            put(j, (const char *)&c, 1);
        }
    }
    put(j, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
    separate(j);
    quote(j, key, strlen(key));
    put(j, ":", 1);
    j->after_key = 1;
}

void json_strn(struct json *j, const char *s, size_t n)
{
    separate(j);
    quote(j, s, n);
}

void json_str(struct json *j, const char *s)
{
    json_strn(j, s, strlen(s));
}

static void number(struct json *j, const char *text)
{
    separate(j);
    put(j, text, strlen(text));
}

void json_int(struct json *j, long long v)
{
    char t[24];
    snprintf(t, sizeof t, "%lld", v);
    number(j, t);
}

void json_uint(struct json *j, unsigned long long v)
{
    char t[24];
    snprintf(t, sizeof t, "%llu", v);
    number(j, t);
}

void json_bool(struct json *j, int v)
{
    number(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
    number(j, "null");
}

void json_kstr(struct json *j, const char *key, const char *s)
{
    json_key(j, key);
    if (s)
        json_str(j, s);
    else
        json_null(j);
}

void json_kint(struct json *j, const char *key, long long v)
{
    json_key(j, key);
    json_int(j, v);
}

void json_kuint(struct json *j, const char *key, unsigned long long v)
{
    json_key(j, key);
    json_uint(j, v);
}
