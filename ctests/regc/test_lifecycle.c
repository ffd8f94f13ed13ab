/* Refresh, 423 handling, destroy inside the callback, the tsx callback and
 * calls from a second thread while the main thread polls. */
#define _POSIX_C_SOURCE 200809L
#include "regc_harness.h"
#include <pthread.h>

static void test_refresh(void)
{
    h_setup("{\"max_expires\":3,\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(3);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(H.rec[0].expiration, 3);
    /* Expiration 3: refresh 1 s before it ends. */
    double gap = H.rec[1].at_ms - H.rec[0].at_ms;
    CHECK(gap > 1700 && gap < 2600);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_header(H.reg, 1, "Expires", 0), "3"); /* decided at init, not per refresh */
    CHECK_STR(registrar_header(H.reg, 1, "Call-ID", 0), registrar_header(H.reg, 0, "Call-ID", 0));
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_interval_too_brief(void)
{
    h_setup("{\"script\":[{\"code\":423,\"min_expires\":90}],\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(30);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.count, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(H.rec[0].expiration, 90);
    CHECK_STR(registrar_header(H.reg, 1, "Expires", 0), "90");
    CHECK(strcmp(registrar_header_param(H.reg, 1, "From", 0, "tag"), registrar_header_param(H.reg, 0, "From", 0, "tag")) != 0);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* No Min-Expires: 3601 once, then the 423 is final. */
    h_setup("{\"default\":{\"code\":423}}");
    regc = h_regc(30);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 423);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_header(H.reg, 1, "Expires", 0), "3601");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static pjsip_regc *victim;
static void destroy_in_callback(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    CHECK(param->regc == victim);
    CHECK_INT(pjsip_regc_destroy(param->regc), PJ_SUCCESS);
}

static void test_destroy_inside_callback(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    victim = h_regc(60);
    H.hook = destroy_in_callback;
    CHECK_INT(h_register(victim, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    h_poll(100);
    CHECK_INT(H.count, 1);
    H.hook = NULL;
    h_teardown();
}

static void test_destroy_while_pending(void)
{
    h_setup("{\"script\":[{\"delay_ms\":300,\"code\":200}]}");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK_INT(pjsip_regc_destroy(regc), PJ_SUCCESS);
    h_poll(600);
    CHECK_INT(H.count, 0); /* no callback after destroy */
    CHECK_INT(registrar_count(H.reg), 1);
    h_teardown();
}

static void tsx_cb(struct pjsip_regc_tsx_cb_param *param)
{
    static char other[96];
    if (param->cbparam.code == 401) {
        snprintf(other, sizeof(other), "<sip:alice@%s:%d%s;ob>", H.host, H.port, H.tp_param);
        param->contact_cnt = 1;
        param->contact[0] = pj_str(other);
    }
}

static void test_tsx_callback_rewrites_contact(void)
{
    h_setup("{\"realm\":\"r\",\"users\":{\"alice\":\"secret\"},\"auth\":{},\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info cred = h_cred("*", "alice", "secret");
    pjsip_regc_set_credentials(regc, 1, &cred);
    CHECK_INT(pjsip_regc_set_reg_tsx_cb(regc, &tsx_cb), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_header_count(H.reg, 1, "Contact"), 1);
    CHECK(strstr(registrar_header(H.reg, 1, "Contact", 0), ";ob>") != NULL);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static volatile int stop_polling;
static void *poller(void *arg)
{
    (void)arg;
    pj_thread_desc desc;
    pj_thread_t *t;
    memset(desc, 0, sizeof(desc));
    pj_thread_register("poller", desc, &t);
    pj_time_val tick = {0, 10};
    while (!stop_polling)
        pjsip_endpt_handle_events(H.endpt, &tick);
    return NULL;
}

static void test_second_thread(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pthread_t th;
    stop_polling = 0;
    pthread_create(&th, NULL, poller, NULL);
    pjsip_regc *regs[8];
    for (int i = 0; i < 8; i++) {
        regs[i] = h_regc(60);
        CHECK_INT(h_register(regs[i], PJ_FALSE), PJ_SUCCESS);
    }
    for (int i = 0; i < 500 && H.count < 8; i++)
        pj_thread_sleep(10);
    CHECK_INT(H.count, 8);
    for (int i = 0; i < 8; i++)
        CHECK_INT(pjsip_regc_destroy(regs[i]), PJ_SUCCESS);
    stop_polling = 1;
    pthread_join(th, NULL);
    h_teardown();
}

/* A program that destroys the endpoint without destroying its regc first
 * (one registered with a refresh pending, one never sent): both go with
 * the endpoint, as pjproject's go with their pools. LeakSanitizer checks. */
static void test_endpoint_destroyed_with_live_regcs(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *registered = h_regc(60);
    CHECK_INT(h_register(registered, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK(h_regc(60) != NULL);
    h_teardown();
}

int main(void)
{
    test_refresh();
    test_interval_too_brief();
    test_destroy_inside_callback();
    test_destroy_while_pending();
    test_tsx_callback_rewrites_contact();
    test_second_thread();
    test_endpoint_destroyed_with_live_regcs();
    return h_summary("test_lifecycle");
}
