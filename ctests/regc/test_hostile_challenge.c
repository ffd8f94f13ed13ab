/* A challenge is the one place where a registrar's text is echoed into our
 * next request (realm, nonce, opaque go back in the Authorization). A value
 * that could not be printed back between quotes as it is -- a raw or
 * escaped CR, a NUL, a bare quote from a [bracketed] value -- would let the
 * peer add header lines or parameters to what we send (over TCP a whole
 * second request). Such a 401 is dropped as unparsable, so the request
 * times out and nothing of the peer's reaches the wire. Unquoted values are
 * echoed as written, %XX and all, as pjproject does: an encoded CRLF stays
 * text. Properly escaped quotes still work. */
#include "regc_harness.h"

#define EVIL "sip:evil@203.0.113.66"

static void expect_dropped(const char *challenges_json)
{
    char cfg[1024];
    snprintf(cfg, sizeof(cfg),
             "{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},"
             "\"auth\":{\"main_challenge\":false,\"challenges\":%s}}",
             challenges_json);
    h_setup(cfg);
    h_fast_timers(100, 400, 1050);
    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info c = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 408);
    /* Only retransmissions of the first REGISTER: no answer to the
     * challenge, and over a stream no smuggled second request. */
    int n = registrar_count(H.reg);
    CHECK_INT(n, H.reliable ? 1 : 4);
    int answered = 0, contacts = 0, evil = 0;
    for (int i = 0; i < n; i++) {
        answered += registrar_header_count(H.reg, i, "Authorization");
        contacts += registrar_header_count(H.reg, i, "Contact");
        evil += strstr(registrar_request(H.reg, i), "evil") != NULL;
    }
    CHECK_INT(answered, 0);
    CHECK_INT(contacts, n);
    CHECK_INT(evil, 0);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

/* The registrar does not know the scripted nonce, so it challenges the
 * answer again with the same nonce: the client gives up with that 401. */
static void expect_echoed_verbatim(const char *nonce)
{
    char cfg[1024];
    snprintf(cfg, sizeof(cfg),
             "{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},"
             "\"auth\":{\"main_challenge\":false,\"challenges\":"
             "[\"Digest realm=\\\"test.local\\\", nonce=%s, algorithm=MD5\"]}}",
             nonce);
    h_setup(cfg);
    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info c = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 401);
    CHECK_INT(H.rec[0].status, PJSIP_EFAILEDCREDENTIAL);
    CHECK_INT(registrar_count(H.reg), 2);
    CHECK_STR(registrar_auth_param(H.reg, 1, "nonce"), nonce);
    CHECK_INT(registrar_header_count(H.reg, 1, "Authorization"), 1);
    CHECK_INT(registrar_header_count(H.reg, 1, "Contact"), 1);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* The example: an unquoted nonce whose %-escapes would decode to
 * CRLF, a Contact line and the start of another header. */
static void test_percent_encoded_crlf(void)
{
    expect_echoed_verbatim("x%0d%0aContact%3a%20%3csip%3aevil%40203.0.113.66%3e%0d%0aX%3a%20");
}

static void test_percent_encoded_quote(void)
{
    expect_echoed_verbatim("n%22%2c%20response%3d%22evil");
}

static void test_raw_cr_in_quotes(void)
{
    expect_dropped("[\"Digest realm=\\\"test.local\\\", nonce=\\\"a\\rContact: <" EVIL ">\\\", algorithm=MD5\"]");
}

static void test_raw_nul_in_quotes(void)
{
    expect_dropped("[\"Digest realm=\\\"test.local\\\", nonce=\\\"a\\u0000evil\\\", algorithm=MD5\"]");
}

static void test_escaped_cr_in_quotes(void)
{
    expect_dropped("[\"Digest realm=\\\"test.local\\\", nonce=\\\"a\\\\\\rX: evil\\\", algorithm=MD5\"]");
}

static void test_bracket_with_quote(void)
{
    expect_dropped("[\"Digest realm=[a\\\"b], nonce=\\\"n\\\", algorithm=MD5\"]");
}

static void test_bracket_injecting_param(void)
{
    expect_dropped("[\"Digest realm=[a\\\", response=\\\"evil], nonce=\\\"n\\\", algorithm=MD5\"]");
}

/* A trailing backslash would escape the closing quote we print. */
static void test_bracket_with_backslash(void)
{
    expect_dropped("[\"Digest realm=\\\"test.local\\\", nonce=[n\\\\], algorithm=MD5\"]");
}

/* %XX text and an escaped quote inside a quoted string are echoed as
 * written and the registration goes through. */
static void test_harmless_values_still_work(void)
{
    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},"
            "\"auth\":{\"main_challenge\":false,\"challenges\":"
            "[\"Digest realm=\\\"test.local\\\", nonce=\\\"{nonce}\\\", opaque=a%41b%20c, algorithm=MD5\"]}}");
    pjsip_regc *regc = h_regc(60);
    pjsip_cred_info c = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_auth_param(H.reg, 1, "opaque"), "a%41b%20c");
    pjsip_regc_destroy(regc);
    h_teardown();

    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},"
            "\"auth\":{\"main_challenge\":false,\"challenges\":"
            "[\"Digest realm=\\\"test.local\\\", nonce=\\\"{nonce}\\\", opaque=\\\"x\\\\\\\"y\\\", algorithm=MD5\"]}}");
    regc = h_regc(60);
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &c), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK(strstr(registrar_request(H.reg, 1), "opaque=\"x\\\"y\"") != NULL);
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_percent_encoded_crlf();
    test_percent_encoded_quote();
    test_raw_cr_in_quotes();
    test_raw_nul_in_quotes();
    test_escaped_cr_in_quotes();
    test_bracket_with_quote();
    test_bracket_injecting_param();
    test_bracket_with_backslash();
    test_harmless_values_still_work();
    return h_summary("hostile_challenge");
}
