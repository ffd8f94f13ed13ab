/* Application modules registered with the endpoint, as pjsip programs use
 * them for message logging: ids, load/start at registration, stop/unload
 * at endpoint destruction, on_tx_request for every transmission (with the
 * printed buffer and destination) and on_rx_response before the regc
 * callback; a module above the transaction layer sees only responses no
 * transaction took. */
#include "regc_harness.h"

static char events[2048];
static int loads, starts, stops, unloads;
static pjsip_endpoint *load_endpt;
static int tx_len[16], tx_port[16], tx_count;
static int rx_src_port[16], rx_count, app_rx_count, app_rx_code;

static void event(const char *fmt, int v)
{
    size_t n = strlen(events);
    snprintf(events + n, sizeof(events) - n, fmt, v);
}

static pj_status_t on_load(pjsip_endpoint *endpt)
{
    loads++;
    load_endpt = endpt;
    return PJ_SUCCESS;
}
static pj_status_t on_start(void) { starts++; return PJ_SUCCESS; }
static pj_status_t on_stop(void) { stops++; return PJ_SUCCESS; }
static pj_status_t on_unload(void) { unloads++; return PJ_SUCCESS; }

static pj_status_t logger_tx(pjsip_tx_data *tdata)
{
    int cseq = 0;
    pjsip_cseq_hdr *c = (pjsip_cseq_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_CSEQ, NULL);
    if (c)
        cseq = c->cseq;
    (void)cseq;
    if (tx_count < 16) {
        tx_len[tx_count] = (int)(tdata->buf.cur - tdata->buf.start);
        tx_port[tx_count] = tdata->tp_info.dst_port;
    }
    tx_count++;
    event("tx:%d ", tdata->msg->line.req.method.id);
    return PJ_SUCCESS;
}

static pj_bool_t logger_rx(pjsip_rx_data *rdata)
{
    if (rx_count < 16)
        rx_src_port[rx_count] = rdata->pkt_info.src_port;
    rx_count++;
    event("rx:%d ", rdata->msg_info.msg->line.status.code);
    return PJ_FALSE;
}

static pj_bool_t app_rx(pjsip_rx_data *rdata)
{
    app_rx_count++;
    app_rx_code = rdata->msg_info.msg->line.status.code;
    return PJ_TRUE;
}

static pjsip_module logger = {
    NULL, NULL, {"mod-test-logger", 15}, -1, PJSIP_MOD_PRIORITY_TRANSPORT_LAYER - 1,
    &on_load, &on_start, &on_stop, &on_unload, NULL, &logger_rx, &logger_tx, NULL, NULL,
};

static pjsip_module app = {
    NULL, NULL, {"mod-test-app", 12}, -1, PJSIP_MOD_PRIORITY_APPLICATION,
    NULL, NULL, NULL, NULL, NULL, &app_rx, NULL, NULL, NULL,
};

static void hook_event(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    event("cb:%d ", param->code);
}

static void reset(void)
{
    events[0] = '\0';
    loads = starts = stops = unloads = 0;
    tx_count = rx_count = app_rx_count = app_rx_code = 0;
    load_endpt = NULL;
}

