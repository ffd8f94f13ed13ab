/* The quirks regc-semantics.md asks to keep, and odd but valid responses. */
#include "regc_harness.h"

static const char *ECHO = "{\"default\":{\"code\":200,\"contact\":\"request\"}}";

/* A second init with the value granted earlier sends no Expires header. */
static void quirk_reinit_with_granted_value(void)
{
    h_setup(ECHO);
    pjsip_regc *regc = h_regc(300);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    pj_str_t srv = pj_str(H.server), aor = pj_str("<sip:alice@example.com>"), c = pj_str(H.contact);
    CHECK_INT(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &c, 300), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK(registrar_header(H.reg, 1, "Expires", 0) == NULL);
    /* init makes a new Call-ID; the contact matched itself, so no removal. */
    CHECK(strcmp(registrar_header(H.reg, 1, "Call-ID", 0), registrar_header(H.reg, 0, "Call-ID", 0)) != 0);
    CHECK_INT(registrar_header_count(H.reg, 1, "Contact"), 1);
    CHECK_INT(H.rec[1].expiration, 3600); /* no Expires sent: registrar default */
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* next_reg keeps counting down to the cancelled refresh after unregister. */
static void quirk_next_reg_after_unregister(void)
{
    h_setup(ECHO);
    pjsip_regc *regc = h_regc(100);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(h_unregister(regc), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, 0);
    CHECK_INT(info.auto_reg, 1);
    CHECK(info.next_reg >= 93 && info.next_reg <= 95);
    CHECK_INT(H.rec[1].info.is_busy, 1);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* A failure after success resets the interval to NOEXP; the failure
 * reports the requested expiration. */
static void quirk_failure_resets_interval(void)
{
    h_setup("{\"script\":[{\"code\":200,\"contact\":\"request\"},{\"code\":503,\"reason\":\"Try Later\",\"headers\":[\"Retry-After: 30\"]}]}");
    pjsip_regc *regc = h_regc(90);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(H.rec[1].code, 503);
    CHECK_STR(H.rec[1].reason, "Try Later");
    CHECK_INT(H.rec[1].expiration, 90);
    CHECK_INT(H.rec[1].contact_cnt, 0);
    CHECK_INT(H.rec[1].has_rdata, 1);
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, PJSIP_REGC_EXPIRATION_NOT_SPECIFIED);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* A registrar answering ;expires=0 to a registration is overruled. */
static void quirk_expires_zero_while_registering(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\",\"contact_expires\":0,\"expires_hdr\":40}}");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].expiration, 40);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Compact header names, folding and odd spacing in the response. */
static void odd_but_valid_response(void)
{
    h_setup("{\"default\":{\"raw\":\"SIP/2.0 200 Fine   Thanks\\r\\nv: {via}\\r\\nf: {from}\\r\\nt: {to};tag=x1\\r\\n"
            "i: {call_id}\\r\\nCSeq :  {cseq}\\r\\nm: <sip:alice@127.0.0.1:5070>\\r\\n ;expires=33,\\r\\n\\t<sip:other@h>;expires=9\\r\\n"
            "EXPIRES: 44\\r\\nX-Unknown: whatever\\r\\nl: 0\\r\\n\\r\\n\"}}");
    pjsip_regc *regc = NULL;
    pj_str_t srv = pj_str(H.server), aor = pj_str("<sip:alice@example.com>"), c = pj_str("<sip:alice@127.0.0.1:5070>");
    regc = h_regc(60);
    CHECK_INT(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &c, 60), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(H.rec[0].reason, "Fine   Thanks");
    CHECK_INT(H.rec[0].contact_cnt, 2);
    CHECK_INT(H.rec[0].contact_expires[0], 33);
    CHECK_INT(H.rec[0].expiration, 33);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* A response that matches no transaction (wrong branch) is dropped; the
 * request then times out. */
static void stray_response_is_ignored(void)
{
    h_setup("{\"default\":{\"raw\":\"SIP/2.0 200 OK\\r\\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKother\\r\\n"
            "From: {from}\\r\\nTo: {to}\\r\\nCall-ID: {call_id}\\r\\nCSeq: {cseq}\\r\\nContent-Length: 0\\r\\n\\r\\n\"}}");
    /* F at 1050 ms: 350 ms after the last retransmission (700), 50 before
     * the next, so a late retransmission does not change their number. */
    h_fast_timers(100, 400, 1050);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].code, 408);
    pjsip_regc_destroy(regc);
    h_fast_timers(500, 4000, 32000);
    h_teardown();
}

/* destroy2 without force while idle frees at once; dec_ref without a
 * pending destroy is plain. */
static void lifetime_edges(void)
{
    h_setup(ECHO);
    pjsip_regc *regc = h_regc(60);
    pjsip_regc_add_ref(regc);
    CHECK_INT(pjsip_regc_dec_ref(regc), PJ_SUCCESS);
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.is_busy, 0);
    pjsip_regc_add_ref(regc);
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.is_busy, 1);
    CHECK_INT(pjsip_regc_dec_ref(regc), PJ_SUCCESS);
    CHECK_INT(pjsip_regc_destroy2(regc, PJ_FALSE), PJ_SUCCESS);
    h_teardown();
}

int main(void)
{
    quirk_reinit_with_granted_value();
    quirk_next_reg_after_unregister();
    quirk_failure_resets_interval();
    quirk_expires_zero_while_registering();
    odd_but_valid_response();
    stray_response_is_ignored();
    lifetime_edges();
    return h_summary("test_quirks");
}
