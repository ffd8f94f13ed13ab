/* Registration over TCP against the test registrar's TCP listener:
 * register/refresh/unregister, Via and transport objects, one connection
 * shared by several registrations, connect refused (503, asynchronous),
 * Timer F with exactly one transmission, a connection dropped by the
 * server, broken framing from one server leaving another untouched,
 * keep-alives both ways, transport selectors, Via overrides, a published
 * address, and IPv6 loopback when the machine has it. */
/* REGC_OWN_TRANSPORTS: starts the transports it tests itself, so it is not
 * run again per $REGC_TRANSPORT. */
#include "regc_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static pjsip_tpfactory *tcp_listener(const char *ip, const pjsip_host_port *a_name)
{
    pjsip_tpfactory *fac = NULL;
    pj_sockaddr_in local;
    pj_str_t host = pj_str((char *)ip);
    pj_sockaddr_in_init(&local, &host, 0);
    CHECK_INT(pjsip_tcp_transport_start2(H.endpt, &local, a_name, 1, &fac), PJ_SUCCESS);
    return fac;
}

/* h_setup plus a TCP listener on 127.0.0.1 and a registrar with TCP. */
static pjsip_tpfactory *setup_tcp(const char *json, const char *const *args)
{
    static const char *const tcp_only[] = {"--tcp", NULL};
    h_setup(NULL);
    pjsip_tpfactory *fac = tcp_listener("127.0.0.1", NULL);
    H.reg = registrar_start_args(json, args ? args : tcp_only);
    if (!H.reg) {
        fprintf(stderr, "registrar did not start\n");
        exit(2);
    }
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tcp", registrar_tcp_port(H.reg));
    return fac;
}

static pjsip_regc *regc_to(const char *server, unsigned expires)
{
    char saved[sizeof(H.server)];
    snprintf(saved, sizeof(saved), "%s", H.server);
    snprintf(H.server, sizeof(H.server), "%s", server);
    pjsip_regc *regc = h_regc(expires);
    snprintf(H.server, sizeof(H.server), "%s", saved);
    return regc;
}

/* The port after the last ':' of "ip:port". */
static int port_of(const char *hostport)
{
    const char *c = hostport ? strrchr(hostport, ':') : NULL;
    return c ? atoi(c + 1) : -1;
}

static pjsip_transport *rdata_tp;
static void grab_rdata_transport(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    rdata_tp = param->rdata ? param->rdata->tp_info.transport : NULL;
}

static void test_register_refresh_unregister(void)
{
    pjsip_tpfactory *fac = setup_tcp("{}", NULL);
    CHECK_STR(fac->type_name, "TCP");
    CHECK_INT(fac->type, PJSIP_TRANSPORT_TCP);
    CHECK_INT(fac->flag, PJSIP_TRANSPORT_RELIABLE);
    CHECK(fac->addr_name.port > 0);
    H.hook = grab_rdata_transport;
    pjsip_regc *regc = h_regc(2); /* granted 2 s: refresh 1 s later */
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(H.rec[0].has_rdata, 1);
    CHECK_STR(registrar_transport(H.reg, 0), "TCP");
    pjsip_transport *tp = H.rec[0].info.transport;
    CHECK(tp != NULL);
    CHECK(rdata_tp == tp);
    if (tp) {
        CHECK(PJSIP_TRANSPORT_IS_RELIABLE(tp));
        CHECK(!PJSIP_TRANSPORT_IS_SECURE(tp));
        CHECK_STR(tp->type_name, "TCP");
        CHECK_INT(tp->key.type, PJSIP_TRANSPORT_TCP);
        CHECK_INT(tp->dir, PJSIP_TP_DIR_OUTGOING);
        CHECK(tp->factory == fac);
        CHECK_INT(tp->remote_name.port, registrar_tcp_port(H.reg));
    }
    /* Via: TCP, sent-by = the connection's own address, ;rport and ;alias. */
    const char *via = registrar_header(H.reg, 0, "Via", 0);
    char want[80];
    snprintf(want, sizeof(want), "SIP/2.0/TCP %s;", registrar_source(H.reg, 0));
    CHECK(via && strncmp(via, want, strlen(want)) == 0);
    CHECK_STR(registrar_header_param(H.reg, 0, "Via", 0, "alias"), "");
    CHECK_STR(registrar_header_param(H.reg, 0, "Via", 0, "rport"), "");
    if (tp)
        CHECK_INT(tp->local_name.port, port_of(registrar_source(H.reg, 0)));
    /* The refresh goes over the same connection. */
    CHECK(h_wait_callbacks(2, 3000));
    CHECK_INT(H.rec[1].code, 200);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_source(H.reg, 1), registrar_source(H.reg, 0));
    CHECK(H.rec[1].info.transport == tp);
    /* Unregistration too. */
    CHECK_INT(h_unregister(regc), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 3000));
    CHECK_INT(H.rec[2].code, 200);
    CHECK_INT(H.rec[2].is_unreg, 1);
    CHECK_STR(registrar_source(H.reg, 2), registrar_source(H.reg, 0));
    CHECK_STR(registrar_header(H.reg, 2, "Expires", 0), "0");
    H.hook = NULL;
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_connection_reuse(void)
{
    setup_tcp("{}", NULL);
    pjsip_regc *r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = h_regc(60);
        CHECK_INT(h_register(r[i], PJ_FALSE), PJ_SUCCESS);
    }
    CHECK(h_wait_callbacks(3, 3000));
    CHECK_INT(registrar_count(H.reg), 3);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(H.rec[i].code, 200);
        CHECK(H.rec[i].info.transport == H.rec[0].info.transport);
        CHECK_STR(registrar_source(H.reg, i), registrar_source(H.reg, 0));
    }
    /* A new registration later still finds the connection. */
    pjsip_regc *late = h_regc(60);
    CHECK_INT(h_register(late, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(4, 3000));
    CHECK_STR(registrar_source(H.reg, 3), registrar_source(H.reg, 0));
    for (int i = 0; i < 3; i++)
        pjsip_regc_destroy(r[i]);
    pjsip_regc_destroy(late);
    h_teardown();
}

