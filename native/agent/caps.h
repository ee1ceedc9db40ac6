/* Capabilities: what a process may hold, now and after it executes a program. Each keep is a bit
 * mask of capability numbers. */
#ifndef AI_WAY_CAPS_H
#define AI_WAY_CAPS_H

#include "agent.h"

/* Effective and permitted sets become keep; the inheritable set is emptied. */
int caps_set(uint64_t keep);
/* The bounding set becomes keep (what any later program could ever hold; needs CAP_SETPCAP), and
 * the ambient set is emptied. */
int caps_bound(uint64_t keep);
/* Keeps only keep, in every set including the bounding set. */
int caps_limit(uint64_t keep);

#endif
