/* Server misbehaviour, played by SIPp as the UAS (the XML scenarios in ctests/interop/sipp/,
 * started by ctests/interop/run.sh). The client side checks the callback as
 * pjproject reports it (status, code, reason, expiration, contacts).
 *
 *   sipp_scenarios NAME        (environment: SIPP_SERVER=sip:127.0.0.1:PORT)
 *
 * Uses the pjproject API only. */
#include "interop.h"

#define EXPIRES 60

/* What the callbacks saw in the response itself (rdata is only valid inside
 * the callback). */
static struct {
    int retry_after;
    char retry_after_comment[64];
    char unknown[256];
    int empty_present;
    char empty[64];
    char server[128];
    char call_id[128];
} X;

/* Final responses seen by the tsx callback. */
static int tsx_codes[16], tsx_count;
static unsigned tsx_expiration[16];

static void on_tsx(struct pjsip_regc_tsx_cb_param *param)
{
    if (tsx_count < 16) {
        tsx_expiration[tsx_count] = param->cbparam.expiration;
        tsx_codes[tsx_count++] = param->cbparam.code;
    }
}

static void hook(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    if (!param->rdata)
        return;
    pjsip_msg *msg = param->rdata->msg_info.msg;
    pjsip_retry_after_hdr *ra = (pjsip_retry_after_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_RETRY_AFTER, NULL);
    if (ra) {
        X.retry_after = ra->ivalue;
        snprintf(X.retry_after_comment, sizeof(X.retry_after_comment), "%.*s", (int)ra->comment.slen,
                 ra->comment.ptr);
    }
    msg_hdr_value(msg, "X-Unknown-Header", X.unknown, sizeof(X.unknown));
    pj_str_t en = pj_str("X-Empty");
    X.empty_present = pjsip_msg_find_hdr_by_name(msg, &en, NULL) != NULL;
    msg_hdr_value(msg, "X-Empty", X.empty, sizeof(X.empty));
    msg_hdr_value(msg, "Server", X.server, sizeof(X.server));
    if (param->rdata->msg_info.cid)
        snprintf(X.call_id, sizeof(X.call_id), "%.*s", (int)param->rdata->msg_info.cid->id.slen,
                 param->rdata->msg_info.cid->id.ptr);
}

static char cid[128];

static pjsip_regc *start(pj_bool_t with_cred)
{
    memset(&X, 0, sizeof(X));
    tsx_count = 0;
    ir_setup();
    snprintf(H.server, sizeof(H.server), "%s", env_req("SIPP_SERVER"));
    H.hook = hook;
    char contact[96];
    snprintf(contact, sizeof(contact), "%s", H.contact); /* <sip:alice@127.0.0.1:port> */
    const char *ct[] = {contact};
    pjsip_regc *regc = ir_regc("alice", "sipp.test", with_cred ? "secret" : NULL, 1, ct, EXPIRES);
    if (!regc) {
        fprintf(stderr, "could not create the regc\n");
        exit(2);
    }
    pjsip_regc_set_reg_tsx_cb(regc, &on_tsx);
    return regc;
}

static void finish(pjsip_regc *regc)
{
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* One final callback, then silence for `quiet_ms`. */
static void one_callback(int max_ms, int quiet_ms)
{
    CHECK(ir_wait(1, max_ms));
    h_poll(quiet_ms);
    CHECK_INT(H.count, 1);
}

static void failed(const cb_record *r, pj_status_t status, int code, const char *reason, int has_rdata,
                   unsigned expiration)
{
    CHECK_INT(r->status, status);
    CHECK_INT(r->code, code);
    CHECK_STR(r->reason, reason);
    CHECK_INT(r->has_rdata, has_rdata);
    CHECK_INT(r->expiration, expiration);
    CHECK_INT(r->contact_cnt, 0);
    CHECK_INT(r->is_unreg, 0);
}

static void no_registration(pjsip_regc *regc)
{
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, PJSIP_REGC_EXPIRATION_NOT_SPECIFIED);
    CHECK_INT(info.is_busy, 0);
}

static void sc_timeout_100(void)
{
    /* T1 100 ms, T2 400 ms, Timer F 1.5 s */
    h_fast_timers(100, 400, 1500);
    pjsip_regc *regc = start(PJ_FALSE);
    double t = h_now_ms();
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(4000, 500);
    cb_record *r = &H.rec[0];
    failed(r, PJ_SUCCESS, 408, "Request Timeout", 0, EXPIRES);
    /* Timer F runs from the first transmission, the 100 does not stop it */
    double at = r->at_ms - t;
    if (at < 1400 || at > 2000)
        fprintf(stderr, "   408 after %.0f ms, expected ~1500\n", at);
    CHECK(at >= 1400 && at <= 2000);
    no_registration(regc);
    finish(regc);
}

