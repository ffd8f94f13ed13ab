/* Implementation of regc_harness.h. */
#define _POSIX_C_SOURCE 200809L
#define REGC_HARNESS_IMPL /* h_register/h_unregister are the functions here */
#include "regc_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
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

/* A port free for UDP (and for TCP when `tcp`) on the loopback address of
 * `af`: bind port 0, read it back, close. The transports are then started on
 * that port, so the harness never reads pjsip_transport fields (their layout
 * differs between pjsip versions). */
static int free_port(int af, int tcp)
{
    struct sockaddr_storage ss;
    socklen_t len = af == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int port = -1, fd = socket(af, SOCK_DGRAM, 0), fd2 = -1;
    if (fd < 0)
        return -1;
    memset(&ss, 0, sizeof(ss));
    if (af == AF_INET6) {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
    } else {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        port = ntohs(af == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                    : ((struct sockaddr_in *)&ss)->sin_port);
        if (tcp) {
            fd2 = socket(af, SOCK_STREAM, 0);
            if (fd2 < 0 || bind(fd2, (struct sockaddr *)&ss, len) != 0)
                port = -1;
        }
    }
    close(fd);
    if (fd2 >= 0)
        close(fd2);
    return port;
}

/* ------------------------------------------------------------ PKI */

static char pki_dir[64];
static int pki_state; /* 0 not tried, 1 made, -1 failed */

static int pki_sh(const char *cmd)
{
    char full[1024];
    snprintf(full, sizeof(full), "cd '%s' && { %s; } >/dev/null 2>&1", pki_dir, cmd);
    return system(full) == 0;
}

static void pki_remove(void)
{
    char cmd[128];
    if (getenv("REGC_KEEP_PKI")) { /* for debugging: keep the files */
        fprintf(stderr, "regc_harness: PKI kept in %s\n", pki_dir);
        return;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "regc_harness: could not remove %s\n", pki_dir);
}

#define EC "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"