/* A TCP port where nothing listens: bind port 0, read it, close. */
static int dead_tcp_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int port = -1, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void test_connect_refused(void)
{
    h_setup(NULL);
    tcp_listener("127.0.0.1", NULL);
    char srv[64];
    snprintf(srv, sizeof(srv), "sip:127.0.0.1:%d;transport=tcp", dead_tcp_port());
    pjsip_regc *regc = regc_to(srv, 300);
    /* send succeeds; the failure comes from the event loop */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK_INT(H.count, 0);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 503);
    CHECK_STR(H.rec[0].reason, "Connection refused");
    CHECK_INT(H.rec[0].has_rdata, 0);
    CHECK_INT(H.rec[0].expiration, 300);
    CHECK_INT(H.rec[0].info.is_busy, 1); /* inside the callback */
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.is_busy, 0);
    /* The regc is usable again: a second try fails the same way. */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 3000));
    CHECK_INT(H.rec[1].code, 503);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_timeout_one_transmission(void)
{
    setup_tcp("{\"default\":{\"drop\":true}}", NULL);
    h_fast_timers(100, 400, 600);
    pjsip_regc *regc = h_regc(120);
    double start = h_now_ms();
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    double took = H.rec[0].at_ms - start;
    CHECK(took >= 550 && took < 1100);
    CHECK_INT(H.rec[0].code, 408);
    CHECK_STR(H.rec[0].reason, "Request Timeout");
    CHECK_INT(H.rec[0].expiration, 120);
    h_poll(300);
    /* Reliable transport: no retransmission (Timer E off). */
    CHECK_INT(registrar_count(H.reg), 1);
    h_fast_timers(500, 4000, 32000);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_server_drops_connection(void)
{
    setup_tcp("{\"script\":[{\"code\":200,\"close\":true}]}", NULL);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 200);
    pjsip_transport *first = H.rec[0].info.transport;
    h_poll(200); /* the close arrives */
    /* The next registration opens a new connection and succeeds. */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 3000));
    CHECK_INT(H.rec[1].code, 200);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK(strcmp(registrar_source(H.reg, 0), registrar_source(H.reg, 1)) != 0);
    CHECK(H.rec[1].info.transport != NULL);
    CHECK(H.rec[1].info.transport != first);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_bad_framing_is_contained(void)
{
    /* Server A answers without Content-Length, then with an oversized
     * one; server B answers normally over its own connection. */
    setup_tcp("{\"script\":[{\"raw\":\"SIP/2.0 200 OK\\r\\nVia: {via}\\r\\nFrom: {from}\\r\\nTo: {to};tag=x\\r\\n"
              "Call-ID: {call_id}\\r\\nCSeq: {cseq}\\r\\n\\r\\n\"},"
              "{\"raw\":\"SIP/2.0 200 OK\\r\\nVia: {via}\\r\\nCSeq: {cseq}\\r\\nContent-Length: 900000\\r\\n\\r\\n\"}]}",
              NULL);
    const char *tcp_only[] = {"--tcp", NULL};
    registrar *b = registrar_start_args("{}", tcp_only);
    char srv_b[64];
    snprintf(srv_b, sizeof(srv_b), "sip:127.0.0.1:%d;transport=tcp", registrar_tcp_port(b));
    pjsip_regc *good = regc_to(srv_b, 60);
    pjsip_regc *bad = h_regc(60);
    CHECK_INT(h_register(good, PJ_FALSE), PJ_SUCCESS);
    CHECK_INT(h_register(bad, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 3000));
    int good_i = H.rec[0].code == 200 ? 0 : 1;
    CHECK_INT(H.rec[good_i].code, 200);
    CHECK_INT(H.rec[1 - good_i].code, 503);
    CHECK_STR(H.rec[1 - good_i].reason, "Missing required header(s) (PJSIP_EMISSINGHDR)");
    /* The second bad answer breaks a new connection the same way. */
    CHECK_INT(h_register(bad, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 3000));
    CHECK_INT(H.rec[2].code, 503);
    CHECK_STR(H.rec[2].reason, "Message too long (PJSIP_EMSGTOOLONG)");
    /* The good connection was not touched: a refresh reuses it. */
    CHECK_INT(h_register(good, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(4, 3000));
    CHECK_INT(H.rec[3].code, 200);
    CHECK_INT(registrar_count(b), 2);
    CHECK_STR(registrar_source(b, 1), registrar_source(b, 0));
    pjsip_regc_destroy(good);
    pjsip_regc_destroy(bad);
    registrar_stop(b);
    h_teardown();
}

/* Index of the first logged record whose bytes are exactly `ka`, or -1. */
static int find_keepalive(registrar *r, const char *ka, int from)
{
    int n = registrar_count(r);
    for (int i = from; i < n; i++)
        if (registrar_request_len(r, i) == (int)strlen(ka) && memcmp(registrar_request(r, i), ka, strlen(ka)) == 0)
            return i;
    return -1;
}

static void test_keepalives(void)
{
    setup_tcp("{\"log_keepalive\":true,\"script\":[{\"code\":200,\"ping\":true}]}", NULL);
    pjsip_cfg()->tcp.keep_alive_interval = 1;
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 200);
    /* The server's ping right after the 200 is answered with one CRLF. */
    h_poll(300);
    int pong = find_keepalive(H.reg, "\r\n", 1);
    CHECK(pong > 0);
    if (pong > 0)
        CHECK_STR(registrar_source(H.reg, pong), registrar_source(H.reg, 0));
    /* With nothing else to send, a ping goes out each second. */
    h_poll(2300);
    int ping = find_keepalive(H.reg, "\r\n\r\n", 1);
    CHECK(ping > 0);
    if (ping > 0) {
        CHECK_STR(registrar_source(H.reg, ping), registrar_source(H.reg, 0));
        CHECK(find_keepalive(H.reg, "\r\n\r\n", ping + 1) > ping);
    }
    pjsip_cfg()->tcp.keep_alive_interval = 90;
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_selectors_and_release(void)
{
    setup_tcp("{}", NULL);
    /* A second listener on another loopback address. */
    pjsip_tpfactory *second = tcp_listener("127.0.0.2", NULL);
    pjsip_regc *regc = h_regc(60);
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    sel.type = PJSIP_TPSELECTOR_LISTENER;
    sel.u.listener = second;
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK(strncmp(registrar_source(H.reg, 0), "127.0.0.2:", 10) == 0);
    pjsip_transport *tp = H.rec[0].info.transport;
    CHECK(tp && tp->factory == second);
    /* A TRANSPORT selector pins that very connection. */
    memset(&sel, 0, sizeof(sel));
    sel.type = PJSIP_TPSELECTOR_TRANSPORT;
    sel.u.transport = tp;
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 3000));
    CHECK_STR(registrar_source(H.reg, 1), registrar_source(H.reg, 0));
    /* Without reuse, every request opens its own connection. */
    memset(&sel, 0, sizeof(sel));
    sel.disable_connection_reuse = PJ_TRUE;
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 3000));
    CHECK_INT(H.rec[2].code, 200);
    CHECK(strcmp(registrar_source(H.reg, 2), registrar_source(H.reg, 0)) != 0);
    CHECK(strncmp(registrar_source(H.reg, 2), "127.0.0.1:", 10) == 0);
    /* release_transport drops the regc's hold on its last transport. */
    pjsip_regc_info info;
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK(info.transport != NULL);
    CHECK_INT(pjsip_regc_release_transport(regc), PJ_SUCCESS);
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK(info.transport == NULL);
    /* A UDP transport does not suit a ;transport=tcp destination. */
    memset(&sel, 0, sizeof(sel));
    sel.type = PJSIP_TPSELECTOR_TRANSPORT;
    sel.u.transport = H.tp;
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJSIP_ETPNOTSUITABLE);
    CHECK_INT(H.count, 4);
    CHECK_INT(H.rec[3].code, 503);
    /* That transaction had no transport, and it is now the last one. */
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK(info.transport == NULL);
    /* An application reference keeps a connection object usable. */
    CHECK_INT(pjsip_transport_add_ref(tp), PJ_SUCCESS);
    CHECK_STR(tp->type_name, "TCP");
    CHECK_INT(pjsip_transport_dec_ref(tp), PJ_SUCCESS);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_via_sent_by_and_published_name(void)
{
    h_setup(NULL);
    pjsip_host_port a_name;
    a_name.host = pj_str("sip.example.org");
    a_name.port = 5080;
    pjsip_tpfactory *fac = tcp_listener("127.0.0.1", &a_name);
    CHECK_INT(fac->addr_name.port, 5080);
    CHECK(fac->addr_name.host.slen == 15 && memcmp(fac->addr_name.host.ptr, "sip.example.org", 15) == 0);
    const char *tcp_only[] = {"--tcp", NULL};
    H.reg = registrar_start_args("{}", tcp_only);
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tcp", registrar_tcp_port(H.reg));
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    /* A published listener address is the Via sent-by of its connections. */
    CHECK(strncmp(registrar_header(H.reg, 0, "Via", 0), "SIP/2.0/TCP sip.example.org:5080;", 33) == 0);
    /* An override tied to another transport (UDP) leaves TCP alone ... */
    pjsip_host_port via;
    via.host = pj_str("override.example");
    via.port = 7000;
    CHECK_INT(pjsip_regc_set_via_sent_by(regc, &via, H.tp), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 3000));
    CHECK(strncmp(registrar_header(H.reg, 1, "Via", 0), "SIP/2.0/TCP sip.example.org:5080;", 33) == 0);
    /* ... one tied to the connection, or to none, applies. */
    CHECK_INT(pjsip_regc_set_via_sent_by(regc, &via, H.rec[0].info.transport), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 3000));
    CHECK(strncmp(registrar_header(H.reg, 2, "Via", 0), "SIP/2.0/TCP override.example:7000;", 34) == 0);
    CHECK_INT(pjsip_regc_set_via_sent_by(regc, &via, NULL), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(4, 3000));
    CHECK(strncmp(registrar_header(H.reg, 3, "Via", 0), "SIP/2.0/TCP override.example:7000;", 34) == 0);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_ipv6(void)
{
    if (!h_have_ipv6_loopback()) {
        printf("test_tcp: no IPv6 loopback, IPv6 scenario skipped\n");
        return;
    }
    h_setup(NULL);
    pjsip_tcp_transport_cfg cfg;
    pjsip_tcp_transport_cfg_default(&cfg, pj_AF_INET6());
    CHECK_INT(cfg.af, pj_AF_INET6());
    CHECK_INT(cfg.async_cnt, 1);
    CHECK_INT(cfg.reuse_addr, 1);
    pj_str_t lo6 = pj_str("::1");
    CHECK_INT(pj_sockaddr_init(pj_AF_INET6(), &cfg.bind_addr, &lo6, 0), PJ_SUCCESS);
    pjsip_tpfactory *fac = NULL;
    CHECK_INT(pjsip_tcp_transport_start3(H.endpt, &cfg, &fac), PJ_SUCCESS);
    CHECK(fac && fac->type == PJSIP_TRANSPORT_TCP6);
    const char *args[] = {"--ipv6", NULL};
    H.reg = registrar_start_args("{}", args);
    snprintf(H.server, sizeof(H.server), "sip:[::1]:%d;transport=tcp", registrar_tcp6_port(H.reg));
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK(strncmp(registrar_source(H.reg, 0), "::1:", 4) == 0);
    CHECK(strncmp(registrar_header(H.reg, 0, "Via", 0), "SIP/2.0/TCP [::1]:", 18) == 0);
    if (H.rec[0].info.transport)
        CHECK_INT(H.rec[0].info.transport->key.type, PJSIP_TRANSPORT_TCP6);
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_register_refresh_unregister();
    test_connection_reuse();
    test_connect_refused();
    test_timeout_one_transmission();
    test_server_drops_connection();
    test_bad_framing_is_contained();
    test_keepalives();
    test_selectors_and_release();
    test_via_sent_by_and_published_name();
    test_ipv6();
    return h_summary("test_tcp");
}
