/* Registration scenarios against a real Kamailio registrar (usrloc in
 * memory, auth_db over db_text, digest with qop=auth), started by
 * ctests/interop/run.sh. After every step the binding table is read back
 * from Kamailio (kamcmd ul.lookup over its ctl socket) and compared with
 * what the client believes; Kamailio's log tells what it received.
 *
 *   kam_scenarios NAME...     (no NAME: every scenario)
 *
 * Environment: KAM_SERVER, KAM_CTL, KAM_LOG, KAM_REALM, KAM_MIN_EXPIRES,
 * KAM_MAX_EXPIRES, KAM_NONCE_EXPIRE, KAM_TCP_PORT, KAM_TLS_PORT, KAM_TLS_CA
 * (written by kamailio.sh); KAM_TRANSPORT=tcp|tls runs the scenarios over
 * that transport instead of UDP.
 * Uses the pjproject API only. */
#include "interop.h"

#include <time.h>

static const char *realm;
static int min_exp, max_exp, nonce_exp;

/* Every final response a registration got, seen through set_reg_tsx_cb. */
typedef struct tsx_rec {
    int code;
    int stale;         /* WWW-Authenticate stale flag */
    char nonce[128];
    int min_expires;   /* Min-Expires of a 423, -1 when absent */
} tsx_rec;
static tsx_rec T[32];
static int tsx_count;

static void on_tsx(struct pjsip_regc_tsx_cb_param *param)
{
    if (tsx_count >= 32)
        return;
    tsx_rec *t = &T[tsx_count++];
    memset(t, 0, sizeof(*t));
    t->code = param->cbparam.code;
    t->min_expires = -1;
    if (!param->cbparam.rdata)
        return;
    pjsip_msg *msg = param->cbparam.rdata->msg_info.msg;
    pjsip_www_authenticate_hdr *w =
        (pjsip_www_authenticate_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_WWW_AUTHENTICATE, NULL);
    if (w) {
        t->stale = w->challenge.digest.stale;
        snprintf(t->nonce, sizeof(t->nonce), "%.*s", (int)w->challenge.digest.nonce.slen,
                 w->challenge.digest.nonce.ptr);
    }
    pjsip_min_expires_hdr *me = (pjsip_min_expires_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_MIN_EXPIRES, NULL);
    if (me)
        t->min_expires = (int)me->ivalue;
}

static void start(void)
{
    ir_setup();
    snprintf(H.server, sizeof(H.server), "%s", env_req("KAM_SERVER"));
    /* KAM_TRANSPORT=tcp: the same scenario with every REGISTER over TCP. */
    const char *tp = getenv("KAM_TRANSPORT");
    if (tp && strcmp(tp, "tcp") == 0) {
        pj_sockaddr_in local;
        pj_str_t lo = pj_str("127.0.0.1");
        pjsip_tpfactory *factory = NULL;
        pj_sockaddr_in_init(&local, &lo, 0);
        if (pjsip_tcp_transport_start(H.endpt, &local, 1, &factory) != PJ_SUCCESS) {
            fprintf(stderr, "TCP transport did not start\n");
            exit(2);
        }
        snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%s;transport=tcp", env_req("KAM_TCP_PORT"));
    } else if (tp && strcmp(tp, "tls") == 0) {
        /* KAM_TRANSPORT=tls: over TLS, Kamailio's certificate verified
         * against the throwaway CA kamailio.sh made (KAM_TLS_CA) and the
         * URI host 127.0.0.1. */
        pj_sockaddr local;
        pj_str_t lo = pj_str("127.0.0.1");
        pjsip_tpfactory *factory = NULL;
        pjsip_tls_setting ts;
        pjsip_tls_setting_default(&ts);
        ts.ca_list_file = pj_str((char *)env_req("KAM_TLS_CA"));
        ts.verify_server = PJ_TRUE;
        pj_sockaddr_init(pj_AF_INET(), &local, &lo, 0);
        if (pjsip_tls_transport_start2(H.endpt, &ts, &local, NULL, 1, &factory) != PJ_SUCCESS) {
            fprintf(stderr, "TLS transport did not start\n");
            exit(2);
        }
        snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%s;transport=tls", env_req("KAM_TLS_PORT"));
    } else if (tp && *tp && strcmp(tp, "udp") != 0) {
        fprintf(stderr, "KAM_TRANSPORT=%s: expected udp, tcp or tls\n", tp);
        exit(2);
    }
    tsx_count = 0;
}

