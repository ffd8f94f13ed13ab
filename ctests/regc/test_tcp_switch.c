/* A request of PJSIP_UDP_SIZE_THRESHOLD (1300) bytes or more bound for UDP
 * goes over TCP when the endpoint has a TCP transport (RFC 3261 18.1.1),
 * falling back to UDP when the TCP connection cannot be made; smaller ones,
 * IPv6 destinations and pjsip_cfg()->endpt.disable_tcp_switch keep UDP.
 * Written to compare with pjproject 2.15.1 (no pjsip_transport field is
 * read). */
/* REGC_OWN_TRANSPORTS: starts the transports it tests itself, so it is not
 * run again per $REGC_TRANSPORT. */
#include "regc_harness.h"

/* Endpoint with UDP (and TCP when `tcp`), registrar with `json` whose TCP
 * listener shares its UDP port when `registrar_tcp`. */
static void setup(const char *json, int tcp, int registrar_tcp)
{
    static const char *const same_port[] = {"--tcp-same-port", NULL};
    h_registrar_args = registrar_tcp ? same_port : NULL;
    h_setup(json);
    h_registrar_args = NULL;
    if (tcp) {
        pj_sockaddr_in local;
        pj_str_t host = pj_str("127.0.0.1");
        pj_sockaddr_in_init(&local, &host, 0);
        CHECK_INT(pjsip_tcp_transport_start(H.endpt, &local, 1, NULL), PJ_SUCCESS);
    }
}

/* A regc whose REGISTER carries an X-Pad header of `pad` bytes. */
static pjsip_regc *padded_regc(unsigned expires, int pad)
{
    static char value[4096];
    pjsip_regc *regc = h_regc(expires);
    pj_pool_t *pool = pjsip_regc_get_pool(regc);
    pjsip_hdr hdrs;
    pj_str_t name = pj_str("X-Pad"), v;
    memset(value, 'p', (size_t)pad);
    value[pad] = '\0';
    v = pj_str(value);
    pj_list_init(&hdrs);
    pj_list_push_back(&hdrs, pjsip_generic_string_hdr_create(pool, &name, &v));
    CHECK_INT(pjsip_regc_add_headers(regc, &hdrs), PJ_SUCCESS);
    return regc;
}

static void register_and_wait(pjsip_regc *regc, int n)
{
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(n, 5000));
}

static void test_large_request_goes_over_tcp(void)
{
    setup("{}", 1, 1);
    pjsip_regc *regc = padded_regc(60, 1400);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_count(H.reg), 1);
    CHECK_STR(registrar_transport(H.reg, 0), "TCP");
    const char *via = registrar_header(H.reg, 0, "Via", 0);
    CHECK(via && strncmp(via, "SIP/2.0/TCP ", 12) == 0);
    CHECK(registrar_header_param(H.reg, 0, "Via", 0, "alias") != NULL);
    CHECK(registrar_request_len(H.reg, 0) > 1300);
    /* The Request-URI and Contact are unchanged (no ;transport=tcp). */
    CHECK(strstr(registrar_request_line(H.reg, 0), "transport") == NULL);
    CHECK(h_is_regc_transport(H.rec[0].info.transport) || H.rec[0].info.transport != NULL);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_small_request_stays_udp(void)
{
    setup("{}", 1, 1);
    pjsip_regc *regc = padded_regc(60, 800);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_transport(H.reg, 0), "UDP");
    CHECK(registrar_request_len(H.reg, 0) < 1300);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Nobody listens on TCP at the registrar's port: the request goes over
 * UDP after the refused connection. */
static void test_refused_tcp_falls_back_to_udp(void)
{
    setup("{}", 1, 0);
    pjsip_regc *regc = padded_regc(60, 1400);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_count(H.reg), 1);
    CHECK_STR(registrar_transport(H.reg, 0), "UDP");
    const char *via = registrar_header(H.reg, 0, "Via", 0);
    CHECK(via && strncmp(via, "SIP/2.0/UDP ", 12) == 0);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Without a TCP transport the large request simply goes over UDP. */
