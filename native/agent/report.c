/* Isolation report. Each field is measured, not assumed: a failed read gives null, never a
 * guess, so the launcher can tell "not isolated" from "could not look". The fields come in the
 * order PROTOCOL.md lists them. */
#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include "report_fs.h"
#include "report_limits.h"
#include "report_net.h"
#include "report_process.h"

/* The kernel the app runs on, read (uname(2)); then what was only told, kept apart. */
static void report_machine(struct json *j, const char *accelerator)
{
    struct utsname u;
    int ok = uname(&u) == 0;
    json_key(j, "kernel");
    json_open(j, '{');
    json_kstr(j, "release", ok ? u.release : NULL);
    json_kstr(j, "arch", ok ? u.machine : NULL);
    json_close(j, '}');
    json_key(j, "told");
    json_open(j, '{');
    json_kstr(j, "accelerator", accelerator);
    json_close(j, '}');
}

void report_json(struct json *j, const struct report_given *given)
{
    report_interfaces(j);
    report_outbound(j);
    report_root_read_only(j);
    report_mounts(j);
    report_proc_status(j);
    report_id_maps(j, given->agent_uid_map);
    report_cgroup(j);
    report_rlimits(j);
    report_devices(j);
    report_processes(j);
    report_descriptors(j);
    report_supervisor(j);
    report_denied(j);
    report_machine(j, given->accelerator);
    json_kint(j, "uid", (long long)getuid());
    json_kint(j, "gid", (long long)getgid());
}