static void contact_of(char *buf, size_t cap, const char *user)
{
    snprintf(buf, cap, "<sip:%s@127.0.0.1:%d>", user, H.port);
}

static void addr_of(char *buf, size_t cap, const char *user)
{
    snprintf(buf, cap, "sip:%s@127.0.0.1:%d", user, H.port);
}

/* Kamailio's table for `aor` holds exactly the `n` addresses given, each
 * with Call-ID `cid` (NULL: not checked) and expires within [lo, hi]. */
static void expect_bindings(const char *aor, int n, const char *const *addrs, const char *cid,
                            int lo, int hi)
{
    kam_binding b[KAM_MAX_BINDINGS];
    int got = kam_lookup(aor, b, KAM_MAX_BINDINGS);
    CHECK_INT(got, n);
    if (got != n)
        for (int i = 0; i < got; i++)
            fprintf(stderr, "   kamailio binding %d: %s expires=%d call-id=%s\n", i, b[i].address,
                    b[i].expires, b[i].callid);
    for (int i = 0; i < n && got > 0; i++) {
        int k = kam_find(b, got, addrs[i]);
        if (k < 0) {
            fprintf(stderr, "   binding %s missing in Kamailio\n", addrs[i]);
            CHECK(k >= 0);
            continue;
        }
        if (b[k].expires < lo || b[k].expires > hi)
            fprintf(stderr, "   binding %s: Kamailio expires=%d, client expects %d..%d\n", addrs[i],
                    b[k].expires, lo, hi);
        CHECK(b[k].expires >= lo && b[k].expires <= hi);
        if (cid)
            CHECK_STR(b[k].callid, cid);
    }
}

/* The callback contacts include `addr` with ;expires=`exp` (Kamailio
 * returns bare URIs; pjsip prints a Contact's name-addr as <uri>). */
static int cb_has_contact(const cb_record *r, const char *addr, unsigned exp)
{
    char want[160];
    snprintf(want, sizeof(want), "<%s>", addr);
    for (int i = 0; i < r->contact_cnt && i < 10; i++)
        if (strcmp(r->contact_uri[i], want) == 0 || strcmp(r->contact_uri[i], addr) == 0) {
            if (r->contact_expires[i] != exp)
                fprintf(stderr, "   callback contact %s has expires=%u, expected %u\n", addr,
                        r->contact_expires[i], exp);
            return r->contact_expires[i] == exp;
        }
    fprintf(stderr, "   callback has no contact %s (%d contacts)\n", addr, r->contact_cnt);
    return 0;
}

static void check_ok(const cb_record *r, unsigned expiration)
{
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 200);
    CHECK_STR(r->reason, "OK");
    CHECK_INT(r->has_rdata, 1);
    CHECK_INT(r->expiration, expiration);
    CHECK_INT(r->is_unreg, 0);
}

/* Unregisters `regc` (callback number `idx`) and checks Kamailio dropped
 * every binding of `aor`. */
static void unregister_and_check(pjsip_regc *regc, const char *aor)
{
    int before = H.count;
    CHECK_INT(ir_unregister(regc), PJ_SUCCESS);
    CHECK(ir_wait(before + 1, 5000));
    if (H.count > before) {
        cb_record *r = &H.rec[before];
        CHECK_INT(r->status, PJ_SUCCESS);
        CHECK_INT(r->code, 200);
        CHECK_INT(r->is_unreg, 1);
        CHECK_INT(r->expiration, 0);
        CHECK_INT(r->contact_cnt, 0);
    }
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, 0);
    expect_bindings(aor, 0, NULL, NULL, 0, 0);
}