static int pki_make(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(pki_dir, sizeof(pki_dir), "%.40s/regc-pki-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(pki_dir))
        return 0;
    atexit(pki_remove);
    return pki_sh("command -v openssl") &&
           pki_sh("openssl req -x509 " EC " -keyout ca.key -out ca.pem -days 1 -subj '/CN=regc test CA'") &&
           pki_sh("openssl req -x509 " EC " -keyout ca2.key -out ca2.pem -days 1 -subj '/CN=other CA'") &&
           pki_sh("printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\\n' > srv.ext") &&
           pki_sh("openssl req " EC " -keyout srv.key -out srv.csr -subj '/CN=localhost'") &&
           pki_sh("openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem "
                  "-days 1 -extfile srv.ext") &&
           pki_sh("printf 'subjectAltName=DNS:other.example\\n' > other.ext") &&
           pki_sh("openssl req " EC " -keyout other.key -out other.csr -subj '/CN=other.example'") &&
           pki_sh("openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out other.pem "
                  "-days 1 -extfile other.ext") &&
           pki_sh("printf 'extendedKeyUsage=clientAuth\\n' > cli.ext") &&
           pki_sh("openssl req " EC " -keyout cli.key -out cli.csr -subj '/CN=alice'") &&
           pki_sh("openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem "
                  "-days 1 -extfile cli.ext") &&
           pki_sh("openssl pkcs8 -topk8 -v2 aes256 -in cli.key -out cli-enc.key -passout pass:secret");
}

const char *h_pki(const char *name)
{
    static char paths[16][128];
    static int next;
    char *p;
    if (pki_state == 0)
        pki_state = pki_make() ? 1 : -1;
    if (pki_state < 0)
        return NULL;
    p = paths[next++ % 16];
    snprintf(p, sizeof(paths[0]), "%s/%s", pki_dir, name);
    return p;
}

/* ------------------------------------------------------------ transports */

/* $REGC_TRANSPORT, parsed once; h_setup copies it into H. */
static struct {
    int parsed, reliable, ipv6;
    const char *tp_name, *tp_lower, *tp_param, *host;
} chosen;

static void pick_transport(void)
{
    static const struct {
        const char *env, *name, *lower, *param;
    } kinds[] = {{"udp", "UDP", "udp", ""}, {"tcp", "TCP", "tcp", ";transport=tcp"},
                 {"tls", "TLS", "tls", ";transport=tls"}};
    const char *v = getenv("REGC_TRANSPORT");
    size_t n;
    int k;
    if (chosen.parsed)
        return;
    chosen.parsed = 1;
    if (!v || !*v)
        v = "udp";
    n = strlen(v);
    for (k = 0; k < 3; k++)
        if (strncmp(v, kinds[k].env, 3) == 0 && (n == 3 || (n == 4 && v[3] == '6')))
            break;
    if (k == 3) {
        fprintf(stderr, "REGC_TRANSPORT=%s: expected udp, tcp, tls, udp6, tcp6 or tls6\n", v);
        exit(2);
    }
    chosen.tp_name = kinds[k].name;
    chosen.tp_lower = kinds[k].lower;
    chosen.tp_param = kinds[k].param;
    chosen.reliable = k != 0;
    chosen.ipv6 = n == 4;
    chosen.host = chosen.ipv6 ? "[::1]" : "127.0.0.1";
    if (chosen.ipv6 && !h_have_ipv6_loopback()) {
        fprintf(stderr, "regc_harness: no IPv6 loopback here, REGC_TRANSPORT=%s cannot run\n", v);
        exit(2);
    }
    if (k == 2 && !h_pki("ca.pem")) {
        fprintf(stderr, "regc_harness: REGC_TRANSPORT=%s needs the openssl command\n", v);
        exit(2);
    }
}

int h_reliable(void)
{
    pick_transport();
    return chosen.reliable;
}

/* UDP, and the TCP or TLS listener, on `port` of the loopback address. */
static pj_status_t start_transports(int port)
{
    pj_str_t lo = pj_str(H.ipv6 ? "::1" : "127.0.0.1");
    pj_sockaddr local;
    pj_status_t st;
    pj_sockaddr_init(H.ipv6 ? pj_AF_INET6() : pj_AF_INET(), &local, &lo, (pj_uint16_t)port);
    if (H.ipv6)
        st = pjsip_udp_transport_start6(H.endpt, &local.ipv6, NULL, 1, &H.tp);
    else
        st = pjsip_udp_transport_start(H.endpt, &local.ipv4, NULL, 1, &H.tp);
    if (st != PJ_SUCCESS || !H.reliable)
        return st;
    if (strcmp(H.tp_name, "TCP") == 0) {
        pjsip_tcp_transport_cfg cfg;
        pjsip_tcp_transport_cfg_default(&cfg, local.addr.sa_family);
        cfg.bind_addr = local;
        st = pjsip_tcp_transport_start3(H.endpt, &cfg, &H.listener);
    } else {
        pjsip_tls_setting ts;
        pjsip_tls_setting_default(&ts);
        ts.ca_list_file = pj_str((char *)h_pki("ca.pem"));
        ts.verify_server = PJ_TRUE;
        st = pjsip_tls_transport_start2(H.endpt, &ts, &local, NULL, 1, &H.listener);
    }
    if (st != PJ_SUCCESS) { /* the UDP transport is already up on this port */
        fprintf(stderr, "starting the %s listener on port %d failed\n", H.tp_name, port);
        exit(2);
    }
    return st;
}

/* The registrar, with the listener of H's transport. */
static registrar *start_registrar(const char *json)
{
    const char *args[24];
    int n = 0;
    if (strcmp(H.tp_name, "TCP") == 0)
        args[n++] = "--tcp";
    if (strcmp(H.tp_name, "TLS") == 0) {
        args[n++] = "--tls";
        args[n++] = h_pki("srv.pem");
        args[n++] = h_pki("srv.key");
    }
    if (H.ipv6)
        args[n++] = "--ipv6";
    for (int i = 0; h_registrar_args && h_registrar_args[i] && n < 23; i++)
        args[n++] = h_registrar_args[i];
    args[n] = NULL;
    return n ? registrar_start_args(json, args) : registrar_start(json);
}

/* The registrar's port for H's transport. */
static int registrar_port_for_transport(registrar *r)
{
    if (strcmp(H.tp_name, "TCP") == 0)
        return H.ipv6 ? registrar_tcp6_port(r) : registrar_tcp_port(r);
    if (strcmp(H.tp_name, "TLS") == 0)
        return H.ipv6 ? registrar_tls6_port(r) : registrar_tls_port(r);
    return H.ipv6 ? registrar_udp6_port(r) : registrar_port(r);
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
    pj_log_set_level(getenv("REGC_LOG_LEVEL") ? atoi(getenv("REGC_LOG_LEVEL")) : 1);
    pj_caching_pool_init(&H.cp, &pj_pool_factory_default_policy, 0);
    if (pjsip_endpt_create(&H.cp.factory, NULL, &H.endpt) != PJ_SUCCESS) {
        fprintf(stderr, "pjsip_endpt_create failed\n");
        exit(2);
    }
    pjsip_tsx_layer_init_module(H.endpt);
    pjsip_ua_init_module(H.endpt, NULL);
    pick_transport();
    H.reliable = chosen.reliable;
    H.ipv6 = chosen.ipv6;
    H.tp_name = chosen.tp_name;
    H.tp_lower = chosen.tp_lower;
    H.tp_param = chosen.tp_param;
    H.host = chosen.host;
    /* Ports are probed rather than read back from H.tp->local_name: see
     * free_port. Another process may take the port between the probe and
     * the start: retry. */
    pj_status_t st = PJ_EINVAL;
    for (int attempt = 0; attempt < 20 && st != PJ_SUCCESS; attempt++) {
        int port = free_port(H.ipv6 ? AF_INET6 : AF_INET, H.reliable);
        if (port <= 0)
            continue;
        st = start_transports(port);
        if (st == PJ_SUCCESS)
            H.port = port;
    }
    if (st != PJ_SUCCESS) {
        fprintf(stderr, "starting the %s transport failed\n", H.tp_name);
        exit(2);
    }
    snprintf(H.contact, sizeof(H.contact), "<sip:alice@%s:%d%s>", H.host, H.port, H.tp_param);
    if (registrar_json) {
        H.reg = start_registrar(registrar_json);
        if (!H.reg) {
            fprintf(stderr, "registrar did not start\n");
            exit(2);
        }
        snprintf(H.server_hostport, sizeof(H.server_hostport), "%s:%d", H.host,
                 registrar_port_for_transport(H.reg));
        snprintf(H.server, sizeof(H.server), "sip:%s%s", H.server_hostport, H.tp_param);
    }
    /* Times count from here: starting the registrar (a Python process) takes
     * anything from 30 to 300 ms on a loaded machine, which would otherwise
     * move every callback time of a differential run. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    setup_no++;
    h_trace("setup %d site=%s:%d func=%s port=%d registrar_port=%d registrar_tcp_port=%d "
            "server_port=%d recv_log=%s sent_log=%s",
            setup_no, setup_site.file, setup_site.line, setup_site.func, H.port,
            H.reg ? registrar_port(H.reg) : 0, H.reg ? registrar_tcp_port(H.reg) : 0,
            H.reg ? registrar_port_for_transport(H.reg) : 0,
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

pjsip_cred_info h_cred(const char *realm, const char *username, const char *password)
{
    pjsip_cred_info c;
    memset(&c, 0, sizeof(c));
    c.realm = pj_str((char *)realm);
    c.scheme = pj_str("digest");
    c.username = pj_str((char *)username);
    c.data = pj_str((char *)password);
    return c;
}

int h_is_regc_transport(const pjsip_transport *tp)
{
    return H.reliable ? tp != NULL && tp != H.tp : tp == H.tp;
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
