/* Bounded lists of names (interfaces, device nodes, mount points), written out sorted so that a
 * report does not depend on the order the kernel lists them in. */
#ifndef AI_WAY_NAMES_H
#define AI_WAY_NAMES_H

#include "json.h"

struct names {
    int n;
    char v[128][96];
};

/* Names that do not fit (128 of up to 95 bytes) are left out. */
void names_add(struct names *nl, const char *s);
/* path, when it is a character device */
void names_add_chr(struct names *nl, const char *path);
/* Character devices in dir whose names start with prefix, as full paths. */
void names_scan(struct names *nl, const char *dir, const char *prefix);
/* The list as a sorted JSON array, alone or as "key": [...] */
void names_emit_list(struct json *j, struct names *nl);
void names_emit(struct json *j, const char *key, struct names *nl);

#endif