/* Register with digest (401 + qop=auth), then unregister. */
static void sc_register_auth(void)
{
    char ct[96], addr[96], cid[128], v[128];
    start();
    contact_of(ct, sizeof(ct), "alice");
    addr_of(addr, sizeof(addr), "alice");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("alice", realm, "secret", 1, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], 8);
    CHECK_INT(H.rec[0].contact_cnt, 1);
    CHECK(cb_has_contact(&H.rec[0], addr, 8));
    CHECK_INT(H.rec[0].info.interval, 8);

    /* What Kamailio received: a plain REGISTER, then one with credentials. */
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(rx[0].auth, "<null>");
        CHECK_INT(rx[0].auth_rc, -5); /* no credentials */
        CHECK_STR(rx[0].expires, "8");
        CHECK_INT(rx[1].cseq, rx[0].cseq + 1);
        CHECK_INT(rx[1].saved, 1);
        CHECK_STR(auth_param(rx[1].auth, "username", v, sizeof(v)), "alice");
        CHECK_STR(auth_param(rx[1].auth, "realm", v, sizeof(v)), realm);
        CHECK_STR(auth_param(rx[1].auth, "uri", v, sizeof(v)), H.server);
        CHECK_STR(auth_param(rx[1].auth, "qop", v, sizeof(v)), "auth");
        CHECK_STR(auth_param(rx[1].auth, "nc", v, sizeof(v)), "00000001");
        /* Kamailio's challenge names no algorithm, so neither does the answer */
        CHECK_STR(auth_param(rx[1].auth, "algorithm", v, sizeof(v)), "");
        /* 32 with libuuid (pjsip-abi-facts.md); the oracle wheel, built
         * without it, sends 31 */
        CHECK_INT(strlen(auth_param(rx[1].auth, "cnonce", v, sizeof(v))), 32);
        CHECK_INT(strlen(auth_param(rx[1].auth, "response", v, sizeof(v))), 32);
    }
    /* Kamailio's table: our contact, our Call-ID, the CSeq of the request
     * that was saved, the expiry the client was granted. */
    const char *addrs[] = {addr};
    expect_bindings("alice", 1, addrs, cid, 7, 8);
    kam_binding b[4];
    if (kam_lookup("alice", b, 4) == 1 && n == 2)
        CHECK_INT(b[0].cseq, rx[1].cseq);

    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, 8);
    CHECK_INT(info.auto_reg, 0);
    CHECK_INT(info.next_reg, 0); /* no autoreg: nothing scheduled */

    unregister_and_check(regc, "alice");
    n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(rx[2].expires, "0");
        CHECK_STR(rx[2].auth, "<null>"); /* no credentials cached (pjsip) */
        CHECK_INT(rx[3].saved, 1);
    }
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Short expiration, several automatic refreshes: the binding never lapses. */
static void sc_refresh(void)
{
    char ct[96], addr[96], cid[128];
    const unsigned exp = 4; /* refresh 1 s before the end: every 3 s */
    start();
    contact_of(ct, sizeof(ct), "bob");
    addr_of(addr, sizeof(addr), "bob");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("bob", realm, "secret", 1, cts, exp);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], exp);

    /* Sample Kamailio's table every 200 ms for 10.5 s. */
    int samples = 0, gaps = 0, wrong = 0, cseq_changes = 0;
    unsigned long last_cseq = 0;
    double end = h_now_ms() + 10500;
    while (h_now_ms() < end) {
        h_poll(200);
        kam_binding b[KAM_MAX_BINDINGS];
        int n = kam_lookup("bob", b, KAM_MAX_BINDINGS);
        samples++;
        if (n != 1) {
            gaps++;
            fprintf(stderr, "   t=%.0f ms: Kamailio has %d bindings for bob\n", h_now_ms(), n);
            continue;
        }
        if (strcmp(b[0].address, addr) != 0 || strcmp(b[0].callid, cid) != 0 || b[0].expires < 0 ||
            b[0].expires > (int)exp) {
            wrong++;
            fprintf(stderr, "   t=%.0f ms: unexpected binding %s expires=%d call-id=%s\n", h_now_ms(),
                    b[0].address, b[0].expires, b[0].callid);
        }
        if (b[0].cseq != last_cseq) {
            cseq_changes++;
            last_cseq = b[0].cseq;
        }
    }
    CHECK(samples >= 30);
    CHECK_INT(gaps, 0);
    CHECK_INT(wrong, 0);
    /* the first registration and at least 3 refreshes */
    CHECK(H.count >= 4);
    CHECK(cseq_changes >= 4);
    for (int i = 1; i < H.count && i < MAX_RECORDED; i++) {
        check_ok(&H.rec[i], exp);
        CHECK(cb_has_contact(&H.rec[i], addr, exp));
        double gap = H.rec[i].at_ms - H.rec[i - 1].at_ms;
        if (gap < 2700 || gap > 3600)
            fprintf(stderr, "   refresh %d came %.0f ms after the previous one (expected ~3000)\n", i, gap);
        CHECK(gap >= 2700 && gap <= 3600);
    }
    /* Every refresh is a new REGISTER, challenged again (pjsip caches no
     * credentials), same Call-ID, CSeq one up each time, same Expires. */
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 2 * H.count);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            CHECK_INT(rx[i].cseq, rx[i - 1].cseq + 1);
        CHECK_STR(rx[i].expires, "4");
        if (i % 2 == 0) {
            CHECK_STR(rx[i].auth, "<null>");
        } else {
            CHECK_INT(rx[i].saved, 1);
        }
    }
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, exp);
    CHECK_INT(info.auto_reg, 1);
    CHECK(info.next_reg <= 3);
    unregister_and_check(regc, "bob");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* update_contact: the next REGISTER carries the new contact and the old one
 * with ;expires=0, so Kamailio swaps them in one request. */
