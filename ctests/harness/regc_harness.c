/* Implementation of regc_harness.h. */
#define _POSIX_C_SOURCE 200809L
#define REGC_HARNESS_IMPL /* h_register/h_unregister are the functions here */
#include "regc_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

harness H;
const char *const *h_registrar_args;
int h_checks, h_failures;
static struct timespec t0;
static int setup_no; /* h_setup calls so far; traced as "setup <n>" */
/* Callbacks run synchronously inside h_register/h_unregister (same thread),
 * traced as "inside=<n>" (robust against a second polling thread). */
static volatile int in_send;
static pthread_t send_thread;
static volatile int inside_cbs;

/* ------------------------------------------------------------ trace */

static FILE *trace_file;
static int trace_state; /* 0 not looked at, 1 open, -1 off */

static FILE *trace_fp(void)
{
    if (trace_state == 0) {
        const char *path = getenv("REGC_TRACE");
        trace_state = -1;
        if (path && *path) {
            trace_file = fopen(path, "w");
            if (trace_file)
                trace_state = 1;
            else
                perror("regc_harness: REGC_TRACE");
        }
    }
    return trace_state == 1 ? trace_file : NULL;
}

void h_trace(const char *fmt, ...)
{
    FILE *f = trace_fp();
    char buf[4096];
    va_list ap;
    if (!f)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    /* one fputs per line: lines from two threads never interleave */
    strcat(buf, "\n");
    fputs(buf, f);
    fflush(f);
}

/* C-style quoting so that a traced value stays on one line. */
static void quote(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    if (!s) {
        snprintf(out, cap, "(null)");
        return;
    }
    out[o++] = '"';
    for (; *s && o + 6 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

void h_trace_int(const char *file, int line, const char *expr, long long actual, int ok,
                 long long expected)
{
    if (!trace_fp())
        return;
    if (ok)
        h_trace("%s:%d %s = %lld\t[ok]", file, line, expr, actual);
    else
        h_trace("%s:%d %s = %lld\t[FAIL expected=%lld]", file, line, expr, actual, expected);
}

void h_trace_str(const char *file, int line, const char *expr, const char *actual, int ok,
                 const char *expected)
{
    char a[600], e[600];
    if (!trace_fp())
        return;
    quote(a, sizeof(a), actual);
    quote(e, sizeof(e), expected);
    if (ok)
        h_trace("%s:%d %s = %s\t[ok]", file, line, expr, a);
    else
        h_trace("%s:%d %s = %s\t[FAIL expected=%s]", file, line, expr, a, e);
}

static void trace_pjstr(char *out, size_t cap, const pj_str_t *s)
{
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%.*s", s->ptr ? (int)s->slen : 0, s->ptr ? s->ptr : "");
    quote(out, cap, tmp);
}

static void trace_callback(int idx, const cb_record *r, const struct pjsip_regc_cbparam *param)
{
    char buf[3500], q[300], su[300], cu[300];
    size_t o = 0;
    if (!trace_fp())
        return;
    quote(q, sizeof(q), r->reason);
    o += (size_t)snprintf(buf + o, sizeof(buf) - o,
                          "cb setup=%d idx=%d status=%d code=%d reason=%s has_rdata=%d "
                          "expiration=%u contact_cnt=%d",
                          setup_no, idx, r->status, r->code, q, r->has_rdata, r->expiration,
                          r->contact_cnt);
    for (int i = 0; i < r->contact_cnt && i < 10 && o < sizeof(buf); i++) {
        quote(q, sizeof(q), r->contact_uri[i]);
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, " contact%d=%s contact%d.expires=%u", i,
                              q, i, r->contact_expires[i]);
    }
    trace_pjstr(su, sizeof(su), &r->info.server_uri);
    trace_pjstr(cu, sizeof(cu), &r->info.client_uri);
    if (o < sizeof(buf))
        snprintf(buf + o, sizeof(buf) - o,
                 " is_unreg=%d info.server_uri=%s info.client_uri=%s info.is_busy=%d "
                 "info.auto_reg=%d info.interval=%u info.next_reg=%u info.transport=%s "
                 "token_ok=%d t_ms=%.0f",
                 r->is_unreg, su, cu, r->info.is_busy, r->info.auto_reg, r->info.interval,
                 r->info.next_reg, r->info.transport ? "set" : "null", param->token == &H,
                 r->at_ms);
    h_trace("%s", buf);
}

/* A free UDP port on 127.0.0.1: bind port 0, read it back, close. The
 * transport is then started on that port, so the harness never reads
 * pjsip_transport fields (their layout differs between pjsip versions). */
static int free_udp_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int port = -1, fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

double h_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0.tv_sec) * 1000.0 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
}

