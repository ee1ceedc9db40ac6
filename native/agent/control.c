/* Control commands: one line of tokens separated by single spaces, one JSON reply each. */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "proxy.h"
#include "reply.h"
#include "supervise.h"
#include "upload.h"
#include "workspace.h"

#define MAX_TOKENS 6
#define WIPE_COMMAND_MS 2000 /* the app may fill the workspace with files faster than anyone removes them */
#define MAX_LINE 1024 /* the longest valid command (UPLOAD, 255-byte name fully encoded) is < 900 */

void send_app_exited(void)
{
    struct json j;
    reply_begin(&j, "app-exited", 0);
    app_json(&j);
    reply_send(&j);
}

/* ---- the commands; args[] excludes the command word ---- */

/* The report was measured inside the app's sandbox before the app's program started (sandbox.c);
 * nothing the app does afterwards can change what is sent here. */
static int cmd_report(uint32_t stream, char **args)
{
    size_t len;
    const char *r = app_report(&len);
    (void)stream, (void)args;
    out_frame(FT_CONTROL, 0, r, len);
    return 0;
}

static int cmd_status(uint32_t stream, char **args)
{
    struct json j;
    (void)stream, (void)args;
    reply_begin(&j, "status", 0);
    json_kstr(&j, "app", app_running() ? "running" : "exited");
    app_json(&j);
    reply_send(&j);
    return 0;
}

static int cmd_connect(uint32_t stream, char **args)
{
    proxy_connect(stream, args[1]);
    return 0;
}

static int cmd_close(uint32_t stream, char **args)
{
    (void)args;
    proxy_close(stream);
    return 0;
}

static int cmd_upload(uint32_t stream, char **args)
{
    upload_start(stream, args[1], args[2], args[3]);
    return 0;
}

static int cmd_list(uint32_t stream, char **args)
{
    struct json j;
    (void)stream, (void)args;
    reply_begin(&j, "list", 0);
    if (ws_list_json(&j) < 0)
        reply_error(0, "io", strerror(errno));
    else
        reply_send(&j);
    return 0;
}

static int cmd_wipe(uint32_t stream, char **args)
{
    struct json j;
    (void)stream, (void)args;
    upload_abort_all("workspace wiped");
    long n = ws_wipe(now_ms() + WIPE_COMMAND_MS);
    if (n < 0) {
        reply_error(0, "io", errno == ETIMEDOUT ? "the workspace could not be emptied in time" : strerror(errno));
        return 0;
    }
    reply_begin(&j, "wiped", 0);
    json_kint(&j, "removed", n);
    reply_send(&j);
    return 0;
}

static int cmd_shutdown(uint32_t stream, char **args)
{
    struct json j;
    (void)stream, (void)args;
    reply_begin(&j, "bye", 0);
    reply_send(&j);
    return 1;
}

static const struct command {
    const char *name;
    int nargs;      /* tokens after the command word */
    int has_stream; /* first argument is a stream id */
    int (*run)(uint32_t stream, char **args);
} commands[] = {
    {"REPORT", 0, 0, cmd_report}, {"STATUS", 0, 0, cmd_status},     {"CONNECT", 2, 1, cmd_connect}, {"CLOSE", 1, 1, cmd_close},
    {"UPLOAD", 4, 1, cmd_upload}, {"LIST", 0, 0, cmd_list},         {"WIPE", 0, 0, cmd_wipe},
    {"SHUTDOWN", 0, 0, cmd_shutdown},
};

/* Split on single spaces; -1 on an empty token (double, leading or trailing space) or too many. */
static int split(char *line, char **tok)
{
    int n = 0;
    for (char *p = line;;) {
        char *sp = strchr(p, ' ');
        if (n == MAX_TOKENS || sp == p || *p == '\0')
            return -1;
        tok[n++] = p;
        if (!sp)
            return n;
        *sp = '\0';
        p = sp + 1;
    }
}

int control_command(const unsigned char *payload, size_t len)
{
    char line[MAX_LINE], detail[96];
    char *tok[MAX_TOKENS];
    uint64_t stream = 0;

    if (len >= sizeof line || memchr(payload, '\0', len)) {
        reply_error(0, "command", len >= sizeof line ? "command too long" : "NUL byte in command");
        return 0;
    }
    memcpy(line, payload, len);
    line[len] = '\0';
    int n = split(line, tok);
    if (n < 0) {
        reply_error(0, "command", "malformed command (tokens are separated by one space)");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const struct command *c = &commands[i];
        if (strcmp(tok[0], c->name) != 0)
            continue;
        if (c->has_stream && n > 1 && (parse_u64(tok[1], UINT32_MAX, &stream) < 0 || stream == 0)) {
            reply_error(0, "command", "bad stream id");
            return 0;
        }
        if (n - 1 != c->nargs) {
            snprintf(detail, sizeof detail, "%s takes %d argument%s", c->name, c->nargs, c->nargs == 1 ? "" : "s");
            reply_error((uint32_t)stream, "command", detail);
            return 0;
        }
        return c->run((uint32_t)stream, tok + 1);
    }
    snprintf(detail, sizeof detail, "unknown command: %.60s", tok[0]);
    reply_error(0, "command", detail);
    return 0;
}
