/* Registration over TCP as the wire and the callbacks show it, written so
 * that it compares with pjproject 2.15.1 (no pjsip_transport field is read:
 * their offsets moved in 2.16). */
/* REGC_OWN_TRANSPORTS: starts the transports it tests itself, so it is not
 * run again per $REGC_TRANSPORT. */
#include "regc_harness.h"

static void setup_tcp(const char *json)
{
    static const char *const tcp_only[] = {"--tcp", NULL};
    h_registrar_args = tcp_only;
    h_setup(json);
    h_registrar_args = NULL;
    pjsip_tpfactory *fac = NULL;
    pj_sockaddr_in local;
    pj_str_t host = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&local, &host, 0);
    CHECK_INT(pjsip_tcp_transport_start(H.endpt, &local, 1, &fac), PJ_SUCCESS);
    CHECK(fac != NULL);
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tcp", registrar_tcp_port(H.reg));
}

static void test_register_unregister(void)
{
    setup_tcp("{\"realm\":\"r\",\"users\":{\"alice\":\"secret\"},\"auth\":{},\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(120);
    pjsip_cred_info cred = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &cred), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(H.rec[0].expiration, 120);
    CHECK_INT(H.rec[0].contact_cnt, 1);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_transport(H.reg, 0), "TCP");
    CHECK_STR(registrar_header_param(H.reg, 1, "Via", 0, "branch") ? "ok" : NULL, "ok");
    const char *via = registrar_header(H.reg, 0, "Via", 0);
    CHECK(via && strncmp(via, "SIP/2.0/TCP ", 12) == 0);
    CHECK_INT(h_unregister(regc), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(H.rec[1].code, 200);
    CHECK_INT(H.rec[1].is_unreg, 1);
    CHECK_INT(H.rec[1].expiration, 0);
    pjsip_regc_destroy(regc);
    h_poll(50);
    h_teardown();
}

static void test_timeout_sends_once(void)
{
    setup_tcp("{\"default\":{\"drop\":true}}");
    h_fast_timers(100, 400, 1000);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 408);
    CHECK_STR(H.rec[0].reason, "Request Timeout");
    CHECK_INT(registrar_count(H.reg), 1);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_poll(50);
    h_teardown();
}

static void test_connect_refused(void)
{
    setup_tcp("{}");
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:9;transport=tcp");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 503);
    CHECK_STR(H.rec[0].reason, "Connection refused");
    CHECK_INT(H.rec[0].has_rdata, 0);
    pjsip_regc_destroy(regc);
    h_poll(50);
    h_teardown();
}

int main(void)
{
    test_register_unregister();
    test_timeout_sends_once();
    test_connect_refused();
    return h_summary("test_tcp_wire");
}