static void sc_update_contact(void)
{
    char ct_a[96], ct_b[96], addr_a[96], addr_b[96], cid[128], want[256];
    start();
    contact_of(ct_a, sizeof(ct_a), "carol");
    contact_of(ct_b, sizeof(ct_b), "carol-moved");
    addr_of(addr_a, sizeof(addr_a), "carol");
    addr_of(addr_b, sizeof(addr_b), "carol-moved");
    const char *cts[] = {ct_a};
    pjsip_regc *regc = ir_regc("carol", realm, "secret", 1, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], 8);
    const char *first[] = {addr_a};
    expect_bindings("carol", 1, first, cid, 7, 8);

    pj_str_t nb = pj_str(ct_b);
    CHECK_INT(pjsip_regc_update_contact(regc, 1, &nb), PJ_SUCCESS);
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(2, 5000));
    check_ok(&H.rec[1], 8);
    /* Kamailio lists the AOR's bindings after the change: only the new one. */
    CHECK_INT(H.rec[1].contact_cnt, 1);
    CHECK(cb_has_contact(&H.rec[1], addr_b, 8));
    const char *second[] = {addr_b};
    expect_bindings("carol", 1, second, cid, 7, 8);

    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 4);
    if (n == 4) {
        /* new contact first, then the removed one with ;expires=0 */
        snprintf(want, sizeof(want), "%s,%s;expires=0", ct_b, ct_a);
        CHECK_STR(rx[3].contacts, want);
        CHECK_INT(rx[3].saved, 1);
    }
    unregister_and_check(regc, "carol");
    n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 6);
    if (n == 6)
        CHECK_STR(rx[5].contacts, ct_b); /* the removed contact went out once */
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Several contacts in one registration. */
static void sc_multi_contacts(void)
{
    char ct[3][128], addr[3][96], cid[128];
    start();
    contact_of(ct[0], sizeof(ct[0]), "dave");
    snprintf(ct[1], sizeof(ct[1]), "<sip:dave-2@127.0.0.1:%d>;q=0.5", H.port);
    snprintf(ct[2], sizeof(ct[2]), "\"Dave Three\" <sip:dave-3@127.0.0.1:%d>", H.port);
    addr_of(addr[0], sizeof(addr[0]), "dave");
    addr_of(addr[1], sizeof(addr[1]), "dave-2");
    addr_of(addr[2], sizeof(addr[2]), "dave-3");
    const char *cts[] = {ct[0], ct[1], ct[2]};
    pjsip_regc *regc = ir_regc("dave", realm, "secret", 3, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], 8);
    CHECK_INT(H.rec[0].contact_cnt, 3);
    for (int i = 0; i < 3; i++)
        CHECK(cb_has_contact(&H.rec[0], addr[i], 8));
    const char *addrs[] = {addr[0], addr[1], addr[2]};
    expect_bindings("dave", 3, addrs, cid, 7, 8);
    unregister_and_check(regc, "dave");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* unregister_all removes the bindings another client (its own Call-ID and
 * contact) made for the same AOR. */
