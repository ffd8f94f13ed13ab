/* Shared set-up for the regc scenario programs: an endpoint with a UDP
 * transport on 127.0.0.1, a callback recorder, polling helpers and checks.
 * Uses only the pjproject API, so a scenario builds against pjproject too.
 *
 * $REGC_TRANSPORT moves the scenarios to another transport: udp (default),
 * tcp, tls, or the same with a "6" (udp6, tcp6, tls6) for the IPv6
 * loopback. The endpoint then also listens on TCP or TLS (same port number
 * as its UDP transport), the registrar gets the matching listener and
 * H.server / H.contact carry ";transport=tcp|tls". Over TLS the harness
 * makes a throwaway CA and server certificate (h_pki) and verifies the
 * registrar's certificate. A scenario that starts the transports it tests
 * itself says REGC_OWN_TRANSPORTS in its source and runs once
 * (make ctest-transports and difftest --transport leave it out). */
#ifndef REGC_HARNESS_H
#define REGC_HARNESS_H

#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registrar_client.h"

#define MAX_RECORDED 32

/* One recorded pjsip_regc_cb invocation, copied out of the callback. */
typedef struct cb_record {
    pj_status_t status;
    int code;
    char reason[128];
    int has_rdata;
    unsigned expiration;
    int contact_cnt;
    unsigned contact_expires[10];
    char contact_uri[10][128];
    int is_unreg;
    pjsip_regc_info info; /* get_info from inside the callback */
    double at_ms;
} cb_record;

typedef struct harness {
    pj_caching_pool cp;
    pjsip_endpoint *endpt;
    pjsip_transport *tp; /* the UDP transport */
    int port;            /* its port; the TCP/TLS listener's too */
    /* The transport the scenarios run over (see $REGC_TRANSPORT above). */
    int reliable;               /* TCP or TLS */
    int ipv6;                   /* on ::1 instead of 127.0.0.1 */
    const char *tp_name;        /* "UDP", "TCP" or "TLS" (Via, registrar log) */
    const char *tp_lower;       /* "udp", "tcp" or "tls" */
    const char *tp_param;       /* "", ";transport=tcp" or ";transport=tls" */
    const char *host;           /* "127.0.0.1" or "[::1]", as in a URI */
    pjsip_tpfactory *listener;  /* the TCP/TLS listener; NULL over UDP */
    registrar *reg;
    char server[96];          /* the registrar's URI */
    char server_hostport[64]; /* its host:port, e.g. "[::1]:5060" */
    char contact[96];
    cb_record rec[MAX_RECORDED];
    int count;
    /* Set by a scenario to act inside the callback. */
    void (*hook)(struct harness *h, struct pjsip_regc_cbparam *param);
} harness;

extern harness H;

/* Extra command-line arguments for the registrar h_setup starts (e.g.
 * {"--tcp", NULL}); NULL for none. */
extern const char *const *h_registrar_args;

extern int h_checks, h_failures;

/* Optional trace for the differential test (ctests/difftest): when the
 * environment variable REGC_TRACE names a file, every CHECK / CHECK_INT /
 * CHECK_STR appends one line "<file>:<line> <expression> = <actual value>"
 * followed by a TAB and "[ok]" or "[FAIL expected=<value>]"; every recorded
 * callback, every h_setup/h_teardown and every h_register/h_unregister
 * result is traced too (see regc_harness.c). Pass/fail logic is unchanged. */
void h_trace_int(const char *file, int line, const char *expr, long long actual, int ok,
                 long long expected);
void h_trace_str(const char *file, int line, const char *expr, const char *actual, int ok,
                 const char *expected);