static void sc_error_500(void)
{
    pjsip_regc *regc = start(PJ_FALSE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    failed(&H.rec[0], PJ_SUCCESS, 500, "Server Internal Error", 1, EXPIRES);
    CHECK_STR(X.call_id, cid);
    no_registration(regc);
    finish(regc);
}

static void sc_busy_503(void)
{
    pjsip_regc *regc = start(PJ_FALSE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    failed(&H.rec[0], PJ_SUCCESS, 503, "Service Unavailable", 1, EXPIRES);
    /* what a pjsip application reads to schedule its own retry */
    CHECK_INT(X.retry_after, 30);
    CHECK_STR(X.retry_after_comment, "maintenance window");
    no_registration(regc);
    finish(regc);
}

static void sc_auth_loop(void)
{
    pjsip_regc *regc = start(PJ_TRUE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    failed(&H.rec[0], PJSIP_EFAILEDCREDENTIAL, 401, "Unauthorized", 1, EXPIRES);
    CHECK_INT(tsx_count, 2);
    no_registration(regc);
    finish(regc);
}

static void sc_auth_stale_loop(void)
{
    pjsip_regc *regc = start(PJ_TRUE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    failed(&H.rec[0], PJSIP_EAUTHSTALECOUNT, 401, "Unauthorized", 1, EXPIRES);
    CHECK_INT(tsx_count, 4); /* 1 plain + 3 with credentials */
    no_registration(regc);
    finish(regc);
}

static void sc_auth_ok(void)
{
    char addr[96];
    pjsip_regc *regc = start(PJ_TRUE);
    snprintf(addr, sizeof(addr), "%s", H.contact);
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 300);
    cb_record *r = &H.rec[0];
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 200); /* 403 "Digest Mismatch" when SIPp disagrees */
    CHECK_STR(r->reason, "OK");
    CHECK_INT(r->expiration, EXPIRES);
    CHECK_INT(r->contact_cnt, 1);
    CHECK_STR(r->contact_uri[0], addr);
    CHECK_INT(tsx_count, 2);
    finish(regc);
}

static void sc_lost_first(void)
{
    h_fast_timers(200, 800, 6400);
    pjsip_regc *regc = start(PJ_FALSE);
    double t = h_now_ms();
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(4000, 700);
    cb_record *r = &H.rec[0];
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 200);
    CHECK_INT(r->expiration, EXPIRES);
    CHECK(r->at_ms - t >= 950); /* only the late response to a retransmission */
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, EXPIRES);
    finish(regc);
}

static void sc_dup_200(void)
{
    pjsip_regc *regc = start(PJ_FALSE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    cb_record *r = &H.rec[0];
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 200);
    CHECK_INT(r->expiration, EXPIRES);
    CHECK_INT(tsx_count, 1);
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, EXPIRES);
    CHECK(info.next_reg >= EXPIRES - 5 - 2 && info.next_reg <= EXPIRES - 5);
    finish(regc);
}

static void sc_odd_headers(void)
{
    char ours[96];
    pjsip_regc *regc = start(PJ_FALSE);
    snprintf(ours, sizeof(ours), "%s", H.contact);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    cb_record *r = &H.rec[0];
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 200);
    CHECK_STR(r->reason, "Registered, thank you");
    /* our contact (second in a folded list) has ;expires=45, the lowest of
     * ours: that is the expiration, not the Expires header's 3600 */
    CHECK_INT(r->expiration, 45);
    CHECK_INT(r->contact_cnt, 2);
    CHECK_STR(r->contact_uri[0], "<sip:someone-else@192.0.2.10:5060>");
    CHECK_INT(r->contact_expires[0], 3600);
    CHECK_STR(r->contact_uri[1], ours);
    CHECK_INT(r->contact_expires[1], 45);
    /* The Call-ID line ends in three blanks and so does X-Unknown-Header:
     * pjproject keeps trailing blanks in the value (its scanner reads up to
     * the line end), this library trims them. Same text otherwise. */
    char want[200];
    snprintf(want, sizeof(want), "%s   ", cid);
    CHECK(strncmp(X.call_id, cid, strlen(cid)) == 0 && strspn(X.call_id + strlen(cid), " ") == strlen(X.call_id + strlen(cid)));
    ir_pjsip_exact("rdata Call-ID with trailing blanks", X.call_id, want);
    const char *unk = "some ; value , with \"quoted, stuff\"";
    CHECK(strncmp(X.unknown, unk, strlen(unk)) == 0);
    snprintf(want, sizeof(want), "%s   ", unk);
    ir_pjsip_exact("X-Unknown-Header value with trailing blanks", X.unknown, want);
    CHECK_INT(X.empty_present, 1);
    CHECK_STR(X.empty, "");
    CHECK_STR(X.server, "SIPp odd-headers scenario");
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, 45);
    CHECK(info.next_reg >= 38 && info.next_reg <= 40);
    finish(regc);
}

static void sc_interval_423(void)
{
    pjsip_regc *regc = start(PJ_FALSE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    cb_record *r = &H.rec[0];
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 200);
    CHECK_INT(r->expiration, 3601);
    CHECK_INT(tsx_count, 2);
    CHECK_INT(tsx_codes[0], 423);
    CHECK_INT(tsx_codes[1], 200);
    finish(regc);
}

static void sc_interval_423_twice(void)
{
    pjsip_regc *regc = start(PJ_FALSE);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    one_callback(3000, 1700);
    failed(&H.rec[0], PJ_SUCCESS, 423, "Interval Too Brief", 1, 3601);
    CHECK_INT(tsx_count, 2);
    no_registration(regc);
    finish(regc);
}

static const struct {
    const char *name;
    void (*fn)(void);
} scenarios[] = {
    {"timeout_100", sc_timeout_100},
    {"error_500", sc_error_500},
    {"busy_503", sc_busy_503},
    {"auth_loop", sc_auth_loop},
    {"auth_stale_loop", sc_auth_stale_loop},
    {"auth_ok", sc_auth_ok},
    {"lost_first", sc_lost_first},
    {"dup_200", sc_dup_200},
    {"odd_headers", sc_odd_headers},
    {"interval_423", sc_interval_423},
    {"interval_423_twice", sc_interval_423_twice},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sipp_scenarios NAME (with SIPP_SERVER set)\n");
        return 2;
    }
    for (size_t i = 0; i < PJ_ARRAY_SIZE(scenarios); i++) {
        if (strcmp(argv[1], scenarios[i].name) == 0) {
            char name[96];
            scenarios[i].fn();
            snprintf(name, sizeof(name), "sipp/%s", argv[1]);
            return h_summary(name);
        }
    }
    fprintf(stderr, "sipp_scenarios: no scenario %s\n", argv[1]);
    return 2;
}