static void test_no_tcp_transport(void)
{
    setup("{}", 0, 1);
    pjsip_regc *regc = padded_regc(60, 1400);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_transport(H.reg, 0), "UDP");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_switch_disabled(void)
{
    setup("{}", 1, 1);
    pjsip_cfg()->endpt.disable_tcp_switch = PJ_TRUE;
    pjsip_regc *regc = padded_regc(60, 1400);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_transport(H.reg, 0), "UDP");
    pjsip_cfg()->endpt.disable_tcp_switch = PJ_FALSE;
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* An explicit ;transport=udp in the registrar URI. */
static void test_explicit_udp(void)
{
    setup("{}", 1, 1);
    snprintf(H.server, sizeof(H.server), "sip:%s;transport=udp", H.server_hostport);
    pjsip_regc *regc = padded_regc(60, 1400);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_transport(H.reg, 0), "TCP");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* A selector naming the UDP transport. */
static void test_udp_selected(void)
{
    setup("{}", 1, 1);
    pjsip_regc *regc = padded_regc(60, 1400);
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    sel.type = PJSIP_TPSELECTOR_TRANSPORT;
    sel.u.transport = H.tp;
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_transport(H.reg, 0), "UDP");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* The registrar ignores the request over TCP: is it retransmitted, and
 * when does the transaction end? */
static void test_unanswered_over_tcp(void)
{
    setup("{\"default\":{\"drop\":true}}", 1, 1);
    h_fast_timers(100, 400, 1500);
    pjsip_regc *regc = padded_regc(60, 1400);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 408);
    CHECK_INT(registrar_count(H.reg), 1);
    CHECK_STR(registrar_transport(H.reg, 0), "TCP");
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

/* The threshold applies to the request encoded before its Via names a
 * transport and sent-by: over UDP the last request below it is 1317 bytes
 * on the wire (Via "UDP 127.0.0.1:<5 digits>" adds 18), the first one at it
 * goes over TCP (1318 bytes plus ";alias"). The pads are sized from the
 * first request, so they differ with the length of the generated ids. */
/* One regc throughout, so that the CSeq keeps its number of digits (a new
 * regc draws a random CSeq base, whose length would move the wire lengths
 * and make where the threshold falls differ from run to run); each request
 * gets the X-Pad length of its step on the tdata before it is sent. */
static void test_threshold(void)
{
    setup("{}", 1, 1);
    pjsip_regc *regc = padded_regc(60, 800);
    register_and_wait(regc, 1);
    int pad = 800 + 1310 - registrar_request_len(H.reg, 0);
    int prev_udp = -1, first_tcp = -1;
    static char value[4096];
    pj_str_t xpad = pj_str("X-Pad");
    for (int n = 2; n < 40 && first_tcp < 0; n++, pad++) {
        pjsip_tx_data *tdata = NULL;
        CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
        pjsip_generic_string_hdr *h = (pjsip_generic_string_hdr *)pjsip_msg_find_hdr_by_name(tdata->msg, &xpad, NULL);
        CHECK(h != NULL);
        memset(value, 'p', (size_t)pad);
        value[pad] = '\0';
        h->hvalue = pj_str(value);
        CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
        CHECK(h_wait_callbacks(n, 5000));
        int i = registrar_count(H.reg) - 1;
        if (strcmp(registrar_transport(H.reg, i), "TCP") == 0)
            first_tcp = registrar_request_len(H.reg, i);
        else
            prev_udp = registrar_request_len(H.reg, i);
    }
    /* (a CSeq or port one digit longer moves the wire lengths by one) */
    CHECK(prev_udp >= 1310 && prev_udp <= 1317);
    CHECK(first_tcp - 6 >= 1318 && first_tcp - 6 <= 1320);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Refresh: the big REGISTER and its authenticated retry. */
static void test_auth_retry_over_tcp(void)
{
    setup("{\"realm\":\"r\",\"users\":{\"alice\":\"secret\"},\"auth\":{}}", 1, 1);
    pjsip_regc *regc = padded_regc(60, 1400);
    pjsip_cred_info cred = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &cred), PJ_SUCCESS);
    register_and_wait(regc, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_transport(H.reg, 0), "TCP");
    CHECK_STR(registrar_transport(H.reg, 1), "TCP");
    CHECK_STR(registrar_source(H.reg, 0), registrar_source(H.reg, 1));
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_large_request_goes_over_tcp();
    test_small_request_stays_udp();
    test_refused_tcp_falls_back_to_udp();
    test_no_tcp_transport();
    test_switch_disabled();
    test_explicit_udp();
    test_udp_selected();
    test_unanswered_over_tcp();
    test_auth_retry_over_tcp();
    test_threshold();
    return h_summary("test_tcp_switch");
}
