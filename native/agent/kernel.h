/* The few Linux UAPI definitions the sandbox needs. musl's toolchain ships no kernel headers, and
 * these values are part of the kernel's stable ABI (include/uapi/linux/{sched,capability,seccomp,
 * filter,audit}.h), the same on x86_64 and aarch64. */
#ifndef AI_WAY_KERNEL_H
#define AI_WAY_KERNEL_H

#include <stdint.h>

/* namespaces (clone/unshare flags) */
#define K_CLONE_NEWTIME 0x00000080u
#define K_CLONE_NEWNS 0x00020000u
#define K_CLONE_NEWCGROUP 0x02000000u
#define K_CLONE_NEWUTS 0x04000000u
#define K_CLONE_NEWIPC 0x08000000u
#define K_CLONE_NEWUSER 0x10000000u
#define K_CLONE_NEWPID 0x20000000u
#define K_CLONE_NEWNET 0x40000000u
#define K_CLONE_NEW_ANY                                                                                                \
    (K_CLONE_NEWTIME | K_CLONE_NEWNS | K_CLONE_NEWCGROUP | K_CLONE_NEWUTS | K_CLONE_NEWIPC | K_CLONE_NEWUSER |           \
     K_CLONE_NEWPID | K_CLONE_NEWNET)

/* capabilities (capget/capset, version 3: two 32-bit words per set) */
#define K_CAPABILITY_VERSION_3 0x20080522u
struct k_cap_header {
    uint32_t version;
    int pid;
};
struct k_cap_data {
    uint32_t effective, permitted, inheritable;
};
#define K_CAP_CHOWN 0
#define K_CAP_DAC_OVERRIDE 1
#define K_CAP_FOWNER 3
#define K_CAP_SETGID 6
#define K_CAP_SETUID 7
#define K_CAP_SETPCAP 8
#define K_CAP_NET_ADMIN 12
#define K_CAP_SYS_ADMIN 21
#define K_CAP_LAST_POSSIBLE 63

/* seccomp filters (classic BPF over struct seccomp_data) */
#define K_SECCOMP_MODE_FILTER 2
#define K_SECCOMP_RET_KILL_PROCESS 0x80000000u
#define K_SECCOMP_RET_ERRNO 0x00050000u
#define K_SECCOMP_RET_ALLOW 0x7fff0000u
#define K_SECCOMP_DATA_NR 0
#define K_SECCOMP_DATA_ARCH 4
#define K_SECCOMP_DATA_ARG0_LO 16 /* low 32 bits of args[0] on little-endian machines */

struct k_sock_filter {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};
struct k_sock_fprog {
    unsigned short len;
    struct k_sock_filter *filter;
};
#define K_BPF_LD_W_ABS 0x20  /* BPF_LD | BPF_W | BPF_ABS */
#define K_BPF_JEQ_K 0x15     /* BPF_JMP | BPF_JEQ | BPF_K */
#define K_BPF_JGE_K 0x35     /* BPF_JMP | BPF_JGE | BPF_K */
#define K_BPF_JSET_K 0x45    /* BPF_JMP | BPF_JSET | BPF_K */
#define K_BPF_RET_K 0x06     /* BPF_RET | BPF_K */

#define K_AUDIT_ARCH_X86_64 0xC000003Eu
#define K_AUDIT_ARCH_AARCH64 0xC00000B7u
#define K_X32_SYSCALL_BIT 0x40000000u

#define K_AF_VSOCK 40

#endif
