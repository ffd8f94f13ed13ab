/* pjproject-compatible include path: everything lives in pjregc/pjregc.h. */
#ifndef PJREGC_COMPAT_PJSIP_SIP_TRANSPORT_H
#define PJREGC_COMPAT_PJSIP_SIP_TRANSPORT_H
#include "pjregc/pjregc.h"
#endif
