/* pjproject-compatible include path: everything lives in pjregc/pjregc.h. */
#ifndef PJREGC_COMPAT_PJSIP_UA_SIP_REGC_H
#define PJREGC_COMPAT_PJSIP_UA_SIP_REGC_H
#include "pjregc/pjregc.h"
#endif
