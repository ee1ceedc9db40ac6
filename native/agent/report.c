/* Isolation report. Each field is measured, not assumed: a failed read gives null, never a
 * guess, so the launcher can tell "not isolated" from "could not look". The fields come in the
 * order PROTOCOL.md lists them. */
#include "report.h"

#include <unistd.h>

#include "report_fs.h"
#include "report_limits.h"
#include "report_net.h"
#include "report_process.h"

void report_json(struct json *j)
{
    report_interfaces(j);
    report_outbound(j);
    report_root_read_only(j);
    report_mounts(j);
    report_proc_status(j);
    report_uid_map(j);
    report_cgroup(j);
    report_rlimits(j);
    report_devices(j);
    report_processes(j);
    report_descriptors(j);
    report_supervisor(j);
    report_denied(j);
    json_kint(j, "uid", (long long)getuid());
    json_kint(j, "gid", (long long)getgid());
}
