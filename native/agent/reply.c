/* Replies are built whole in a bounded buffer and queued as one CONTROL frame each. */
#include "reply.h"

#include <sys/utsname.h>
#include <unistd.h>

#include "frame.h"

void reply_begin(struct json *j, const char *type, uint32_t stream)
{
    json_init(j);
    json_open(j, '{');
    json_kstr(j, "type", type);
    if (stream)
        json_kuint(j, "stream", stream);
}

void reply_send(struct json *j)
{
    json_close(j, '}');
    if (j->overflow) {
        log_msg("reply larger than a frame; sent an error instead");
        reply_error(0, "io", "reply too large");
        return;
    }
    out_frame(FT_CONTROL, 0, j->buf, j->len);
}

void reply_error(uint32_t stream, const char *error, const char *detail)
{
    struct json j;
    reply_begin(&j, "error", stream);
    json_kstr(&j, "error", error);
    json_kstr(&j, "detail", detail);
    reply_send(&j);
}

static const char *arch(void)
{
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#else
    static struct utsname u;
    return uname(&u) == 0 ? u.machine : "unknown";
#endif
}

void send_hello(pid_t app_pid)
{
    struct json j;
    reply_begin(&j, "hello", 0);
    json_kint(&j, "protocol", 1);
    json_kint(&j, "pid", (long long)getpid());
    json_kstr(&j, "arch", arch());
    json_kint(&j, "appPid", (long long)app_pid);
    reply_send(&j);
}