static void sc_unregister_all(void)
{
    char ct_me[96], ct_other[96], addr_me[96], addr_other[96], cid_me[128], cid_other[128];
    start();
    contact_of(ct_me, sizeof(ct_me), "erin");
    contact_of(ct_other, sizeof(ct_other), "erin-deskphone");
    addr_of(addr_me, sizeof(addr_me), "erin");
    addr_of(addr_other, sizeof(addr_other), "erin-deskphone");
    const char *c1[] = {ct_other}, *c2[] = {ct_me};
    pjsip_regc *other = ir_regc("erin", realm, "secret", 1, c1, 8);
    pjsip_regc *regc = ir_regc("erin", realm, "secret", 1, c2, 8);
    CHECK(other != NULL && regc != NULL);
    if (!other || !regc)
        return;
    CHECK_INT(ir_register(other, PJ_FALSE, cid_other, sizeof(cid_other)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    CHECK_INT(ir_register(regc, PJ_FALSE, cid_me, sizeof(cid_me)), PJ_SUCCESS);
    CHECK(ir_wait(2, 5000));
    CHECK(strcmp(cid_me, cid_other) != 0);
    check_ok(&H.rec[1], 8);
    CHECK_INT(H.rec[1].contact_cnt, 2); /* Kamailio lists both bindings */
    CHECK(cb_has_contact(&H.rec[1], addr_me, 8));
    CHECK(cb_has_contact(&H.rec[1], addr_other, 8) || cb_has_contact(&H.rec[1], addr_other, 7));
    kam_binding b[KAM_MAX_BINDINGS];
    int n = kam_lookup("erin", b, KAM_MAX_BINDINGS);
    CHECK_INT(n, 2);
    int k1 = kam_find(b, n, addr_me), k2 = kam_find(b, n, addr_other);
    CHECK(k1 >= 0 && k2 >= 0);
    if (k1 >= 0 && k2 >= 0) {
        CHECK_STR(b[k1].callid, cid_me);
        CHECK_STR(b[k2].callid, cid_other);
    }

    CHECK_INT(ir_unregister_all(regc), PJ_SUCCESS);
    CHECK(ir_wait(3, 5000));
    CHECK_INT(H.rec[2].status, PJ_SUCCESS);
    CHECK_INT(H.rec[2].code, 200);
    CHECK_INT(H.rec[2].is_unreg, 1);
    CHECK_INT(H.rec[2].expiration, 0);
    CHECK_INT(H.rec[2].contact_cnt, 0);
    expect_bindings("erin", 0, NULL, NULL, 0, 0);
    kam_rx rx[KAM_MAX_RX];
    n = kam_rx_log(cid_me, rx, KAM_MAX_RX);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(rx[3].contacts, "*");
        CHECK_STR(rx[3].expires, "0");
        CHECK_INT(rx[3].saved, 1);
    }
    /* The other client is not told: it still believes it is registered
     * (pjsip has no way to learn it before its next refresh). */
    pjsip_regc_info info;
    pjsip_regc_get_info(other, &info);
    CHECK_INT(info.interval, 8);
    pjsip_regc_destroy(other);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Below min_expires: Kamailio answers 423 with Min-Expires, the library
 * retries with that value, and the refresh keeps it. */
static void sc_min_expires(void)
{
    char ct[96], addr[96], cid[128];
    start();
    contact_of(ct, sizeof(ct), "frank");
    addr_of(addr, sizeof(addr), "frank");
    const char *cts[] = {ct};
    unsigned asked = (unsigned)(min_exp > 1 ? min_exp - 1 : 1);
    pjsip_regc *regc = ir_regc("frank", realm, "secret", 1, cts, asked);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(pjsip_regc_set_reg_tsx_cb(regc, &on_tsx), PJ_SUCCESS);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], (unsigned)min_exp);
    CHECK(cb_has_contact(&H.rec[0], addr, (unsigned)min_exp));
    /* tsx_cb saw every final response: 401, 423 (Min-Expires), 401, 200 */
    CHECK_INT(tsx_count, 4);
    if (tsx_count == 4) {
        CHECK_INT(T[0].code, 401);
        CHECK_INT(T[1].code, 423);
        CHECK_INT(T[1].min_expires, min_exp);
        CHECK_INT(T[2].code, 401);
        CHECK_INT(T[3].code, 200);
    }
    kam_rx rx[KAM_MAX_RX];
    char want[16];
    snprintf(want, sizeof(want), "%u", asked);
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(rx[0].expires, want);
        CHECK_STR(rx[1].expires, want);
        /* save() sent the 423 and failed; the stock script then calls
         * sl_reply_error(), a second final response (500) to the same
         * request, which the client must absorb (tsx_cb saw only 423). */
        CHECK_INT(rx[1].saved, -1);
        CHECK_INT(rx[1].error_reply, 1);
        snprintf(want, sizeof(want), "%d", min_exp);
        CHECK_STR(rx[2].expires, want);
        CHECK_STR(rx[3].expires, want);
        CHECK_INT(rx[3].saved, 1);
    }
    const char *addrs[] = {addr};
    expect_bindings("frank", 1, addrs, cid, min_exp - 1, min_exp);
    /* The refresh (1 s before the end) asks for Min-Expires again. */
    CHECK(ir_wait(2, (min_exp + 2) * 1000));
    if (H.count >= 2) {
        check_ok(&H.rec[1], (unsigned)min_exp);
        n = kam_rx_log(cid, rx, KAM_MAX_RX);
        CHECK_INT(n, 6);
        if (n == 6) {
            CHECK_STR(rx[4].expires, want);
            CHECK_INT(rx[5].saved, 1);
        }
    }
    expect_bindings("frank", 1, addrs, cid, min_exp - 1, min_exp);
    unregister_and_check(regc, "frank");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Above max_expires: Kamailio grants less; the refresh follows the granted
 * value, not the requested one. */
