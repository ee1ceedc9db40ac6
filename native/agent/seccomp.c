/* The app's seccomp filter, stacked on whatever the engine applied (filters only ever narrow).
 * It denies what the sandbox must stay without once the app runs: new namespaces (a user namespace
 * would give the app capabilities and mounts of its own), mounting, other processes' memory,
 * kernel keyrings, BPF, io_uring, perf and the like, and every socket family but local, IP and
 * netlink, so no AF_VSOCK path to a hypervisor exists. */
#include "seccomp.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "kernel.h"

#if defined(__x86_64__)
#define AUDIT_ARCH K_AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH K_AUDIT_ARCH_AARCH64
#else
#error "ai-way-agent: no seccomp architecture for this target"
#endif

/* Refused with EPERM whatever their arguments. Names a target lacks are left out by the #ifdefs. */
static const long denied[] = {
#ifdef SYS_setns
    SYS_setns,
#endif
#ifdef SYS_mount
    SYS_mount,
#endif
#ifdef SYS_umount2
    SYS_umount2,
#endif
#ifdef SYS_pivot_root
    SYS_pivot_root,
#endif
#ifdef SYS_chroot
    SYS_chroot,
#endif
#ifdef SYS_open_tree
    SYS_open_tree,
#endif
#ifdef SYS_move_mount
    SYS_move_mount,
#endif
#ifdef SYS_fsopen
    SYS_fsopen,
#endif
#ifdef SYS_fsconfig
    SYS_fsconfig,
#endif
#ifdef SYS_fsmount
    SYS_fsmount,
#endif
#ifdef SYS_fspick
    SYS_fspick,
#endif
#ifdef SYS_mount_setattr
    SYS_mount_setattr,
#endif
#ifdef SYS_ptrace
    SYS_ptrace,
#endif
#ifdef SYS_process_vm_readv
    SYS_process_vm_readv,
#endif
#ifdef SYS_process_vm_writev
    SYS_process_vm_writev,
#endif
#ifdef SYS_keyctl
    SYS_keyctl,
#endif
#ifdef SYS_add_key
    SYS_add_key,
#endif
#ifdef SYS_request_key
    SYS_request_key,
#endif
#ifdef SYS_bpf
    SYS_bpf,
#endif
#ifdef SYS_perf_event_open
    SYS_perf_event_open,
#endif
#ifdef SYS_userfaultfd
    SYS_userfaultfd,
#endif
#ifdef SYS_io_uring_setup
    SYS_io_uring_setup,
#endif
#ifdef SYS_io_uring_enter
    SYS_io_uring_enter,
#endif
#ifdef SYS_io_uring_register
    SYS_io_uring_register,
#endif
#ifdef SYS_open_by_handle_at
    SYS_open_by_handle_at,
#endif
#ifdef SYS_name_to_handle_at
    SYS_name_to_handle_at,
#endif
#ifdef SYS_fanotify_init
    SYS_fanotify_init,
#endif
#ifdef SYS_kexec_load
    SYS_kexec_load,
#endif
#ifdef SYS_kexec_file_load
    SYS_kexec_file_load,
#endif
#ifdef SYS_init_module
    SYS_init_module,
#endif
#ifdef SYS_finit_module
    SYS_finit_module,
#endif
#ifdef SYS_delete_module
    SYS_delete_module,
#endif
#ifdef SYS_acct
    SYS_acct,
#endif
#ifdef SYS_swapon
    SYS_swapon,
#endif
#ifdef SYS_swapoff
    SYS_swapoff,
#endif
#ifdef SYS_reboot
    SYS_reboot,
#endif
#ifdef SYS_syslog
    SYS_syslog,
#endif
#ifdef SYS_quotactl
    SYS_quotactl,
#endif
#ifdef SYS_settimeofday
    SYS_settimeofday,
#endif
#ifdef SYS_clock_settime
    SYS_clock_settime,
#endif
#ifdef SYS_clock_adjtime
    SYS_clock_adjtime,
#endif
#ifdef SYS_adjtimex
    SYS_adjtimex,
#endif
#ifdef SYS_iopl
    SYS_iopl,
#endif
#ifdef SYS_ioperm
    SYS_ioperm,
#endif
#ifdef SYS_vhangup
    SYS_vhangup,
#endif
#ifdef SYS_lookup_dcookie
    SYS_lookup_dcookie,
#endif
#ifdef SYS_uselib
    SYS_uselib,
#endif
};

#define NDENIED (sizeof denied / sizeof denied[0])

static const uint32_t socket_families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
#define NFAMILIES (sizeof socket_families / sizeof socket_families[0])

