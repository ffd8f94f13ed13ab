/* pjproject's own regc bug history, one scenario per class of bug, named
 * after it (the numbers are pjproject issue / ticket numbers). Each runs
 * over every transport of the C suite, and through the difftest against
 * pjproject and the hosted build.
 *
 * Covered elsewhere: release_transport (#1481) in test_tcp's
 * test_selectors_and_release; a TCP connect refused (#3680) in test_tcp's
 * test_connect_refused; the transaction that fails to resolve (#1936's
 * trigger) in test_transaction. */
#include "regc_harness.h"

#include <pthread.h>

#define AUTH_JSON "\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{}"

static void poll_until_requests(int n)
{
    for (int i = 0; i < 300 && registrar_count(H.reg) < n; i++)
        h_poll(10);
}

/* #316: the regc destroyed while its answer to a 401 is in flight must
 * neither call back nor be freed twice when that transaction ends, whether
 * it ends with a response or with a transport failure. */
static void destroy_during_auth_retry(const char *retry_action, int fast_timers)
{
    char cfg[256];
    snprintf(cfg, sizeof(cfg), "{" AUTH_JSON ",\"script\":[%s]}", retry_action);
    h_setup(cfg);
    if (fast_timers)
        h_fast_timers(100, 400, 1050);
    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info c = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    poll_until_requests(2);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_INT(registrar_header_count(H.reg, 1, "Authorization"), 1);
    CHECK_INT(pjsip_regc_destroy(regc), PJ_SUCCESS);
    h_poll(1500);
    CHECK_INT(H.count, 0);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

static void test_316_destroy_while_auth_retry_answered(void)
{
    /* Answered before any retransmission (T1 is 500 ms). */
    destroy_during_auth_retry("{\"delay_ms\":200,\"code\":200}", 0);
}

static void test_316_destroy_while_auth_retry_fails(void)
{
    /* The answer comes after Timer F (1.05 s here): the retry times out. */
    destroy_during_auth_retry("{\"delay_ms\":3000,\"code\":200}", 1);
}

/* #316 again, the destroy coming from the transaction callback of the 401
 * itself: the regc is then busy, marked for deletion and still answers the
 * challenge (as pjsip does, so the server's state stays right); it is freed
 * when that answer's transaction ends, not before. */
static pjsip_transport *challenged_over;
static void destroy_on_challenge(struct pjsip_regc_tsx_cb_param *param)
{
    if (param->cbparam.code == 401) {
        challenged_over = param->cbparam.rdata->tp_info.transport;
        CHECK_INT(pjsip_regc_destroy(param->cbparam.regc), PJ_SUCCESS);
    }
}

static void test_316_destroy_from_tsx_callback_of_401(void)
{
    h_setup("{" AUTH_JSON ",\"script\":[{\"delay_ms\":200,\"code\":200}]}");
    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info c = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(pjsip_regc_set_reg_tsx_cb(regc, &destroy_on_challenge), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    poll_until_requests(2);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_INT(registrar_header_count(H.reg, 1, "Authorization"), 1);
    h_poll(500);
    CHECK_INT(H.count, 0);
    /* Nothing holds the connection any more, so it can idle out: a regc
     * freed too early used to take a reference when its retry ended that
     * nothing released. */
    if (H.reliable)
        CHECK_INT(pj_atomic_get(challenged_over->ref_cnt), 0);
    h_teardown();
}

/* #1936: a send that fails at once must not leave the regc busy. */
static void test_1936_busy_cleared_after_failed_send(void)
{
    h_setup(NULL);
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:9");
    pjsip_regc *regc = h_regc(60);
    pj_str_t srv = pj_str("sip:no-such-host.invalid"), aor = pj_str("<sip:alice@example.com>");
    pj_str_t contact = pj_str(H.contact);
    CHECK_INT(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, 60), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_ERESOLVE);
    pjsip_regc_info info;
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK_INT(info.is_busy, 0);
    /* Not PJSIP_EBUSY: the failed transaction is over. */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_ERESOLVE);
    CHECK_INT(H.count, 2);
    CHECK_INT(pjsip_regc_destroy2(regc, PJ_FALSE), PJ_SUCCESS);
    h_teardown();
}

/* #2575, #2653: two threads sending on one regc at the same moment; one
 * transaction goes out, the other send is refused with PJSIP_EBUSY. */
static pjsip_regc *shared_regc;
static pthread_barrier_t start_together;
static pj_status_t send_result[2];

static void *send_at_once(void *arg)
{
    int me = (int)(long)arg;
    pj_thread_desc desc;
    pj_thread_t *t;
    memset(desc, 0, sizeof(desc));
    pj_thread_register("sender", desc, &t);
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = pjsip_regc_register(shared_regc, PJ_FALSE, &tdata);
    pthread_barrier_wait(&start_together);
    send_result[me] = st == PJ_SUCCESS ? pjsip_regc_send(shared_regc, tdata) : st;
    return NULL;
}

