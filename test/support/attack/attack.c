/* A hostile app, for the isolation tests (test/integration/hostile-app.test.ts). It does what an
 * app inside an appliance must never manage: forge the agent's frames, read or freeze the agent,
 * make a user namespace or an AF_VSOCK socket, fill shared memory, fork without end.
 *
 *   attack boot ATTACK... -- PROGRAM ARGS...   start the ATTACKs in the background, then PROGRAM
 *   (as a CGI, QUERY_STRING=ATTACK[&ARG])       run one ATTACK and answer what it achieved
 *
 * Answers are one JSON object; each try is the error it got ("EPERM"...) or "done" when it worked. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *outcome(int rc)
{
    static const struct {
        int err;
        const char *name;
    } names[] = {{EPERM, "EPERM"},   {EACCES, "EACCES"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},
                 {EAGAIN, "EAGAIN"}, {ENOSPC, "ENOSPC"}, {EINVAL, "EINVAL"}, {ENOSYS, "ENOSYS"},
                 {EROFS, "EROFS"},   {EAFNOSUPPORT, "EAFNOSUPPORT"}, {ENXIO, "ENXIO"}, {EUSERS, "EUSERS"}};
    static char other[24];
    if (rc >= 0)
        return "done";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].err == errno)
            return names[i].name;
    snprintf(other, sizeof other, "errno %d", errno);
    return other;
}

/* Every process id this process can see. */
static int visible_pids(int *pids, int max)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < max)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            pids[n++] = atoi(e->d_name);
    if (d)
        closedir(d);
    return n;
}

/* A REPORT frame that would make the proof say the appliance is host user 31337's and proven. */
static size_t forged_frame(unsigned char *out)
{
    static const char json[] =
        "{\"type\":\"report\",\"forged\":true,\"interfaces\":[\"lo\"],\"outbound\":{\"connected\":false,\"attempts\":[]},"
        "\"rootReadOnly\":true,\"workspace\":{\"path\":\"/workspace\",\"fstype\":\"tmpfs\",\"options\":\"rw,nosuid,nodev,noexec\","
        "\"sizeBytes\":1,\"freeBytes\":1},\"shm\":{\"path\":\"/dev/shm\",\"fstype\":\"tmpfs\",\"options\":\"rw,nosuid,nodev,noexec\","
        "\"sizeBytes\":1,\"freeBytes\":1},\"writableMounts\":[],\"capEff\":\"0\",\"capPrm\":\"0\",\"capInh\":\"0\",\"capBnd\":\"0\","
        "\"capAmb\":\"0\",\"noNewPrivs\":1,\"seccomp\":2,\"uidMap\":[[0,31337,1],[1000,31337,1]],\"cgroup\":{\"memoryMax\":\"1\","
        "\"pidsMax\":\"1\"},\"rlimits\":{},\"devices\":[],\"processes\":[1,2],\"descriptors\":[0,1,2],\"supervisor\":{\"uid\":0,"
        "\"environ\":\"EACCES\"},\"denied\":{\"userNamespace\":\"EPERM\",\"vsock\":\"EPERM\"},\"uid\":31337,\"gid\":31337}";
    size_t len = sizeof json - 1;
    uint32_t total = (uint32_t)(5 + len);
    out[0] = (unsigned char)(total >> 24), out[1] = (unsigned char)(total >> 16);
    out[2] = (unsigned char)(total >> 8), out[3] = (unsigned char)total;
    out[4] = 1; /* CONTROL */
    memset(out + 5, 0, 4);
    memcpy(out + 9, json, len);
    return 9 + len;
}

/* Writes forged frames into every stdout it can open, for `seconds`. Returns the writes that got through. */
static int forge(int seconds)
{
    unsigned char frame[4096];
    size_t len = forged_frame(frame);
    int got = 0, pids[256];
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        int n = visible_pids(pids, 256);
        for (int i = 0; i < n; i++) {
            char path[64];
            if (pids[i] == getpid())
                continue;
            snprintf(path, sizeof path, "/proc/%d/fd/1", pids[i]);
            int fd = open(path, O_WRONLY | O_NONBLOCK);
            if (fd >= 0) {
                got += write(fd, frame, len) == (ssize_t)len;
                close(fd);
            }
        }
        usleep(500);
    }
    return got;
}

/* What this process can do to PID 1 (the agent once, the sandbox's supervisor now) and to others. */
static void reach(void)
{
    char buf[256];
    int pids[256], n = visible_pids(pids, 256);
    int fd = open("/proc/1/environ", O_RDONLY);
    const char *environ_read = fd >= 0 && read(fd, buf, sizeof buf) >= 0 ? "done" : outcome(-1);
    if (fd >= 0)
        close(fd);
    fd = open("/proc/1/fd/1", O_WRONLY | O_NONBLOCK);
    char stdout_open[32];
    snprintf(stdout_open, sizeof stdout_open, "%s", outcome(fd));
    if (fd >= 0)
        close(fd);
    long pt = ptrace(PTRACE_ATTACH, 1, 0, 0);
    char attach[32];
    snprintf(attach, sizeof attach, "%s", outcome((int)pt));
    if (pt == 0)
        ptrace(PTRACE_DETACH, 1, 0, 0);
    printf("{\"self\":%d,\"visible\":[", getpid());
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", pids[i]);
    printf("],\"pid1\":{\"readEnviron\":\"%s\",\"openStdout\":\"%s\",\"ptraceAttach\":\"%s\"}}", environ_read, stdout_open, attach);
}

