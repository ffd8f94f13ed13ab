/* Transaction-level outcomes: timeout with lowered timers, retransmission
 * when the first request is lost, 100 Trying, duplicated finals,
 * unresolvable hosts and unsupported transports. Over TCP and TLS nothing
 * is retransmitted and Timer F still ends the transaction. */
#include "regc_harness.h"

static void test_timeout(void)
{
    h_setup("{\"default\":{\"drop\":true}}");
    /* F just before the retransmission at 2300 ms, so that a late one at
     * 1900 still precedes it (each retransmission is timed from the one
     * before it, so lateness adds up; it never comes early). */
    h_fast_timers(100, 400, 2250);
    pjsip_regc *regc = h_regc(600);
    double start = h_now_ms();
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    /* While the request is in flight: busy, over the transport it left on. */
    pjsip_regc_info pending;
    CHECK_INT(pjsip_regc_get_info(regc, &pending), PJ_SUCCESS);
    CHECK_INT(pending.is_busy, 1);
    CHECK(h_is_regc_transport(pending.transport));
    CHECK(h_wait_callbacks(1, 5000));
    double took = H.rec[0].at_ms - start;
    CHECK(took >= 2150 && took < 2850);
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 408);
    CHECK_STR(H.rec[0].reason, "Request Timeout");
    CHECK_INT(H.rec[0].has_rdata, 0);
    CHECK_INT(H.rec[0].expiration, 600);
    CHECK_INT(H.rec[0].contact_cnt, 0);
    if (H.reliable) {
        CHECK_INT(registrar_count(H.reg), 1);
    } else {
        /* Timer E: 0, 100, 300, 700, 1100, 1500, 1900 ms. */
        CHECK_INT(registrar_count(H.reg), 7);
        double t0 = registrar_time_ms(H.reg, 0);
        CHECK(registrar_time_ms(H.reg, 1) - t0 > 60 && registrar_time_ms(H.reg, 1) - t0 < 200);
        CHECK(registrar_time_ms(H.reg, 3) - t0 > 600 && registrar_time_ms(H.reg, 3) - t0 < 850);
        CHECK_STR(registrar_header_param(H.reg, 6, "Via", 0, "branch"),
                  registrar_header_param(H.reg, 0, "Via", 0, "branch"));
    }
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, PJSIP_REGC_EXPIRATION_NOT_SPECIFIED);
    CHECK_INT(info.next_reg, PJSIP_REGC_EXPIRATION_NOT_SPECIFIED);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

/* Over TCP/TLS nothing is lost: the duplicated 200 then arrives after the
 * transaction ended and is dropped as a stray response. */
static void test_first_lost_then_trying(void)
{
    h_setup(h_reliable() ? "{\"script\":[{\"trying\":true,\"duplicate\":true,\"code\":200}]}"
                         : "{\"script\":[{\"drop\":true},{\"trying\":true,\"duplicate\":true,\"code\":200}]}");
    h_fast_timers(100, 400, 2000);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    h_poll(200);
    CHECK_INT(H.count, 1); /* the duplicated 200 is absorbed */
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_count(H.reg), H.reliable ? 1 : 2);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

static void test_trying_then_nothing(void)
{
    h_setup("{\"default\":{\"trying_only\":true}}");
    h_fast_timers(100, 400, 1500);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 4000));
    CHECK_INT(H.rec[0].code, 408);
    /* After the 100, retransmissions every T2 (none over TCP/TLS). */
    if (H.reliable)
        CHECK_INT(registrar_count(H.reg), 1);
    else
        CHECK(registrar_count(H.reg) >= 3 && registrar_count(H.reg) <= 6);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

static void test_unresolvable(void)
{
    h_setup(NULL);
    pjsip_regc *regc;
    pj_str_t srv = pj_str("sip:no-such-host.invalid"), aor = pj_str("<sip:alice@example.com>");
    pj_str_t contact = pj_str(H.contact);
    /* The harness callback is reached through h_regc's creation path. */
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:9");
    regc = h_regc(60);
    CHECK_INT(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, 60), PJ_SUCCESS);
    pj_status_t st = h_register(regc, PJ_FALSE);
    /* The callback ran inside send, then send returned the error. */
    CHECK_INT(st, PJ_ERESOLVE);
    CHECK_INT(H.count, 1);
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 502);
    CHECK_STR(H.rec[0].reason, "gethostbyname() has returned error (PJ_ERESOLVE)");
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.is_busy, 0);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_unsupported_transport(void)
{
    h_setup(NULL);
    /* a transport the endpoint has no listener or transport for */
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:9;transport=%s",
             strcmp(H.tp_name, "TCP") == 0 ? "tls" : "tcp");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJSIP_EUNSUPTRANSPORT);
    CHECK_INT(H.count, 1);
    CHECK_INT(H.rec[0].code, 503);
    CHECK_STR(H.rec[0].reason, "Unsupported transport (PJSIP_EUNSUPTRANSPORT)");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Quirk: Timer F is copied from pjsip_cfg()->tsx.td when the transaction
 * layer starts; writing the config afterwards changes T1/T2 (read at every
 * retransmission) but not Timer F. */
static void test_td_written_after_init_is_ignored(void)
{
    h_setup("{\"default\":{\"drop\":true}}");
    pjsip_cfg()->tsx.t1 = 100;
    pjsip_cfg()->tsx.t2 = 400;
    pjsip_cfg()->tsx.td = 600;
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    h_poll(1300);
    CHECK_INT(H.count, 0);                 /* no timeout at 600 ms */
    /* The first retransmission follows the T1 cached at init (500 ms), the
     * next ones the T1/T2 in force: 0, 500, 700, 1100 ms. */
    CHECK_INT(registrar_count(H.reg), H.reliable ? 1 : 4);
    pjsip_regc_destroy(regc);
    h_poll(50);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

int main(void)
{
    test_td_written_after_init_is_ignored();
    test_timeout();
    test_first_lost_then_trying();
    test_trying_then_nothing();
    test_unresolvable();
    test_unsupported_transport();
    return h_summary("test_transaction");
}
