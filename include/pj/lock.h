/* pjproject-compatible include path: everything lives in pjregc/pjregc.h. */
#ifndef PJREGC_COMPAT_PJ_LOCK_H
#define PJREGC_COMPAT_PJ_LOCK_H
#include "pjregc/pjregc.h"
#endif
