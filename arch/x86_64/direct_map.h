/* Installs the direct map decided by memory_plan.c at DIRECT_MAP_BASE and removes the boot
 * identity map. After this, physical memory is reachable only as kernel linear memory. */
#ifndef CAPSID_DIRECT_MAP_H
#define CAPSID_DIRECT_MAP_H

#include "memory_plan.h"

void direct_map_install(const struct memory_plan* plan);

#endif