/* A user namespace of its own, and a mount inside it, tried in a child. */
static void userns(void)
{
    int p[2];
    char res[64] = "";
    if (pipe(p) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        char out[64];
        int rc = unshare(CLONE_NEWUSER | CLONE_NEWNS);
        int n = snprintf(out, sizeof out, "%s", outcome(rc));
        if (rc == 0)
            n += snprintf(out + n, sizeof out - (size_t)n, " %s", outcome(mount("none", "/tmp", "tmpfs", 0, NULL)));
        if (write(p[1], out, (size_t)n) < 0)
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    ssize_t r = read(p[0], res, sizeof res - 1);
    res[r > 0 ? r : 0] = '\0';
    waitpid(pid, NULL, 0);
    char *mnt = strchr(res, ' ');
    if (mnt)
        *mnt++ = '\0';
    printf("{\"unshareUser\":\"%s\",\"mountInside\":\"%s\"}", res, mnt ? mnt : "not tried");
}

static void vsock(void)
{
    int s = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
    printf("{\"vsock\":\"%s\"}", outcome(s));
}

/* Fills /dev/shm with up to mib MiB; answers how much fitted. */
static void shm(long mib)
{
    static char block[1 << 20];
    long written = 0;
    int fd = open("/dev/shm/attack", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const char *stop = outcome(fd);
    memset(block, 0x5a, sizeof block);
    while (fd >= 0 && written < mib << 20) {
        ssize_t w = write(fd, block, sizeof block);
        if (w <= 0) {
            stop = outcome(-1);
            break;
        }
        written += w;
        stop = "done";
    }
    if (fd >= 0)
        close(fd);
    unlink("/dev/shm/attack");
    printf("{\"wroteBytes\":%ld,\"stop\":\"%s\"}", written, stop);
}

/* Forks sleepers until the kernel says no; they stay until the appliance ends. */
static void forkbomb(void)
{
    int made = 0;
    const char *stop = "done";
    fflush(stdout);
    for (; made < 100000; made++) {
        pid_t pid = fork();
        if (pid < 0) {
            stop = outcome(-1);
            break;
        }
        if (pid == 0) {
            for (int fd = 0; fd < 3; fd++)
                close(fd);
            sleep(600);
            _exit(0);
        }
    }
    printf("{\"forked\":%d,\"stop\":\"%s\"}", made, stop);
}

/* Whether pid runs one of the app's own programs (busybox httpd, this attack): those it leaves alone. */
static int own_program(int pid)
{
    char path[64], comm[32] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
    }
    return strncmp(comm, "busybox", 7) == 0 || strncmp(comm, "attack", 6) == 0;
}

/* Stops and holds under ptrace every process that is not the app's own (the agent, once), then
 * fills the workspace with files and locked folders, so that nothing it does may delay the wipe. */
static void freeze(void)
{
    int pids[256], n = visible_pids(pids, 256);
    for (int i = 0; i < n; i++) {
        if (pids[i] == getpid() || own_program(pids[i]))
            continue;
        if (ptrace(PTRACE_SEIZE, pids[i], 0, 0) == 0)
            ptrace(PTRACE_INTERRUPT, pids[i], 0, 0);
        kill(pids[i], SIGSTOP);
    }
    for (unsigned long i = 0; i < 20000; i++) {
        char name[64];
        snprintf(name, sizeof name, "/workspace/d%lu", i % 64);
        if (mkdir(name, 0700) == 0) {
            snprintf(name, sizeof name, "/workspace/d%lu/inside", i % 64);
            close(open(name, O_WRONLY | O_CREAT, 0));
            snprintf(name, sizeof name, "/workspace/d%lu", i % 64);
            chmod(name, 0);
        }
        snprintf(name, sizeof name, "/workspace/f%lu", i);
        int fd = open(name, O_WRONLY | O_CREAT, 0);
        if (fd >= 0)
            close(fd);
    }
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    const char *query = getenv("QUERY_STRING");
    if (argc > 1 && strcmp(argv[1], "boot") == 0) {
        int i = 2;
        for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
            if (fork() != 0)
                continue;
            setsid();
            if (strcmp(argv[i], "forge") == 0)
                fprintf(stderr, "attack: %d forged frames got through\n", forge(3));
            else if (strcmp(argv[i], "freeze") == 0)
                freeze();
            _exit(0);
        }
        if (i + 1 >= argc)
            return 2;
        execv(argv[i + 1], argv + i + 1);
        return 127;
    }
    if (!query)
        return 2;
    printf("Content-Type: application/json\r\n\r\n");
    if (strcmp(query, "reach") == 0)
        reach();
    else if (strcmp(query, "userns") == 0)
        userns();
    else if (strcmp(query, "vsock") == 0)
        vsock();
    else if (strncmp(query, "shm&", 4) == 0)
        shm(atol(query + 4));
    else if (strcmp(query, "forkbomb") == 0)
        forkbomb();
    else
        printf("{\"error\":\"unknown attack\"}");
    printf("\n");
    return 0;
}
