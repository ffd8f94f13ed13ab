/* pjproject-compatible include path: everything lives in pjregc/pjregc.h. */
#ifndef PJREGC_COMPAT_PJ_ATOMIC_H
#define PJREGC_COMPAT_PJ_ATOMIC_H
#include "pjregc/pjregc.h"
#endif