static void sc_max_expires(void)
{
    char ct[96], addr[96], cid[128];
    start();
    contact_of(ct, sizeof(ct), "grace");
    addr_of(addr, sizeof(addr), "grace");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("grace", realm, "secret", 1, cts, 3600);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], (unsigned)max_exp);
    CHECK(cb_has_contact(&H.rec[0], addr, (unsigned)max_exp));
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, max_exp);
    /* refresh at granted - 5 s (or 5 s when that is under 5) */
    unsigned want_delay = max_exp - 5 >= 5 ? (unsigned)max_exp - 5 : 5;
    CHECK(info.next_reg >= want_delay - 1 && info.next_reg <= want_delay);
    const char *addrs[] = {addr};
    expect_bindings("grace", 1, addrs, cid, max_exp - 1, max_exp);

    CHECK(ir_wait(2, (int)(want_delay + 3) * 1000));
    if (H.count >= 2) {
        check_ok(&H.rec[1], (unsigned)max_exp);
        double gap = H.rec[1].at_ms - H.rec[0].at_ms;
        if (gap < want_delay * 1000.0 - 300 || gap > want_delay * 1000.0 + 800)
            fprintf(stderr, "   refresh came %.0f ms after the registration, expected ~%u000\n", gap,
                    want_delay);
        CHECK(gap >= want_delay * 1000.0 - 300 && gap <= want_delay * 1000.0 + 800);
    }
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(rx[0].expires, "3600");
        CHECK_STR(rx[2].expires, "3600"); /* it keeps asking; Kamailio caps again */
        CHECK_INT(rx[3].saved, 1);
    }
    expect_bindings("grace", 1, addrs, cid, max_exp - 1, max_exp);
    unregister_and_check(regc, "grace");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Wrong password, Kamailio re-challenges (its stock behaviour). */
