/* The digest client API on a session of the application's own:
 * pjsip_auth_clt_init_req (initial_auth) and pjsip_auth_clt_reinit_req
 * answering a regc's 401 in the callback, the answered request then sent
 * with pjsip_regc_send and accepted by the registrar. */
#include "regc_harness.h"

#define AUTH_JSON "{\"realm\":\"r\",\"users\":{\"alice\":\"secret\"},\"auth\":{},\"default\":{\"code\":200,\"contact\":\"request\"}}"

static pjsip_auth_clt_sess sess;
static pj_pool_t *pool;
static pj_status_t reinit_status = -1, resend_status = -1;
static pjsip_tx_data *reinit_out;
static int same_tdata, auth_retry;

static void session_init(pj_bool_t initial_auth)
{
    pjsip_cred_info cred = h_cred("r", "alice", "secret");
    pjsip_auth_clt_pref pref;
    pool = pjsip_endpt_create_pool(H.endpt, "authapi", 1000, 1000);
    CHECK_INT(pjsip_auth_clt_init(&sess, H.endpt, pool, 0), PJ_SUCCESS);
    CHECK_INT(pjsip_auth_clt_set_credentials(&sess, 1, &cred), PJ_SUCCESS);
    memset(&pref, 0, sizeof(pref));
    pref.initial_auth = initial_auth;
    CHECK_INT(pjsip_auth_clt_set_prefs(&sess, &pref), PJ_SUCCESS);
}

static void session_done(void)
{
    pjsip_auth_clt_deinit(&sess);
    pj_pool_release(pool);
}

static void test_init_req(void)
{
    h_setup(AUTH_JSON);
    session_init(PJ_TRUE);
    pjsip_regc *regc = h_regc(60);
    pjsip_tx_data *tdata = NULL;
    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    CHECK(pjsip_msg_find_hdr(tdata->msg, PJSIP_H_AUTHORIZATION, NULL) == NULL);
    CHECK_INT(pjsip_auth_clt_init_req(&sess, tdata), PJ_SUCCESS);
    CHECK(pjsip_msg_find_hdr(tdata->msg, PJSIP_H_AUTHORIZATION, NULL) != NULL);
    CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    /* The empty answer went out as it was added (the scheme as the
     * credential spells it). */
    char want[256];
    snprintf(want, sizeof(want),
             "digest username=\"alice\", realm=\"r\", nonce=\"\", uri=\"%s\", response=\"\"", H.server);
    CHECK_STR(registrar_header(H.reg, 0, "Authorization", 0), want);
    pjsip_regc_destroy(regc);
    session_done();
    h_teardown();
}

/* In the callback of the 401: answer it on a new REGISTER and, when
 * `send_answer`, send that. */
static int send_answer;

static void answer_in_callback(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    if (param->code != 401 || !param->rdata)
        return;
    pjsip_tx_data *tdata = NULL;
    if (pjsip_regc_register(param->regc, PJ_FALSE, &tdata) != PJ_SUCCESS)
        return;
    reinit_status = pjsip_auth_clt_reinit_req(&sess, param->rdata, tdata, &reinit_out);
    same_tdata = reinit_out == tdata;
    auth_retry = tdata->auth_retry;
    if (reinit_status == PJ_SUCCESS)
        pjsip_tx_data_dec_ref(tdata); /* reinit added one */
    if (reinit_status == PJ_SUCCESS && send_answer)
        resend_status = pjsip_regc_send(param->regc, tdata);
    else
        pjsip_tx_data_dec_ref(tdata);
}

static void test_reinit_req(void)
{
    h_setup(AUTH_JSON);
    session_init(PJ_FALSE);
    send_answer = 1;
    H.hook = &answer_in_callback;
    pjsip_regc *regc = h_regc(60); /* no credentials of its own */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(H.rec[0].code, 401);
    CHECK_INT(reinit_status, PJ_SUCCESS);
    CHECK_INT(same_tdata, 1);
    CHECK_INT(auth_retry, 1); /* (moved in 2.16: the 2.15 oracle reads another field) */
    CHECK_INT(resend_status, PJ_SUCCESS);
    CHECK_INT(H.rec[1].code, 200);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_auth_param(H.reg, 1, "username"), "alice");
    CHECK_STR(registrar_auth_param(H.reg, 1, "realm"), "r");
    CHECK_STR(registrar_auth_param(H.reg, 1, "qop"), "auth");
    CHECK_STR(registrar_auth_param(H.reg, 1, "nc"), "00000001");
    CHECK_STR(registrar_auth_param(H.reg, 1, "uri"), H.server);
    pjsip_regc_destroy(regc);
    session_done();
    h_teardown();
}

/* No credential for the challenge's realm: PJSIP_ENOCREDENTIAL. */
static void test_reinit_without_matching_credentials(void)
{
    pjsip_cred_info other = h_cred("elsewhere", "bob", "x");
    h_setup(AUTH_JSON);
    session_init(PJ_FALSE);
    CHECK_INT(pjsip_auth_clt_set_credentials(&sess, 1, &other), PJ_SUCCESS);
    reinit_status = -1;
    send_answer = 0;
    H.hook = &answer_in_callback;
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(reinit_status, PJSIP_ENOCREDENTIAL);
    pjsip_regc_destroy(regc);
    session_done();
    h_teardown();
}

