/* /proc/self/mountinfo, parsed once into a table, with the mounts a lookup can no longer reach
 * marked hidden (the sandbox stacks fresh /proc and /dev over the engine's own). */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MOUNTINFO (4u << 20)

int has_option(const char *list, const char *opt, size_t n)
{
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, opt, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape_octal(char *s)
{
    char *o = s;
    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
            s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
}

static char *read_all(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0, cap = 16384;
    char *buf = fd < 0 ? NULL : malloc(cap);
    if (!buf) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *more = cap < MAX_MOUNTINFO ? realloc(buf, cap * 2) : NULL;
            if (!more) {
                free(buf);
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            buf = more;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = errno;
            close(fd);
            if (r < 0) {
                free(buf);
                errno = e;
                return NULL;
            }
            buf[len] = '\0';
            return buf;
        }
        len += (size_t)r;
    }
}

/* One line: id parent major:minor root point options [optional...] - fstype source super */
static int parse_line(char *line, struct mount_entry *m)
{
    char *fld[64], *save = NULL;
    int n = 0, dash = -1;
    for (char *t = strtok_r(line, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save)) {
        if (n >= 6 && dash < 0 && strcmp(t, "-") == 0)
            dash = n;
        fld[n++] = t;
    }
    if (n < 10 || dash < 0 || dash + 3 >= n)
        return -1;
    unescape_octal(fld[4]);
    *m = (struct mount_entry){atoi(fld[0]), atoi(fld[1]), fld[4], fld[5], fld[dash + 1], fld[dash + 3], 0};
    return 0;
}

static const struct mount_entry *by_id(const struct mount_table *t, int id)
{
    for (int i = 0; i < t->n; i++)
        if (t->m[i].id == id)
            return &t->m[i];
    return NULL;
}

static int path_under(const char *path, const char *mp)
{
    size_t n = strlen(mp);
    if (strcmp(mp, "/") == 0)
        return 1;
    return strncmp(path, mp, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Another mount stacked on m at the same point covers m and all it holds. */
static int covered(const struct mount_table *t, const struct mount_entry *m)
{
    for (int j = 0; j < t->n; j++)
        if (t->m[j].parent == m->id && &t->m[j] != m && strcmp(t->m[j].point, m->point) == 0)
            return 1;
    return 0;
}

/* A later sibling mounted on a folder above m's point (in the same parent) shadows m. */
static int shadowed(const struct mount_table *t, const struct mount_entry *m)
{
    for (int j = 0; j < t->n; j++) {
        const struct mount_entry *q = &t->m[j];
        if (q != m && q->parent == m->parent && strcmp(q->point, m->point) != 0 && path_under(m->point, q->point))
            return 1;
    }
    return 0;
}

/* state[i]: 0 not worked out yet, 1 visible, 2 hidden */
static int visible(const struct mount_table *t, int i, signed char *state, int depth);

static int place_reachable(const struct mount_table *t, int i, signed char *state, int depth)
{
    const struct mount_entry *m = &t->m[i];
    const struct mount_entry *p = by_id(t, m->parent);
    if (!p || p == m || depth > MAX_MOUNTS)
        return 1; /* the root */
    int pi = (int)(p - t->m);
    if (shadowed(t, m))
        return 0;
    /* stacked on its parent: it stands where the parent stands; else it hangs under the parent */
    return strcmp(m->point, p->point) == 0 ? place_reachable(t, pi, state, depth + 1) : visible(t, pi, state, depth + 1);
}

static int visible(const struct mount_table *t, int i, signed char *state, int depth)
{
    if (!state[i])
        state[i] = !covered(t, &t->m[i]) && place_reachable(t, i, state, depth) ? 1 : 2;
    return state[i] == 1;
}

static void mark_hidden(struct mount_table *t)
{
    static signed char state[MAX_MOUNTS];
    memset(state, 0, sizeof state);
    for (int i = 0; i < t->n; i++)
        t->m[i].hidden = !visible(t, i, state, 0);
}

int mounts_read(struct mount_table *t)
{
    t->n = 0;
    t->text = read_all("/proc/self/mountinfo");
    if (!t->text)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(t->text, "\n", &save); line && t->n < MAX_MOUNTS; line = strtok_r(NULL, "\n", &save))
        if (parse_line(line, &t->m[t->n]) == 0)
            t->n++;
    mark_hidden(t);
    return 0;
}

void mounts_free(struct mount_table *t)
{
    free(t->text);
    t->text = NULL;
    t->n = 0;
}

const struct mount_entry *mounts_holder(const struct mount_table *t, const char *path)
{
    const struct mount_entry *best = NULL;
    for (int i = 0; i < t->n; i++) {
        const struct mount_entry *m = &t->m[i];
        if (!m->hidden && path_under(path, m->point) && (!best || strlen(m->point) >= strlen(best->point)))
            best = m;
    }
    return best;
}
