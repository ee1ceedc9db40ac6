/* Name lists for the report (names.h). */
#include "names.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void names_add(struct names *nl, const char *s)
{
    if (nl->n < 128 && strlen(s) < sizeof nl->v[0])
        strcpy(nl->v[nl->n++], s);
}

void names_add_chr(struct names *nl, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode))
        names_add(nl, path);
}

void names_scan(struct names *nl, const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[96];
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
            names_add_chr(nl, path);
    }
    closedir(d);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

void names_emit_list(struct json *j, struct names *nl)
{
    qsort(nl->v, (size_t)nl->n, sizeof nl->v[0], by_name);
    json_open(j, '[');
    for (int i = 0; i < nl->n; i++)
        json_str(j, nl->v[i]);
    json_close(j, ']');
}

void names_emit(struct json *j, const char *key, struct names *nl)
{
    json_key(j, key);
    names_emit_list(j, nl);
}