static void sc_wrong_password(void)
{
    char ct[96], cid[128], n1[128], n2[128];
    start();
    contact_of(ct, sizeof(ct), "heidi");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("heidi", realm, "not-the-password", 1, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    h_poll(300); /* nothing else may come */
    CHECK_INT(H.count, 1);
    cb_record *r = &H.rec[0];
    /* Kamailio's nonce only changes with the second: the retry normally gets
     * the same nonce back, which pjsip reports as failed credentials. */
    CHECK_INT(r->status, PJSIP_EFAILEDCREDENTIAL);
    CHECK_INT(r->code, 401);
    CHECK_STR(r->reason, "Unauthorized");
    CHECK_INT(r->has_rdata, 1);
    CHECK_INT(r->expiration, 8);
    CHECK_INT(r->contact_cnt, 0);
    CHECK_INT(r->is_unreg, 0);
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, PJSIP_REGC_EXPIRATION_NOT_SPECIFIED);
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    /* 2 REGISTERs; 3 when the nonce rolled over between them (pjsip then
     * treats the new nonce as stale and tries once more). */
    CHECK(n == 2 || n == 3);
    for (int i = 1; i < n; i++)
        CHECK_INT(rx[i].auth_rc, -2); /* invalid password */
    if (n == 3)
        CHECK(strcmp(auth_param(rx[1].auth, "nonce", n1, sizeof(n1)),
                     auth_param(rx[2].auth, "nonce", n2, sizeof(n2))) != 0);
    expect_bindings("heidi", 0, NULL, NULL, 0, 0);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Wrong password, Kamailio refuses with 403 (policy chosen by a header the
 * client adds with pjsip_regc_add_headers). */
static void sc_wrong_password_403(void)
{
    char ct[96], cid[128];
    start();
    contact_of(ct, sizeof(ct), "ivan");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("ivan", realm, "not-the-password", 1, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    pj_pool_t *pool = pj_pool_create(&H.cp.factory, "hdrs", 512, 512, NULL);
    pjsip_hdr hdrs;
    pj_list_init(&hdrs);
    pj_str_t hn = pj_str("X-Interop-Bad-Password"), hv = pj_str("reject");
    pjsip_generic_string_hdr *h = pjsip_generic_string_hdr_create(pool, &hn, &hv);
    pj_list_push_back(&hdrs, h);
    CHECK_INT(pjsip_regc_add_headers(regc, &hdrs), PJ_SUCCESS);
    CHECK_INT(ir_register(regc, PJ_TRUE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    h_poll(300);
    CHECK_INT(H.count, 1);
    cb_record *r = &H.rec[0];
    CHECK_INT(r->status, PJ_SUCCESS);
    CHECK_INT(r->code, 403);
    CHECK_STR(r->reason, "Wrong Password");
    CHECK_INT(r->has_rdata, 1);
    CHECK_INT(r->expiration, 8);
    CHECK_INT(r->contact_cnt, 0);
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 2);
    if (n == 2)
        CHECK_INT(rx[1].auth_rc, -2);
    expect_bindings("ivan", 0, NULL, NULL, 0, 0);
    pjsip_regc_destroy(regc);
    pj_pool_release(pool);
    h_teardown();
}

/* The client answers a challenge after the nonce expired: Kamailio says
 * stale=true with a new nonce and the library re-authenticates. */
static void sc_stale_nonce(void)
{
    char ct[96], addr[96], cid[128], v1[128], v2[128];
    /* T1 longer than the stall so that no retransmission muddles the trace.
     * Set before the endpoint exists: pjsip latches pjsip_cfg()->tsx in
     * pjsip_tsx_layer_init_module (later changes need pjsip_tsx_set_timers). */
    h_fast_timers(8000, 8000, 32000);
    start();
    contact_of(ct, sizeof(ct), "judy");
    addr_of(addr, sizeof(addr), "judy");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("judy", realm, "secret", 1, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    CHECK_INT(pjsip_regc_set_reg_tsx_cb(regc, &on_tsx), PJ_SUCCESS);
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    /* Do not poll: the 401 waits in the socket until the nonce is stale. */
    struct timespec ts = {nonce_exp + 1, 500 * 1000 * 1000};
    nanosleep(&ts, NULL);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], 8);
    CHECK_INT(tsx_count, 3);
    if (tsx_count == 3) {
        CHECK_INT(T[0].code, 401);
        CHECK_INT(T[0].stale, 0);
        CHECK_INT(T[1].code, 401);
        CHECK_INT(T[1].stale, 1);
        CHECK(strcmp(T[0].nonce, T[1].nonce) != 0);
        CHECK_INT(T[2].code, 200);
    }
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(rx[0].auth_rc, -5);
        CHECK_INT(rx[1].auth_rc, -4); /* nonce expired */
        CHECK_INT(rx[2].saved, 1);
        CHECK_STR(auth_param(rx[2].auth, "nc", v1, sizeof(v1)), "00000001");
        CHECK(strcmp(auth_param(rx[1].auth, "nonce", v1, sizeof(v1)),
                     auth_param(rx[2].auth, "nonce", v2, sizeof(v2))) != 0);
    }
    const char *addrs[] = {addr};
    expect_bindings("judy", 1, addrs, cid, 7, 8);
    unregister_and_check(regc, "judy");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* After all scenarios: nothing left in Kamailio's location table. */
static void sc_table_empty(void)
{
    CHECK_INT(kam_records(), 0);
}

/* A REGISTER of 1300 bytes or more for a UDP URI goes over TCP when the
 * client has a TCP transport (RFC 3261 18.1.1, pjsip's UDP size
 * threshold); Kamailio listens on TCP at its UDP port. The credentials
 * follow on the same connection. Over UDP only (KAM_TRANSPORT unset). */
static void sc_large_register_over_tcp(void)
{
    char ct[96], addr[96], cid[128], pad[1401];
    start();
    pj_sockaddr_in local;
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&local, &lo, 0);
    CHECK_INT(pjsip_tcp_transport_start(H.endpt, &local, 1, NULL), PJ_SUCCESS);
    contact_of(ct, sizeof(ct), "alice");
    addr_of(addr, sizeof(addr), "alice");
    const char *cts[] = {ct};
    pjsip_regc *regc = ir_regc("alice", realm, "secret", 1, cts, 8);
    CHECK(regc != NULL);
    if (!regc)
        return;
    memset(pad, 'p', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    pjsip_hdr hdrs;
    pj_str_t name = pj_str("X-Pad"), value = pj_str(pad);
    pj_list_init(&hdrs);
    pj_list_push_back(&hdrs, pjsip_generic_string_hdr_create(pjsip_regc_get_pool(regc), &name, &value));
    CHECK_INT(pjsip_regc_add_headers(regc, &hdrs), PJ_SUCCESS);
    CHECK_INT(ir_register(regc, PJ_FALSE, cid, sizeof(cid)), PJ_SUCCESS);
    CHECK(ir_wait(1, 5000));
    check_ok(&H.rec[0], 8);
    kam_rx rx[KAM_MAX_RX];
    int n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(rx[0].proto, "tcp");
        CHECK_STR(rx[1].proto, "tcp");
        CHECK_INT(rx[1].saved, 1);
    }
    const char *addrs[] = {addr};
    expect_bindings("alice", 1, addrs, cid, 7, 8);
    unregister_and_check(regc, "alice");
    n = kam_rx_log(cid, rx, KAM_MAX_RX);
    CHECK(n >= 3);
    if (n >= 3)
        CHECK_STR(rx[2].proto, "tcp");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static const struct {
    const char *name;
    void (*fn)(void);
} scenarios[] = {
    {"register_auth", sc_register_auth},
    {"refresh", sc_refresh},
    {"update_contact", sc_update_contact},
    {"multi_contacts", sc_multi_contacts},
    {"unregister_all", sc_unregister_all},
    {"min_expires", sc_min_expires},
    {"max_expires", sc_max_expires},
    {"wrong_password", sc_wrong_password},
    {"wrong_password_403", sc_wrong_password_403},
    {"stale_nonce", sc_stale_nonce},
    {"table_empty", sc_table_empty},
    {"large_register_over_tcp", sc_large_register_over_tcp},
};

int main(int argc, char **argv)
{
    realm = env_req("KAM_REALM");
    min_exp = env_int("KAM_MIN_EXPIRES", 3);
    max_exp = env_int("KAM_MAX_EXPIRES", 10);
    nonce_exp = env_int("KAM_NONCE_EXPIRE", 2);
    env_req("KAM_SERVER");
    char name[96] = "kamailio";
    int ran = 0;
    for (size_t i = 0; i < PJ_ARRAY_SIZE(scenarios); i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strcmp(argv[a], scenarios[i].name) == 0)
                wanted = 1;
        if (!wanted)
            continue;
        scenarios[i].fn();
        ran++;
        if (argc == 2)
            snprintf(name, sizeof(name), "kamailio/%s", scenarios[i].name);
    }
    if (!ran) {
        fprintf(stderr, "kam_scenarios: no such scenario\n");
        return 2;
    }
    return h_summary(name);
}
