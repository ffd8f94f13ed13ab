/* Helpers shared by the interop scenario programs (kam_scenarios.c,
 * sipp_scenarios.c): reading Kamailio's binding table over its RPC socket
 * (kamcmd ul.lookup), reading what Kamailio logged about each REGISTER it
 * received, and small pjsip conveniences. Uses the pjproject API only. */
#ifndef INTEROP_H
#define INTEROP_H

#include "regc_harness.h"

#define KAM_MAX_BINDINGS 16
#define KAM_MAX_RX 64

/* One binding of an AOR as Kamailio's usrloc reports it. */
typedef struct kam_binding {
    char address[256]; /* Contact URI as stored, e.g. sip:bob@127.0.0.1:5070 */
    int expires;       /* seconds left (-1: "permanent"/unparsed) */
    char callid[256];
    unsigned long cseq;
} kam_binding;

/* One REGISTER as Kamailio logged it (kamailio.cfg.in, "INTEROP ..." lines),
 * plus what the script did with it. */
typedef struct kam_rx {
    unsigned long cseq;
    char proto[8];      /* transport it came over: "udp", "tcp", "tls" */
    char expires[32];   /* Expires header value, "<null>" when absent */
    char contacts[1024];/* all Contact header bodies, comma-joined */
    char auth[1024];    /* Authorization header, "<null>" when absent */
    int auth_rc;        /* auth_check() result when it failed, else 0 */
    int saved;          /* 1: save("location") succeeded; -1: failed */
    int error_reply;    /* the script's sl_reply_error() sent a reply too */
} kam_rx;

/* An environment variable that must be set (exits with status 2 otherwise). */
const char *env_req(const char *name);
int env_int(const char *name, int dflt);

/* Bindings of `aor` (user part, usrloc use_domain=0). Returns the number of
 * bindings, 0 when the AOR is not in the table, -1 when kamcmd failed. */
int kam_lookup(const char *aor, kam_binding *out, int max);
/* Number of AORs in the whole location table (ul.dump), -1 on error. */
int kam_records(void);
/* REGISTERs with this Call-ID that Kamailio logged, oldest first. */
int kam_rx_log(const char *callid, kam_rx *out, int max);
/* Index of the binding whose address equals `uri`, or -1. */
int kam_find(const kam_binding *b, int n, const char *uri);

/* Value of one parameter of a Digest Authorization header value ("" when
 * absent); quotes removed. */
const char *auth_param(const char *auth, const char *name, char *buf, size_t cap);

/* Builds and sends a REGISTER (autoreg as given), remembering the Call-ID of
 * the request in `callid` (cap bytes). */
pj_status_t ir_register(pjsip_regc *regc, pj_bool_t autoreg, char *callid, size_t cap);
/* Same for unregister / unregister_all. */
pj_status_t ir_unregister(pjsip_regc *regc);
pj_status_t ir_unregister_all(pjsip_regc *regc);

/* A regc for `user` at H.server with AOR <sip:user@realm>, the recording
 * callback of the harness, `ccnt` contacts and credentials (realm "*")
 * for `password` (NULL: none). */
pjsip_regc *ir_regc(const char *user, const char *realm, const char *password, int ccnt,
                    const char *const *contacts, unsigned expires);

/* h_setup(NULL), then seeds pjlib's random generator from the time and
 * pid, as pjsua does: pjlib's fallback Call-ID generator and regc's CSeq
 * base come from pj_rand(), so without this every process of a pjproject
 * build without libuuid sends the same Call-ID and CSeq (seen against
 * Kamailio: its usrloc then treats one client's REGISTERs as another's). */
void ir_setup(void);

/* Polls until `n` callbacks were recorded or max_ms passed. */
int ir_wait(int n, int max_ms);

/* The header `name` of a message as text ("" when absent), printed the way
 * pjsip prints it (value only). */
const char *msg_hdr_value(const pjsip_msg *msg, const char *name, char *buf, size_t cap);

/* A difference from pjproject that is known and reported, checked only
 * when INTEROP_STRICT_PJSIP=1 (otherwise printed as a note): `got` should
 * equal `pjsip`, the value real pjproject gives. Returns 1 when equal. */
int ir_pjsip_exact(const char *what, const char *got, const char *pjsip);

#endif