/* Instructions before the deny list, and after it: the layout is fixed, so every jump is known. */
#if defined(__x86_64__)
#define HEAD 5 /* arch check (3), load nr, x32 check */
#else
#define HEAD 4
#endif
#define CHECKS 4 /* clone, unshare, clone3, socket */
#define TAIL (1 + 2 + (1 + NFAMILIES) + 4) /* allow; ns check; family check; nofamily/deny/allow/nosys */

int seccomp_install(void)
{
    struct k_sock_filter f[HEAD + NDENIED + CHECKS + TAIL];
    unsigned n = 0;
    /* positions of the shared targets at the end */
    const unsigned ns_check = HEAD + NDENIED + CHECKS + 1;
    const unsigned family_check = ns_check + 2;
    const unsigned ret_nofamily = family_check + 1 + NFAMILIES; /* reached by falling through */
    const unsigned ret_deny = ret_nofamily + 1, ret_allow = ret_nofamily + 2, ret_nosys = ret_nofamily + 3;
#define EMIT(c, t, e, v) (f[n] = (struct k_sock_filter){(uint16_t)(c), (uint8_t)(t), (uint8_t)(e), (uint32_t)(v)}, n++)
#define JUMP_TO(target) ((target) - n - 1) /* relative offset from the instruction being emitted */

    EMIT(K_BPF_LD_W_ABS, 0, 0, K_SECCOMP_DATA_ARCH);
    EMIT(K_BPF_JEQ_K, 1, 0, AUDIT_ARCH);
    EMIT(K_BPF_RET_K, 0, 0, K_SECCOMP_RET_KILL_PROCESS); /* another ABI (i386, arm32): never the app's */
    EMIT(K_BPF_LD_W_ABS, 0, 0, K_SECCOMP_DATA_NR);
#if defined(__x86_64__)
    EMIT(K_BPF_JGE_K, JUMP_TO(ret_nosys), 0, K_X32_SYSCALL_BIT); /* the x32 ABI aliases every call */
#endif
    for (size_t i = 0; i < NDENIED; i++)
        EMIT(K_BPF_JEQ_K, JUMP_TO(ret_deny), 0, (uint32_t)denied[i]);
    EMIT(K_BPF_JEQ_K, JUMP_TO(ns_check), 0, SYS_clone);
    EMIT(K_BPF_JEQ_K, JUMP_TO(ns_check), 0, SYS_unshare);
#ifdef SYS_clone3
    /* clone3's flags sit in memory a filter cannot read: ENOSYS makes libc fall back to clone */
    EMIT(K_BPF_JEQ_K, JUMP_TO(ret_nosys), 0, SYS_clone3);
#else
    EMIT(K_BPF_JEQ_K, 0, 0, 0xffffffffu); /* keeps the layout */
#endif
    EMIT(K_BPF_JEQ_K, JUMP_TO(family_check), 0, SYS_socket);
    EMIT(K_BPF_RET_K, 0, 0, K_SECCOMP_RET_ALLOW);
    /* ns_check: clone's and unshare's flags are their first argument */
    EMIT(K_BPF_LD_W_ABS, 0, 0, K_SECCOMP_DATA_ARG0_LO);
    EMIT(K_BPF_JSET_K, JUMP_TO(ret_deny), JUMP_TO(ret_allow), K_CLONE_NEW_ANY);
    /* family_check: socket's first argument */
    EMIT(K_BPF_LD_W_ABS, 0, 0, K_SECCOMP_DATA_ARG0_LO);
    for (size_t i = 0; i < NFAMILIES; i++)
        EMIT(K_BPF_JEQ_K, JUMP_TO(ret_allow), 0, socket_families[i]);
    EMIT(K_BPF_RET_K, 0, 0, K_SECCOMP_RET_ERRNO | EAFNOSUPPORT); /* ret_nofamily */
    EMIT(K_BPF_RET_K, 0, 0, K_SECCOMP_RET_ERRNO | EPERM);        /* ret_deny */
    EMIT(K_BPF_RET_K, 0, 0, K_SECCOMP_RET_ALLOW);                /* ret_allow */
    EMIT(K_BPF_RET_K, 0, 0, K_SECCOMP_RET_ERRNO | ENOSYS);       /* ret_nosys */
#undef EMIT
#undef JUMP_TO
    if (n != sizeof f / sizeof f[0] || ret_nosys != n - 1) { /* the layout above and the sizes disagree */
        errno = EINVAL;
        return -1;
    }
    struct k_sock_fprog prog = {(unsigned short)n, f};
    return prctl(PR_SET_SECCOMP, K_SECCOMP_MODE_FILTER, &prog, 0, 0);
}