static void test_logger_sees_everything(void)
{
    reset();
    h_setup("{\"realm\":\"r\",\"users\":{\"alice\":\"secret\"},\"auth\":{},\"default\":{\"code\":200,\"contact\":\"request\"}}");
    H.hook = &hook_event;
    CHECK_INT(logger.id, -1);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &logger), PJ_SUCCESS);
    /* mod-msg-print took 0 with the endpoint, the transaction layer and
     * mod-stateful-util 1 and 2, the UA 3 */
    CHECK_INT(logger.id, 4);
    CHECK_INT(loads, 1);
    CHECK_INT(starts, 1);
    CHECK(load_endpt == H.endpt);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &app), PJ_SUCCESS);
    CHECK_INT(app.id, 5);

    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info cred = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &cred), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    h_poll(50);
    /* The request, the challenge, the authenticated request, the 200, then
     * the regc callback. */
    CHECK_STR(events, "tx:4 rx:401 tx:4 rx:200 cb:200 "); /* 4: PJSIP_REGISTER_METHOD */
    CHECK_INT(tx_count, 2);
    CHECK_INT(tx_len[0], registrar_request_len(H.reg, 0));
    CHECK_INT(tx_len[1], registrar_request_len(H.reg, 1));
    /* (tp_info moved in 2.16: the 2.15 oracle reads another field) */
    int server_port = atoi(strrchr(H.server_hostport, ':') + 1);
    CHECK_INT(tx_port[0], server_port);
    CHECK_INT(rx_count, 2);
    CHECK_INT(rx_src_port[1], server_port);
    /* Above the transaction layer: nothing (both responses were taken). */
    CHECK_INT(app_rx_count, 0);
    pjsip_regc_destroy(regc);

    CHECK_INT(pjsip_endpt_unregister_module(H.endpt, &app), PJ_SUCCESS);
    CHECK_INT(app.id, -1);
    h_teardown();
    CHECK_INT(stops, 1);
    CHECK_INT(unloads, 1);
    CHECK_INT(logger.id, -1);
}

/* Every transmission reaches on_tx_request, retransmissions included. */
static void test_retransmission_is_seen(void)
{
    reset();
    h_setup("{\"script\":[{\"drop\":true}],\"default\":{\"code\":200}}");
    h_fast_timers(100, 400, 2000);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &logger), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    /* over TCP/TLS nothing is retransmitted: the lost request times out */
    CHECK_INT(H.rec[0].code, H.reliable ? 408 : 200);
    CHECK_INT(tx_count, registrar_count(H.reg));
    CHECK_INT(tx_count, H.reliable ? 1 : 2);
    CHECK_INT(rx_count, H.reliable ? 0 : 1);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

/* A response no transaction takes goes up to the application module. */
static void test_stray_response_reaches_the_application(void)
{
    reset();
    h_setup("{\"default\":{\"raw\":\"SIP/2.0 202 Accepted\\r\\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKother\\r\\n"
            "From: {from}\\r\\nTo: {to}\\r\\nCall-ID: {call_id}\\r\\nCSeq: {cseq}\\r\\nContent-Length: 0\\r\\n\\r\\n\"}}");
    /* F well after the retransmission at 700 ms and before the next one. */
    h_fast_timers(100, 400, 1050);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &app), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 408);
    CHECK(app_rx_count >= 1);
    CHECK_INT(app_rx_code, 202);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
    CHECK_INT(app.id, -1);
}

/* A module whose load fails is not registered. */
static pj_status_t failing_load(pjsip_endpoint *endpt)
{
    (void)endpt;
    return PJ_EINVALIDOP;
}

static void test_failed_load(void)
{
    static pjsip_module broken = {
        NULL, NULL, {"mod-test-broken", 15}, -1, PJSIP_MOD_PRIORITY_APPLICATION,
        &failing_load, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    };
    h_setup(NULL);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &broken), PJ_EINVALIDOP);
    h_teardown();
}

/* Last: a pjproject debug build asserts here (a release build returns
 * PJ_EEXISTS and PJ_ENOTFOUND, as we do). */
static void test_registered_twice(void)
{
    static pjsip_module twin = {
        NULL, NULL, {"mod-test-logger", 15}, -1, PJSIP_MOD_PRIORITY_APPLICATION,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    };
    reset();
    h_setup(NULL);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &logger), PJ_SUCCESS);
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &twin), PJ_EEXISTS); /* same name */
    CHECK_INT(pjsip_endpt_register_module(H.endpt, &logger), PJ_EEXISTS);
    CHECK_INT(pjsip_endpt_unregister_module(H.endpt, &twin), PJ_ENOTFOUND);
    h_teardown();
}

int main(void)
{
    test_logger_sees_everything();
    test_retransmission_is_seen();
    test_stray_response_reaches_the_application();
    test_failed_load();
    test_registered_twice();
    return h_summary("test_modules");
}
