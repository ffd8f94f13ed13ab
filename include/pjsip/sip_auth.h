/* pjproject-compatible include path: everything lives in pjregc/pjregc.h. */
#ifndef PJREGC_COMPAT_PJSIP_SIP_AUTH_H
#define PJREGC_COMPAT_PJSIP_SIP_AUTH_H
#include "pjregc/pjregc.h"
#endif
