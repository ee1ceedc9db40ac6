/* Workspace operations. Everything goes through directory fds (openat, unlinkat, fdopendir) so a
 * symlink the app planted inside the workspace is removed, never followed. */
#include "workspace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define WIPE_DEPTH 32  /* deeper directories are moved up to the top, so fds stay bounded */
#define WIPE_PASSES 64 /* each pass clears WIPE_DEPTH more levels of a deep tree */

int ws_open(void)
{
    return open(g_workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int ws_space(int dirfd, uint64_t *free_bytes, uint64_t *total_bytes)
{
    struct statvfs v;
    if (fstatvfs(dirfd, &v) < 0)
        return -1;
    *free_bytes = (uint64_t)v.f_bavail * v.f_frsize;
    *total_bytes = (uint64_t)v.f_blocks * v.f_frsize;
    return 0;
}

static int dot_or_dotdot(const char *n)
{
    return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

int ws_list_json(struct json *j)
{
    uint64_t free_b, total_b;
    int truncated = 0;
    int fd = ws_open();
    if (fd < 0)
        return -1;
    if (ws_space(fd, &free_b, &total_b) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    json_key(j, "files");
    json_open(j, '[');
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (dot_or_dotdot(e->d_name) || strncmp(e->d_name, ".upload-", 8) == 0)
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        /* one entry can take ~1.6 KB (255 escaped bytes); stop while the reply still fits a frame */
        if (j->len > MAX_PAYLOAD - 2048) {
            truncated = 1;
            break;
        }
        json_open(j, '{');
        json_kstr(j, "name", e->d_name);
        json_kuint(j, "size", (unsigned long long)st.st_size);
        json_close(j, '}');
    }
    closedir(d);
    json_close(j, ']');
    if (truncated) {
        json_key(j, "truncated");
        json_bool(j, 1);
    }
    json_kuint(j, "freeBytes", free_b);
    json_kuint(j, "totalBytes", total_b);
    return 0;
}

/* Empties the directory dfd (taken over and closed); returns the number of entries removed.
 * dev is the workspace's device: a file system mounted inside is left alone, not emptied. */
static long wipe_dir(int dfd, int topfd, dev_t dev, int depth, unsigned *hoisted, long long deadline)
{
    static unsigned serial;
    long removed = 0;
    DIR *d = fdopendir(dfd);
    if (!d) {
        log_msg("wipe: %s", strerror(errno));
        close(dfd);
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) && now_ms() < deadline) {
        const char *n = e->d_name;
        if (dot_or_dotdot(n))
            continue;
        if (unlinkat(dirfd(d), n, 0) == 0) { /* files, links, fifos, sockets, devices */
            removed++;
            continue;
        }
        if (errno != EISDIR && errno != EPERM) {
            log_msg("wipe: remove %s: %s", n, strerror(errno));
            continue;
        }
        if (depth >= WIPE_DEPTH) {
            char up[40];
            snprintf(up, sizeof up, ".ai-way-wipe-%u", serial++);
            if (renameat(dirfd(d), n, topfd, up) == 0)
                (*hoisted)++;
            else
                log_msg("wipe: move %s up: %s", n, strerror(errno));
            continue;
        }
        struct stat st;
        int sub = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || fstat(sub, &st) < 0 || st.st_dev != dev) {
            log_msg("wipe: %s: %s", n, sub < 0 ? strerror(errno) : "another file system; not entered");
            if (sub >= 0)
                close(sub);
            continue;
        }
        removed += wipe_dir(sub, topfd, dev, depth + 1, hoisted, deadline);
        if (unlinkat(dirfd(d), n, AT_REMOVEDIR) == 0)
            removed++;
        else
            log_msg("wipe: remove directory %s: %s", n, strerror(errno));
    }
    closedir(d);
    return removed;
}

long ws_wipe(long long deadline)
{
    long removed = 0;
    struct stat st;
    int top = ws_open();
    if (top < 0 || fstat(top, &st) < 0) {
        if (top >= 0)
            close(top);
        return -1;
    }
    /* Another pass while the last one achieved something: it catches hoisted directories and
     * entries readdir may skip while the directory shrinks under it. */
    for (int pass = 0; pass < WIPE_PASSES; pass++) {
        unsigned hoisted = 0;
        int fd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* wipe_dir closes it */
        if (fd < 0)
            break;
        long n = wipe_dir(fd, top, st.st_dev, 0, &hoisted, deadline);
        removed += n;
        if (n == 0 && !hoisted)
            break;
    }
    close(top);
    if (now_ms() >= deadline) {
        errno = ETIMEDOUT;
        return -1;
    }
    return removed;
}