static void on_reg(struct pjsip_regc_cbparam *param)
{
    if (in_send && pthread_equal(pthread_self(), send_thread))
        inside_cbs++;
    if (H.count < MAX_RECORDED) {
        cb_record *r = &H.rec[H.count];
        memset(r, 0, sizeof(*r));
        r->status = param->status;
        r->code = param->code;
        snprintf(r->reason, sizeof(r->reason), "%.*s", (int)param->reason.slen, param->reason.ptr);
        r->has_rdata = param->rdata != NULL;
        r->expiration = param->expiration;
        r->contact_cnt = param->contact_cnt;
        for (int i = 0; i < param->contact_cnt && i < 10; i++) {
            pjsip_contact_hdr *c = param->contact[i];
            r->contact_expires[i] = c->expires;
            int n = pjsip_uri_print(PJSIP_URI_IN_CONTACT_HDR, c->uri, r->contact_uri[i],
                                    sizeof(r->contact_uri[i]) - 1);
            r->contact_uri[i][n > 0 ? n : 0] = '\0';
        }
        r->is_unreg = param->is_unreg;
        pjsip_regc_get_info(param->regc, &r->info);
        r->at_ms = h_now_ms();
        trace_callback(H.count, r, param);
    } else {
        h_trace("cb setup=%d idx=%d (not recorded: MAX_RECORDED) status=%d code=%d", setup_no,
                H.count, param->status, param->code);
    }
    H.count++;
    if (H.hook)
        H.hook(&H, param);
}

static struct {
    const char *file, *func;
    int line;
} setup_site = {"?", "?", 0};

void h_setup_at(const char *file, int line, const char *func, const char *registrar_json)
{
    setup_site.file = file;
    setup_site.line = line;
    setup_site.func = func;
    h_setup(registrar_json);
    setup_site.file = setup_site.func = "?";
    setup_site.line = 0;
}

void h_setup(const char *registrar_json)
{
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(&H, 0, sizeof(H));
    pj_init();
    pjlib_util_init();
    pj_log_set_level(1);
    pj_caching_pool_init(&H.cp, &pj_pool_factory_default_policy, 0);
    if (pjsip_endpt_create(&H.cp.factory, NULL, &H.endpt) != PJ_SUCCESS) {
        fprintf(stderr, "pjsip_endpt_create failed\n");
        exit(2);
    }
    pjsip_tsx_layer_init_module(H.endpt);
    pjsip_ua_init_module(H.endpt, NULL);
    /* The port is chosen here (a free one, found by binding port 0) rather
     * than read back from H.tp->local_name: pjsip_transport's layout before
     * local_name differs between pjsip versions (2.16 added has_addr_name),
     * so a program built against our headers must not read it. Another
     * process may take the port between our probe and the start: retry. */
    pj_status_t st = PJ_EINVAL;
    for (int attempt = 0; attempt < 20 && st != PJ_SUCCESS; attempt++) {
        pj_sockaddr_in local;
        pj_str_t lo = pj_str("127.0.0.1");
        int port = free_udp_port();
        if (port <= 0)
            continue;
        pj_sockaddr_in_init(&local, &lo, (pj_uint16_t)port);
        st = pjsip_udp_transport_start(H.endpt, &local, NULL, 1, &H.tp);
        if (st == PJ_SUCCESS)
            H.port = port;
    }
    if (st != PJ_SUCCESS) {
        fprintf(stderr, "pjsip_udp_transport_start failed\n");
        exit(2);
    }
    snprintf(H.contact, sizeof(H.contact), "<sip:alice@127.0.0.1:%d>", H.port);
    if (registrar_json) {
        H.reg = h_registrar_args ? registrar_start_args(registrar_json, h_registrar_args)
                                 : registrar_start(registrar_json);
        if (!H.reg) {
            fprintf(stderr, "registrar did not start\n");
            exit(2);
        }
        snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d", registrar_port(H.reg));
    }
    setup_no++;
    h_trace("setup %d site=%s:%d func=%s port=%d registrar_port=%d registrar_tcp_port=%d recv_log=%s sent_log=%s",
            setup_no, setup_site.file, setup_site.line, setup_site.func, H.port,
            H.reg ? registrar_port(H.reg) : 0, H.reg ? registrar_tcp_port(H.reg) : 0,
            H.reg && registrar_log_path(H.reg) ? registrar_log_path(H.reg) : "-",
            H.reg && registrar_sent_log_path(H.reg) ? registrar_sent_log_path(H.reg) : "-");
}

