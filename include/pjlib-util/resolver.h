/* pjproject-compatible include path: everything lives in pjregc/pjregc.h. */
#ifndef PJREGC_COMPAT_PJLIB_UTIL_RESOLVER_H
#define PJREGC_COMPAT_PJLIB_UTIL_RESOLVER_H
#include "pjregc/pjregc.h"
#endif