static void test_2575_two_concurrent_sends(void)
{
    h_setup("{\"script\":[{\"delay_ms\":200,\"code\":200,\"contact\":\"request\"}]}");
    shared_regc = h_regc(60);
    pthread_barrier_init(&start_together, NULL, 2);
    pthread_t th[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, send_at_once, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start_together);
    int ok = (send_result[0] == PJ_SUCCESS) + (send_result[1] == PJ_SUCCESS);
    int busy = (send_result[0] == PJSIP_EBUSY) + (send_result[1] == PJSIP_EBUSY);
    CHECK_INT(ok, 1);
    CHECK_INT(busy, 1);
    CHECK(h_wait_callbacks(1, 3000));
    h_poll(300);
    CHECK_INT(H.count, 1);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_count(H.reg), 1);
    pjsip_regc_destroy(shared_regc);
    h_teardown();
}

/* #1247, #2260: no regc lock may be held while the callback runs: another
 * thread using the same regc from inside it must not block. */
static volatile int other_thread_done;
static void *get_info_elsewhere(void *arg)
{
    pj_thread_desc desc;
    pj_thread_t *t;
    memset(desc, 0, sizeof(desc));
    pj_thread_register("other", desc, &t);
    pjsip_regc_info info;
    pjsip_regc_get_info((pjsip_regc *)arg, &info);
    pjsip_regc_add_ref((pjsip_regc *)arg);
    pjsip_regc_dec_ref((pjsip_regc *)arg);
    other_thread_done = 1;
    return NULL;
}

static int waited_ms;
static void use_from_other_thread(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    pthread_t th;
    other_thread_done = 0;
    pthread_create(&th, NULL, get_info_elsewhere, param->regc);
    for (waited_ms = 0; waited_ms < 3000 && !other_thread_done; waited_ms += 5)
        pj_thread_sleep(5);
    /* Joined only once it is done: a deadlock fails the check instead of
     * hanging the suite (the thread then stays blocked until exit). */
    if (other_thread_done)
        pthread_join(th, NULL);
    else
        pthread_detach(th);
}

static void test_1247_no_lock_held_across_callback(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(60);
    H.hook = use_from_other_thread;
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(other_thread_done, 1);
    H.hook = NULL;
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* #1935: destroying the regc right after send, while the request is still
 * being resolved, connected or sent, must not touch what it freed. */
static void test_1935_destroy_right_after_send(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    for (int i = 0; i < 20; i++) {
        pjsip_regc *regc = h_regc(60);
        CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
        CHECK_INT(pjsip_regc_destroy(regc), PJ_SUCCESS);
    }
    poll_until_requests(20);
    h_poll(200);
    CHECK_INT(registrar_count(H.reg), 20);
    CHECK_INT(H.count, 0);
    h_teardown();
}

/* #2809: a 2xx that still lists a Contact we are removing, with expires=0,
 * is not an unregistration of the one we are adding. */
static void test_2809_zero_expires_on_removed_contact(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    char moved[128];
    snprintf(moved, sizeof(moved), "<sip:alice-moved@%s:%d%s>", H.host, H.port, H.tp_param);
    pj_str_t c = pj_str(moved);
    CHECK_INT(pjsip_regc_update_contact(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    /* The registrar answers with both request Contacts, the removed one
     * with expires=0 as in the request. */
    CHECK_INT(H.rec[1].code, 200);
    CHECK_INT(H.rec[1].is_unreg, 0);
    CHECK_INT(H.rec[1].expiration, 60);
    CHECK_INT(H.rec[1].contact_cnt, 2);
    pjsip_regc_info info;
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK_INT(info.interval, 60);
    CHECK(info.next_reg > 0 && info.next_reg <= 60);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* #3274, #4932: a delay before refresh longer than the granted expiry
 * must not wrap the refresh time or next_reg around. */
static void test_3274_refresh_delay_longer_than_expiry(void)
{
    h_setup("{\"max_expires\":2,\"default\":{\"code\":200,\"contact\":\"request\"}}");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(pjsip_regc_set_delay_before_refresh(regc, 30), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].expiration, 2);
    pjsip_regc_info info;
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK(info.next_reg <= 2);
    /* The refresh comes before the binding lapses, not in 136 years. */
    CHECK(h_wait_callbacks(2, 3000));
    CHECK_INT(registrar_count(H.reg), 2);
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_316_destroy_while_auth_retry_answered();
    test_316_destroy_while_auth_retry_fails();
    test_316_destroy_from_tsx_callback_of_401();
    test_1936_busy_cleared_after_failed_send();
    test_2575_two_concurrent_sends();
    test_1247_no_lock_held_across_callback();
    test_1935_destroy_right_after_send();
    test_2809_zero_expires_on_removed_contact();
    test_3274_refresh_delay_longer_than_expiry();
    return h_summary("bug_classes");
}
