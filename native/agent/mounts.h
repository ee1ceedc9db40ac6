/* The mount table as /proc/self/mountinfo gives it, with what a path lookup can still reach:
 * a mount stacked on another at the same point hides it and everything below it. */
#ifndef AI_WAY_MOUNTS_H
#define AI_WAY_MOUNTS_H

#include "agent.h"

#define MAX_MOUNTS 1024

struct mount_entry {
    int id, parent;
    char *point, *options, *fstype, *super; /* point unescaped; options: the mount's own, super: the file system's */
    int hidden;
};

struct mount_table {
    int n;
    char *text;
    struct mount_entry m[MAX_MOUNTS];
};

/* Reads and parses /proc/self/mountinfo; -1 with errno when it cannot be read. */
int mounts_read(struct mount_table *t);
void mounts_free(struct mount_table *t);
/* The visible mount holding path (the longest mount point above it), or NULL. */
const struct mount_entry *mounts_holder(const struct mount_table *t, const char *path);
/* Whether the comma-separated list has exactly opt (n bytes). */
int has_option(const char *list, const char *opt, size_t n);

#endif
