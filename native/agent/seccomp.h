/* The seccomp filter the app runs under (see seccomp.c for what it denies). */
#ifndef AI_WAY_SECCOMP_H
#define AI_WAY_SECCOMP_H

#include "agent.h"

/* Installs the filter on the calling thread; needs no_new_privs (or CAP_SYS_ADMIN). 0 or -1/errno. */
int seccomp_install(void);

#endif