/* printf-style free-form trace line (no-op without REGC_TRACE). */
void h_trace(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        int ok_ = (cond) ? 1 : 0;                                                     \
        h_checks++;                                                                   \
        if (!ok_) {                                                                   \
            h_failures++;                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
        h_trace_int(__FILE__, __LINE__, #cond, ok_, ok_, 1);                          \
    } while (0)

#define CHECK_INT(a, b)                                                                         \
    do {                                                                                        \
        long long a_ = (long long)(a), b_ = (long long)(b);                                     \
        h_checks++;                                                                             \
        if (a_ != b_) {                                                                         \
            h_failures++;                                                                       \
            fprintf(stderr, "%s:%d: %s = %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); \
        }                                                                                       \
        h_trace_int(__FILE__, __LINE__, #a, a_, a_ == b_, b_);                                  \
    } while (0)

#define CHECK_STR(a, b)                                                                        \
    do {                                                                                       \
        const char *a_ = (a), *b_ = (b);                                                       \
        int ok_ = a_ && b_ && strcmp(a_, b_) == 0;                                             \
        h_checks++;                                                                            \
        if (!ok_) {                                                                            \
            h_failures++;                                                                      \
            fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,   \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                   \
        }                                                                                      \
        h_trace_str(__FILE__, __LINE__, #a, a_, ok_, b_);                                      \
    } while (0)

/* Brings up pjlib, an endpoint and a UDP transport (plus the TCP or TLS
 * listener $REGC_TRANSPORT asks for), and starts the test registrar with
 * `registrar_json` (NULL: none). */
void h_setup(const char *registrar_json);
/* Tears everything down; the registrar too. */
void h_teardown(void);
/* A new regc with the recording callback, initialised for H's registrar. */
pjsip_regc *h_regc(unsigned expires);
/* Polls the endpoint until `n` callbacks were recorded or `max_ms` passed. */
int h_wait_callbacks(int n, int max_ms);
/* Polls the endpoint for `ms` milliseconds. */
void h_poll(int ms);
/* Builds a REGISTER and sends it; returns the send status. */
pj_status_t h_register(pjsip_regc *regc, pj_bool_t autoreg);
pj_status_t h_unregister(pjsip_regc *regc);
/* The same, tracing the caller's site and the result (see h_trace). The
 * macros below route every call through them; the functions above stay. */
pj_status_t h_register_at(const char *file, int line, pjsip_regc *regc, pj_bool_t autoreg);
pj_status_t h_unregister_at(const char *file, int line, pjsip_regc *regc);
/* h_setup, tracing the caller (file, line, function) in the "setup" line. */
void h_setup_at(const char *file, int line, const char *func, const char *registrar_json);
#ifndef REGC_HARNESS_IMPL
#define h_setup(registrar_json) h_setup_at(__FILE__, __LINE__, __func__, (registrar_json))
#define h_register(regc, autoreg) h_register_at(__FILE__, __LINE__, (regc), (autoreg))
#define h_unregister(regc) h_unregister_at(__FILE__, __LINE__, (regc))
#endif
/* Milliseconds since h_setup. */
double h_now_ms(void);
/* Sets T1, T2 and TD (Timer F) with pjsip_tsx_set_timers. */
void h_fast_timers(unsigned t1, unsigned t2, unsigned td);
/* A plain-password digest credential (realm "*" matches any realm). The
 * strings must outlive its use. */
pjsip_cred_info h_cred(const char *realm, const char *username, const char *password);
/* Whether $REGC_TRANSPORT names TCP or TLS (usable before h_setup). */
int h_reliable(void);
/* Whether `tp` (e.g. get_info's transport) is what a registration over H's
 * transport uses: the UDP transport itself, or a TCP/TLS connection. */
int h_is_regc_transport(const pjsip_transport *tp);
/* Path of a file of the throwaway PKI, made with the openssl command on
 * first use in a temporary directory removed at exit: ca.pem (the CA),
 * ca2.pem (another CA), srv.pem/srv.key (localhost, 127.0.0.1, ::1, signed
 * by ca), other.pem/other.key (other.example), cli.pem/cli.key (client
 * certificate), cli-enc.key (cli.key encrypted with the password "secret").
 * NULL when the PKI cannot be made. */
const char *h_pki(const char *name);
/* Whether a socket can bind the IPv6 loopback address. */
int h_have_ipv6_loopback(void);
/* Prints the summary line and returns the exit status. */
int h_summary(const char *name);

#endif
