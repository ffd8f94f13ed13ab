/* Digest authentication: 401 and 407, qop, algorithms, failures. */
#include "regc_harness.h"

static void set_cred(pjsip_regc *regc, const char *realm, const char *password)
{
    pjsip_cred_info cred;
    memset(&cred, 0, sizeof(cred));
    cred.realm = pj_str((char *)realm);
    cred.scheme = pj_str("digest");
    cred.username = pj_str("alice");
    cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
    cred.data = pj_str((char *)password);
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &cred), PJ_SUCCESS);
}

static void run_auth(const char *auth_json, const char *realm, const char *password, int expect_code,
                     pj_status_t expect_status, int expect_requests)
{
    char cfg[512];
    snprintf(cfg, sizeof(cfg), "{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":%s}", auth_json);
    h_setup(cfg);
    pjsip_regc *regc = h_regc(120);
    if (realm)
        set_cred(regc, realm, password);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, expect_code);
    CHECK_INT(H.rec[0].status, expect_status);
    CHECK_INT(registrar_count(H.reg), expect_requests);
    pjsip_regc_destroy(regc);
}

static void test_md5_qop_auth(void)
{
    run_auth("{\"code\":401,\"algorithm\":\"MD5\",\"qop\":\"auth\",\"opaque\":\"op1\"}", "*", "secret", 200, PJ_SUCCESS, 2);
    /* The first REGISTER carries no credentials; the retry keeps the tag. */
    CHECK(registrar_header(H.reg, 0, "Authorization", 0) == NULL);
    CHECK_STR(registrar_header_order(H.reg, 1),
              "Via,Max-Forwards,From,To,Call-ID,CSeq,Contact,Expires,Authorization,Content-Length");
    CHECK_STR(registrar_auth_param(H.reg, 1, "username"), "alice");
    CHECK_STR(registrar_auth_param(H.reg, 1, "realm"), "test.local");
    CHECK_STR(registrar_auth_param(H.reg, 1, "nc"), "00000001");
    CHECK_STR(registrar_auth_param(H.reg, 1, "qop"), "auth");
    CHECK_STR(registrar_auth_param(H.reg, 1, "opaque"), "op1");
    CHECK_STR(registrar_auth_param(H.reg, 1, "algorithm"), "MD5");
    CHECK_INT(strlen(registrar_auth_param(H.reg, 1, "cnonce")), 32);
    CHECK_INT(strlen(registrar_auth_param(H.reg, 1, "response")), 32);
    CHECK_STR(registrar_header_param(H.reg, 1, "From", 0, "tag"), registrar_header_param(H.reg, 0, "From", 0, "tag"));
    CHECK_INT(atoi(registrar_header(H.reg, 1, "CSeq", 0)), atoi(registrar_header(H.reg, 0, "CSeq", 0)) + 1);
    CHECK(strcmp(registrar_header_param(H.reg, 1, "Via", 0, "branch"), registrar_header_param(H.reg, 0, "Via", 0, "branch")) != 0);
    /* Parameter order as pjsip prints it. */
    const char *v = registrar_header(H.reg, 1, "Authorization", 0);
    CHECK(v && strncmp(v, "Digest username=", 16) == 0);
    CHECK(v && strstr(v, "\", realm=\"") && strstr(v, "\", nonce=\"") && strstr(v, "\", uri=\"") &&
          strstr(v, "\", response=\"") && strstr(v, "\", algorithm=MD5, cnonce=\"") &&
          strstr(v, "\", opaque=\"op1\", qop=auth, nc=00000001"));
    h_teardown();
}

static void test_proxy_auth_sha256(void)
{
    run_auth("{\"code\":407,\"algorithm\":\"SHA-256\",\"qop\":\"auth\"}", "test.local", "secret", 200, PJ_SUCCESS, 2);
    CHECK(registrar_header(H.reg, 1, "Proxy-Authorization", 0) != NULL);
    CHECK_INT(strlen(registrar_auth_param(H.reg, 1, "response")), 64);
    h_teardown();
}

static void test_no_qop_sha512(void)
{
    run_auth("{\"code\":401,\"algorithm\":\"SHA-512-256\",\"qop\":null}", "*", "secret", 200, PJ_SUCCESS, 2);
    CHECK(registrar_auth_param(H.reg, 1, "nc") == NULL);
    h_teardown();
}

static void test_auth_int(void)
{
    run_auth("{\"code\":401,\"qop\":\"auth-int\"}", "*", "secret", 200, PJ_SUCCESS, 2);
    CHECK_STR(registrar_auth_param(H.reg, 1, "qop"), "auth-int");
    h_teardown();
}

static void test_failures(void)
{
    /* No credentials at all. */
    run_auth("{\"code\":401}", NULL, NULL, 401, PJSIP_ENOCREDENTIAL, 1);
    CHECK_STR(H.rec[0].reason, "Unauthorized");
    CHECK_INT(H.rec[0].expiration, 120);
    h_teardown();
    /* Realm mismatch. */
    run_auth("{\"code\":407}", "other.realm", "secret", 407, PJSIP_ENOCREDENTIAL, 1);
    h_teardown();
    /* Wrong password re-challenged with the same nonce. */
    run_auth("{\"code\":401,\"on_bad\":\"challenge\"}", "*", "wrong", 401, PJSIP_EFAILEDCREDENTIAL, 2);
    h_teardown();
    /* Wrong password refused. */
    run_auth("{\"code\":401,\"on_bad\":\"403\"}", "*", "wrong", 403, PJ_SUCCESS, 2);
    h_teardown();
    /* A server that always says stale: 1 plain + 3 with credentials. */
    run_auth("{\"code\":401,\"stale_always\":true}", "*", "secret", 401, PJSIP_EAUTHSTALECOUNT, 4);
    h_teardown();
}

static void test_nc_across_refreshes(void)
{
    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"code\":401},\"max_expires\":2}");
    pjsip_regc *regc = h_regc(2);
    set_cred(regc, "*", "secret");
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 6000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(H.rec[1].code, 200);
    /* Every new REGISTER is challenged again; nc counts up on one nonce. */
    CHECK(registrar_count(H.reg) >= 4);
    CHECK(registrar_header(H.reg, 2, "Authorization", 0) == NULL);
    CHECK_STR(registrar_auth_param(H.reg, 3, "nc"), "00000002");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_initial_auth(void)
{
    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"code\":401}}");
    pjsip_regc *regc = h_regc(60);
    set_cred(regc, "*", "secret");
    pjsip_auth_clt_pref pref;
    memset(&pref, 0, sizeof(pref));
    pref.initial_auth = PJ_TRUE;
    pref.algorithm = pj_str("MD5");
    CHECK_INT(pjsip_regc_set_prefs(regc, &pref), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_header_order(H.reg, 0), "Via,Max-Forwards,From,To,Call-ID,CSeq,Authorization,Contact,Expires,Content-Length");
    CHECK_STR(registrar_auth_param(H.reg, 0, "response"), "");
    CHECK_STR(registrar_auth_param(H.reg, 0, "nonce"), "");
    CHECK_STR(registrar_auth_param(H.reg, 0, "realm"), "*");
    /* Realm "*" does not match the challenge's: the empty header stays. */
    CHECK_INT(registrar_header_count(H.reg, 1, "Authorization"), 2);
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_md5_qop_auth();
    test_proxy_auth_sha256();
    test_no_qop_sha512();
    test_auth_int();
    test_failures();
    test_nc_across_refreshes();
    test_initial_auth();
    return h_summary("test_auth");
}
