/* Configuration calls and their effect on the wire: route set, added
 * headers, Via sent-by, transport selection, contact and expires updates,
 * the auth session, the Allow capability and edits of tdata->msg. */
#include "regc_harness.h"

static pjsip_regc *registered(const char *json, unsigned expires)
{
    h_setup(json ? json : "{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    return h_regc(expires);
}

static void test_route_set_and_headers(void)
{
    pjsip_regc *regc = registered(NULL, 60);
    pj_pool_t *pool = pjsip_regc_get_pool(regc);
    /* Route: the registrar itself, loose routing. */
    char route_text[128];
    snprintf(route_text, sizeof(route_text), "<%s;lr>", H.server);
    pj_str_t hname = pj_str("Route");
    pjsip_route_hdr route_set;
    pj_list_init(&route_set);
    pjsip_route_hdr *r = (pjsip_route_hdr *)pjsip_parse_hdr(pool, &hname, route_text, strlen(route_text), NULL);
    CHECK(r != NULL);
    pj_list_push_back(&route_set, r);
    CHECK_INT(pjsip_regc_set_route_set(regc, &route_set), PJ_SUCCESS);

    pjsip_hdr hdrs;
    pj_list_init(&hdrs);
    pj_str_t ua = pj_str("User-Agent"), uav = pj_str("regc-test/1.0"), xh = pj_str("X-Test"), xv = pj_str("one");
    pj_list_push_back(&hdrs, pjsip_generic_string_hdr_create(pool, &ua, &uav));
    CHECK_INT(pjsip_regc_add_headers(regc, &hdrs), PJ_SUCCESS);
    pjsip_hdr more;
    pj_list_init(&more);
    pj_list_push_back(&more, pjsip_generic_string_hdr_create(pool, &xh, &xv));
    CHECK_INT(pjsip_regc_add_headers(regc, &more), PJ_SUCCESS);

    /* Allow from the endpoint's capability. */
    pj_str_t methods[] = {{"REGISTER", 8}, {"OPTIONS", 7}};
    CHECK_INT(pjsip_endpt_add_capability(H.endpt, NULL, PJSIP_H_ALLOW, NULL, 2, methods), PJ_SUCCESS);

    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(registrar_header_order(H.reg, 0),
              "Via,Route,Max-Forwards,From,To,Call-ID,CSeq,User-Agent,X-Test,Contact,Expires,Allow,Content-Length");
    CHECK_STR(registrar_header(H.reg, 0, "Route", 0), route_text);
    CHECK_STR(registrar_header(H.reg, 0, "User-Agent", 0), "regc-test/1.0");
    CHECK_STR(registrar_header(H.reg, 0, "Allow", 0), "REGISTER, OPTIONS");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_via_sent_by_and_transport(void)
{
    pjsip_regc *regc = registered(NULL, 60);
    pjsip_host_port via;
    via.host = pj_str("198.51.100.7");
    via.port = 5099;
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    if (H.reliable) {
        /* The connection does not exist yet: the sent-by applies to any
         * transport, the selector names the listener. */
        CHECK_INT(pjsip_regc_set_via_sent_by(regc, &via, NULL), PJ_SUCCESS);
        sel.type = PJSIP_TPSELECTOR_LISTENER;
        sel.u.listener = H.listener;
    } else {
        CHECK_INT(pjsip_regc_set_via_sent_by(regc, &via, H.tp), PJ_SUCCESS);
        sel.type = PJSIP_TPSELECTOR_TRANSPORT;
        sel.u.transport = H.tp;
    }
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    char want[80];
    snprintf(want, sizeof(want), "SIP/2.0/%s 198.51.100.7:5099;rport;branch=z9hG4bKPj", H.tp_name);
    const char *v = registrar_header(H.reg, 0, "Via", 0);
    CHECK(v && strncmp(v, want, strlen(want)) == 0);
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK(h_is_regc_transport(info.transport));
    CHECK_INT(pjsip_regc_release_transport(regc), PJ_SUCCESS);
    pjsip_regc_get_info(regc, &info);
    CHECK(info.transport == NULL);
    /* Clearing the override restores the transport's own address. */
    CHECK_INT(pjsip_regc_set_via_sent_by(regc, NULL, NULL), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    /* Over TCP/TLS that is the connection's own (ephemeral) port. */
    const char *src = registrar_source(H.reg, 1);
    int port = H.reliable && src && strrchr(src, ':') ? atoi(strrchr(src, ':') + 1) : H.port;
    snprintf(want, sizeof(want), "SIP/2.0/%s %s:%d;rport;branch=", H.tp_name, H.host, port);
    v = registrar_header(H.reg, 1, "Via", 0);
    CHECK(v && strncmp(v, want, strlen(want)) == 0);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_contact_and_expires_updates(void)
{
    pjsip_regc *regc = registered(NULL, 300);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    char second[96];
    snprintf(second, sizeof(second), "<sip:alice@%s:%d;transport=udp>", H.host, H.port);
    pj_str_t contacts[] = {pj_str(second)};
    CHECK_INT(pjsip_regc_update_contact(regc, 1, contacts), PJ_SUCCESS);
    CHECK_INT(pjsip_regc_update_expires(regc, 300), PJ_SUCCESS); /* == granted: no header */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(registrar_header_count(H.reg, 1, "Contact"), 2);
    CHECK_STR(registrar_header(H.reg, 1, "Contact", 0), second);
    CHECK_STR(registrar_header_param(H.reg, 1, "Contact", 1, "expires"), "0");
    CHECK(registrar_header(H.reg, 1, "Expires", 0) == NULL);
    /* The removal went out once. */
    CHECK_INT(pjsip_regc_update_expires(regc, PJSIP_REGC_EXPIRATION_NOT_SPECIFIED), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 5000));
    CHECK_INT(registrar_header_count(H.reg, 2, "Contact"), 1);
    CHECK_STR(registrar_header(H.reg, 2, "Expires", 0), "4294967295");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_edit_tdata_before_send(void)
{
    pjsip_regc *regc = registered(NULL, 60);
    pjsip_tx_data *tdata;
    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    CHECK(tdata->msg != NULL);
    CHECK_INT(tdata->msg->type, PJSIP_REQUEST_MSG);
    CHECK_INT(tdata->msg->line.req.method.id, PJSIP_REGISTER_METHOD);
    pjsip_expires_hdr *e = (pjsip_expires_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_EXPIRES, NULL);
    CHECK(e != NULL && e->ivalue == 60);
    if (e)
        e->ivalue = 45;
    pjsip_contact_hdr *c = (pjsip_contact_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_CONTACT, NULL);
    CHECK(c != NULL && c->star == 0 && c->expires == PJSIP_EXPIRES_NOT_SPECIFIED);
    CHECK(c != NULL && PJSIP_URI_SCHEME_IS_SIP(c->uri));
    pj_str_t name = pj_str("X-Edited"), value = pj_str("yes");
    pjsip_msg_add_hdr(tdata->msg, (pjsip_hdr *)pjsip_generic_string_hdr_create(tdata->pool, &name, &value));
    CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_STR(registrar_header(H.reg, 0, "Expires", 0), "45");
    CHECK_STR(registrar_header(H.reg, 0, "X-Edited", 0), "yes");
    CHECK_INT(H.rec[0].expiration, 45);

    /* A built request can also be dropped without sending. */
    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    pjsip_tx_data_add_ref(tdata);
    CHECK_INT(pjsip_tx_data_dec_ref(tdata), PJ_SUCCESS);
    CHECK_INT(pjsip_tx_data_dec_ref(tdata), PJSIP_EBUFDESTROYED);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Edits that allocate nothing still reach the wire: a field written in
 * place, a string's bytes changed in place, a header unlinked. */
static void test_edit_tdata_in_place(void)
{
    pjsip_regc *regc = registered(NULL, 60);
    pjsip_tx_data *tdata;
    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    pjsip_expires_hdr *e = (pjsip_expires_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_EXPIRES, NULL);
    CHECK(e != NULL);
    if (e)
        e->ivalue = 44;
    CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_STR(registrar_header(H.reg, 0, "Expires", 0), "44");

    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    pjsip_cid_hdr *cid = (pjsip_cid_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_CALL_ID, NULL);
    CHECK(cid != NULL && cid->id.slen > 0);
    char edited[256] = "";
    if (cid && cid->id.slen > 0 && cid->id.slen < (pj_ssize_t)sizeof(edited)) {
        cid->id.ptr[0] = cid->id.ptr[0] == 'a' ? 'b' : 'a'; /* still hex, as a GUID */
        memcpy(edited, cid->id.ptr, (size_t)cid->id.slen);
    }
    CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_STR(registrar_header(H.reg, 1, "Call-ID", 0), edited);

    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    e = (pjsip_expires_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_EXPIRES, NULL);
    CHECK(e != NULL);
    if (e)
        pj_list_erase(e);
    CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 5000));
    CHECK(registrar_header(H.reg, 2, "Expires", 0) == NULL);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_auth_session_parent(void)
{
    pjsip_regc *regc = registered("{\"realm\":\"r\",\"users\":{\"alice\":\"secret\"},\"auth\":{}}", 60);
    pj_pool_t *pool = pjsip_endpt_create_pool(H.endpt, "auth", 512, 512);
    pjsip_auth_clt_sess parent;
    /* Zeroed as pjsua's accounts are: pjproject before 2.16 leaves the
     * preferences to the caller. */
    memset(&parent, 0, sizeof(parent));
    CHECK_INT(pjsip_auth_clt_init(&parent, H.endpt, pool, 0), PJ_SUCCESS);
    pjsip_cred_info cred = h_cred("r", "alice", "secret");
    CHECK_INT(pjsip_auth_clt_set_credentials(&parent, 1, &cred), PJ_SUCCESS);
    CHECK_INT(parent.cred_cnt, 1);
    CHECK(pjsip_regc_get_auth_sess(regc) != NULL);
    CHECK_INT(pjsip_regc_set_auth_sess(regc, &parent), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(registrar_count(H.reg), 2);
    pjsip_regc_destroy(regc);
    pjsip_auth_clt_deinit(&parent);
    pjsip_endpt_release_pool(H.endpt, pool);
    h_teardown();
}

static void test_refresh_send_failure(void)
{
    /* The registrar grants 2 s; the refresh then fails to resolve. */
    pjsip_regc *regc = registered("{\"max_expires\":2,\"default\":{\"code\":200,\"contact\":\"request\"}}", 2);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    pj_str_t srv = pj_str("sip:no-such-host.invalid"), aor = pj_str("<sip:alice@example.com>");
    pj_str_t contact = pj_str(H.contact);
    CHECK_INT(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, 2), PJ_SUCCESS);
    CHECK(h_wait_callbacks(3, 5000));
    /* First the transaction-level 502, then the refresh failure. */
    CHECK_INT(H.rec[1].status, PJ_SUCCESS);
    CHECK_INT(H.rec[1].code, 502);
    CHECK_INT(H.rec[2].status, PJ_ERESOLVE);
    CHECK_INT(H.rec[2].code, 400);
    CHECK_STR(H.rec[2].reason, "gethostbyname() has returned error (PJ_ERESOLVE)");
    CHECK_INT(H.rec[2].has_rdata, 0);
    /* The failed transaction had no transport, and it becomes the last
     * one: both callbacks and get_info afterwards see none. */
    CHECK(H.rec[0].info.transport != NULL);
    CHECK(H.rec[1].info.transport == NULL);
    CHECK(H.rec[2].info.transport == NULL);
    pjsip_regc_info info;
    CHECK_INT(pjsip_regc_get_info(regc, &info), PJ_SUCCESS);
    CHECK(info.transport == NULL);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static int tsx_cb_calls;
static void count_tsx_cb(struct pjsip_regc_tsx_cb_param *param)
{
    (void)param;
    tsx_cb_calls++;
}

static void test_tsx_cb_not_for_unregister(void)
{
    pjsip_regc *regc = registered(NULL, 60);
    tsx_cb_calls = 0;
    CHECK_INT(pjsip_regc_set_reg_tsx_cb(regc, &count_tsx_cb), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(tsx_cb_calls, 1);
    CHECK_INT(h_unregister(regc), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(tsx_cb_calls, 1);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Headers appended to the endpoint's request headers go into every new
 * REGISTER next to Max-Forwards; capabilities can be read back. */
static void test_endpoint_headers_and_capabilities(void)
{
    pjsip_regc *regc = registered(NULL, 60);
    pj_pool_t *pool = pjsip_regc_get_pool(regc);
    pj_str_t ua = pj_str("User-Agent"), uav = pj_str("endpoint-ua/2");
    pjsip_hdr *req_hdrs = (pjsip_hdr *)pjsip_endpt_get_request_headers(H.endpt);
    CHECK(req_hdrs != NULL);
    pjsip_max_fwd_hdr *mf = (pjsip_max_fwd_hdr *)pjsip_hdr_find(req_hdrs, PJSIP_H_MAX_FORWARDS, NULL);
    CHECK(mf != NULL && mf->ivalue == 70);
    pj_list_push_back(req_hdrs, pjsip_generic_string_hdr_create(pool, &ua, &uav));
    pj_str_t tags[] = {{"path", 4}, {"outbound", 8}};
    pj_str_t methods[] = {{"REGISTER", 8}};
    CHECK_INT(pjsip_endpt_add_capability(H.endpt, NULL, PJSIP_H_SUPPORTED, NULL, 2, tags), PJ_SUCCESS);
    CHECK_INT(pjsip_endpt_add_capability(H.endpt, NULL, PJSIP_H_ALLOW, NULL, 1, methods), PJ_SUCCESS);
    const pjsip_generic_array_hdr *sup =
        (const pjsip_generic_array_hdr *)pjsip_endpt_get_capability(H.endpt, PJSIP_H_SUPPORTED, NULL);
    CHECK(sup != NULL && sup->count == 2 && pj_strcmp2(&sup->values[1], "outbound") == 0);
    CHECK(pjsip_endpt_get_capability(H.endpt, PJSIP_H_ACCEPT, NULL) == NULL);
    pj_str_t tok = pj_str("PATH"), none = pj_str("timer");
    CHECK_INT(pjsip_endpt_has_capability(H.endpt, PJSIP_H_SUPPORTED, NULL, &tok), PJ_TRUE);
    CHECK_INT(pjsip_endpt_has_capability(H.endpt, PJSIP_H_SUPPORTED, NULL, &none), PJ_FALSE);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_STR(registrar_header_order(H.reg, 0),
              "Via,Max-Forwards,User-Agent,From,To,Call-ID,CSeq,Contact,Expires,Allow,Content-Length");
    CHECK_STR(registrar_header(H.reg, 0, "User-Agent", 0), "endpoint-ua/2");
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_endpoint_headers_and_capabilities();
    test_route_set_and_headers();
    test_via_sent_by_and_transport();
    test_contact_and_expires_updates();
    test_edit_tdata_before_send();
    test_edit_tdata_in_place();
    test_auth_session_parent();
    test_refresh_send_failure();
    test_tsx_cb_not_for_unregister();
    return h_summary("test_config");
}