void h_teardown(void)
{
    h_trace("teardown %d callbacks=%d t_ms=%.1f", setup_no, H.count, h_now_ms());
    pjsip_endpt_destroy(H.endpt);
    pj_caching_pool_destroy(&H.cp);
    pj_shutdown();
    registrar_stop(H.reg);
    H.reg = NULL;
}

pjsip_regc *h_regc(unsigned expires)
{
    pjsip_regc *regc = NULL;
    pj_str_t srv = pj_str(H.server), aor = pj_str("<sip:alice@example.com>");
    pj_str_t contact = pj_str(H.contact);
    if (pjsip_regc_create(H.endpt, &H, &on_reg, &regc) != PJ_SUCCESS)
        return NULL;
    if (pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, expires) != PJ_SUCCESS)
        return NULL;
    return regc;
}

int h_wait_callbacks(int n, int max_ms)
{
    pj_time_val tick = {0, 10};
    double end = h_now_ms() + max_ms;
    while (H.count < n && h_now_ms() < end)
        pjsip_endpt_handle_events(H.endpt, &tick);
    return H.count >= n;
}

void h_poll(int ms)
{
    pj_time_val tick = {0, 10};
    double end = h_now_ms() + ms;
    while (h_now_ms() < end)
        pjsip_endpt_handle_events(H.endpt, &tick);
}

pj_status_t h_register(pjsip_regc *regc, pj_bool_t autoreg)
{
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = pjsip_regc_register(regc, autoreg, &tdata);
    if (st != PJ_SUCCESS)
        return st;
    return pjsip_regc_send(regc, tdata);
}

pj_status_t h_unregister(pjsip_regc *regc)
{
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = pjsip_regc_unregister(regc, &tdata);
    if (st != PJ_SUCCESS)
        return st;
    return pjsip_regc_send(regc, tdata);
}

pj_status_t h_register_at(const char *file, int line, pjsip_regc *regc, pj_bool_t autoreg)
{
    double t = h_now_ms();
    pj_status_t st;
    send_thread = pthread_self();
    inside_cbs = 0;
    in_send = 1;
    st = h_register(regc, autoreg);
    in_send = 0;
    h_trace("%s:%d h_register(autoreg=%d) status=%d inside=%d t_ms=%.1f", file, line,
            (int)autoreg, st, inside_cbs, t);
    return st;
}

pj_status_t h_unregister_at(const char *file, int line, pjsip_regc *regc)
{
    double t = h_now_ms();
    pj_status_t st;
    send_thread = pthread_self();
    inside_cbs = 0;
    in_send = 1;
    st = h_unregister(regc);
    in_send = 0;
    h_trace("%s:%d h_unregister status=%d inside=%d t_ms=%.1f", file, line, st, inside_cbs, t);
    return st;
}

void h_fast_timers(unsigned t1, unsigned t2, unsigned td)
{
    /* pjsip_tsx_set_timers, not a write to pjsip_cfg(): Timer F is cached
     * when the transaction layer starts and only this call updates it. */
    pjsip_tsx_set_timers(t1, t2, 0, td);
}

int h_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, h_checks - h_failures, h_failures);
    h_trace("summary %s checks=%d failures=%d", name, h_checks, h_failures);
    return h_failures ? 1 : 0;
}

int h_have_ipv6_loopback(void)
{
    struct sockaddr_in6 a;
    int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}
