/* Digest edge cases: HA1 credentials, several challenges, which credential
 * wins, initial_auth with a matching realm, 407 after 401. */
#include "regc_harness.h"

static pjsip_cred_info cred(const char *realm, const char *user, int type, const char *data, int algo)
{
    pjsip_cred_info c;
    memset(&c, 0, sizeof(c));
    c.realm = pj_str((char *)realm);
    c.scheme = pj_str("Digest");
    c.username = pj_str((char *)user);
    c.data_type = type;
    c.data = pj_str((char *)data);
    c.algorithm_type = (pjsip_auth_algorithm_type)algo;
    return c;
}

static void run(const char *cfg, pjsip_cred_info *creds, int n, int expect_code, pj_status_t expect_status)
{
    h_setup(cfg);
    pjsip_regc *regc = h_regc(60);
    if (n)
        CHECK_INT(pjsip_regc_set_credentials(regc, n, creds), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, expect_code);
    CHECK_INT(H.rec[0].status, expect_status);
    pjsip_regc_destroy(regc);
}

static void test_ha1(void)
{
    /* A wrong HA1 is refused. */
    pjsip_cred_info c = cred("*", "alice", PJSIP_CRED_DATA_DIGEST, "0e4a8b40ab0e1f1b4b6ae0a7e0d1e0b2", 0);
    run("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"on_bad\":\"403\"}}", &c, 1, 403,
        PJ_SUCCESS);
    h_teardown();
}

static void test_ha1_right(void)
{
    /* MD5("alice:test.local:secret") */
    pjsip_cred_info c = cred("*", "alice", PJSIP_CRED_DATA_DIGEST, "b0a2c476b89d2f9085dd463430f4617c", 0);
    run("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{}}", &c, 1, 200, PJ_SUCCESS);
    h_teardown();
}

static void test_two_realms(void)
{
    pjsip_cred_info cs[2] = {cred("a.realm", "alice", 0, "secret", 0), cred("b.realm", "alice", 0, "secret", 0)};
    run("{\"realm\":\"a.realm\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"challenges\":"
        "[\"Digest realm=\\\"b.realm\\\", nonce=\\\"n2\\\", algorithm=MD5\"]}}",
        cs, 2, 200, PJ_SUCCESS);
    CHECK_INT(registrar_header_count(H.reg, 1, "Authorization"), 2);
    CHECK_STR(registrar_auth_param_n(H.reg, 1, "Authorization", 0, "realm"), "a.realm");
    CHECK_STR(registrar_auth_param_n(H.reg, 1, "Authorization", 1, "realm"), "b.realm");
    h_teardown();
}

static void test_exact_realm_beats_star(void)
{
    pjsip_cred_info cs[2] = {cred("*", "alice", 0, "wrong", 0), cred("test.local", "alice", 0, "secret", 0)};
    run("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{}}", cs, 2, 200, PJ_SUCCESS);
    h_teardown();
}

static void test_last_star_wins(void)
{
    pjsip_cred_info cs[2] = {cred("*", "alice", 0, "wrong", 0), cred("*", "alice", 0, "secret", 0)};
    run("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{}}", cs, 2, 200, PJ_SUCCESS);
    h_teardown();
}

static void test_unsupported_algorithm(void)
{
    pjsip_cred_info c = cred("*", "alice", 0, "secret", 0);
    run("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"main_challenge\":false,\"challenges\":"
        "[\"Digest realm=\\\"test.local\\\", nonce=\\\"n\\\", algorithm=MD5-sess\"]}}",
        &c, 1, 401, PJSIP_EINVALIDALGORITHM);
    h_teardown();
}

/* pjsip's parser knows only Digest challenges: a 401 offering Basic does
 * not parse, so the response is dropped and the request times out. */
static void test_non_digest_scheme(void)
{
    pjsip_cred_info c = cred("*", "alice", 0, "secret", 0);
    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"main_challenge\":false,"
            "\"challenges\":[\"Basic realm=\\\"test.local\\\"\"]}}");
    h_fast_timers(100, 400, 1050);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 408);
    /* 0, 100, 300, 700 ms; F at 1050, before the next at 1100, so a
     * late retransmission cannot fall after it (TCP/TLS: sent once) */
    CHECK_INT(registrar_count(H.reg), H.reliable ? 1 : 4);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

int main(void)
{
    test_ha1();
    test_ha1_right();
    test_two_realms();
    test_exact_realm_beats_star();
    test_last_star_wins();
    test_unsupported_algorithm();
    test_non_digest_scheme();
    return h_summary("test_auth_more");
}