/* The algorithm table, copies and comparisons, and a cloned session. */
static void test_helpers(void)
{
    h_setup(NULL);
    const pjsip_auth_algorithm *a = pjsip_auth_get_algorithm_by_type(PJSIP_AUTH_ALGORITHM_SHA256);
    CHECK(a != NULL);
    if (a) {
        CHECK_INT(a->algorithm_type, PJSIP_AUTH_ALGORITHM_SHA256);
        CHECK(pj_strcmp2(&a->iana_name, "SHA-256") == 0);
        CHECK_STR(a->openssl_name, "SHA256");
        CHECK_INT(a->digest_length, 32);
        CHECK_INT(a->digest_str_length, 64);
    }
    a = pjsip_auth_get_algorithm_by_type(PJSIP_AUTH_ALGORITHM_MD5);
    CHECK(a && a->digest_str_length == 32 && strcmp(a->openssl_name, "MD5") == 0);
    a = pjsip_auth_get_algorithm_by_type(PJSIP_AUTH_ALGORITHM_AKAV2_MD5);
    CHECK(a && pj_strcmp2(&a->iana_name, "AKAv2-MD5") == 0);
    pj_str_t name = pj_str("sha-512-256");
    a = pjsip_auth_get_algorithm_by_iana_name(&name);
    CHECK(a && a->algorithm_type == PJSIP_AUTH_ALGORITHM_SHA512_256);
    name = pj_str("");
    a = pjsip_auth_get_algorithm_by_iana_name(&name);
    CHECK(a && a->algorithm_type == PJSIP_AUTH_ALGORITHM_MD5);
    name = pj_str("SHA-1");
    CHECK(pjsip_auth_get_algorithm_by_iana_name(&name) == NULL);
    CHECK_INT(pjsip_auth_is_algorithm_supported(PJSIP_AUTH_ALGORITHM_MD5), 1);
    CHECK_INT(pjsip_auth_is_algorithm_supported(PJSIP_AUTH_ALGORITHM_SHA256), 1);

    pj_pool_t *p = pjsip_endpt_create_pool(H.endpt, "helpers", 1000, 1000);
    pjsip_cred_info c1 = h_cred("r", "alice", "secret"), c2;
    pjsip_cred_info_dup(p, &c2, &c1);
    CHECK(c2.username.ptr != c1.username.ptr);
    CHECK_INT(pjsip_cred_info_cmp(&c1, &c2), 0);
    c2.data = pj_str("other");
    CHECK(pjsip_cred_info_cmp(&c1, &c2) != 0);
    c2.data = c1.data;
    c2.data_type = PJSIP_CRED_DATA_DIGEST;
    CHECK(pjsip_cred_info_cmp(&c1, &c2) != 0);
    c2.data_type = c1.data_type;
    c2.algorithm_type = PJSIP_AUTH_ALGORITHM_SHA256;
    CHECK(pjsip_cred_info_cmp(&c1, &c2) != 0);

    pjsip_auth_clt_pref p1, p2;
    memset(&p1, 0, sizeof(p1));
    p1.initial_auth = PJ_TRUE;
    p1.algorithm = pj_str("SHA-256");
    pjsip_auth_clt_pref_dup(p, &p2, &p1);
    CHECK_INT(p2.initial_auth, 1);
    CHECK(p2.algorithm.ptr != p1.algorithm.ptr && pj_strcmp(&p2.algorithm, &p1.algorithm) == 0);

    pjsip_auth_clt_sess orig, copy;
    CHECK_INT(pjsip_auth_clt_init(&orig, H.endpt, p, 0), PJ_SUCCESS);
    CHECK_INT(pjsip_auth_clt_set_credentials(&orig, 1, &c1), PJ_SUCCESS);
    CHECK_INT(pjsip_auth_clt_set_prefs(&orig, &p1), PJ_SUCCESS);
    CHECK_INT(pjsip_auth_clt_clone(p, &copy, &orig), PJ_SUCCESS);
    CHECK_INT(copy.cred_cnt, 1);
    /* (not compared whole: pjproject leaves the copy's algorithm_type
     * uninitialised) */
    CHECK(pj_strcmp(&copy.cred_info[0].username, &c1.username) == 0);
    CHECK(pj_strcmp(&copy.cred_info[0].data, &c1.data) == 0);
    CHECK(copy.cred_info[0].username.ptr != orig.cred_info[0].username.ptr);
    /* pjproject copies the credentials but not the preferences */
    CHECK_INT(copy.pref.initial_auth, 0);
    CHECK_INT((int)copy.pref.algorithm.slen, 0);
    CHECK(copy.endpt == H.endpt);
    pjsip_auth_clt_deinit(&copy);
    pjsip_auth_clt_deinit(&orig);
    pj_pool_release(p);
    h_teardown();
}

int main(void)
{
    test_init_req();
    test_reinit_req();
    test_reinit_without_matching_credentials();
    test_helpers();
    return h_summary("test_auth_api");
}
