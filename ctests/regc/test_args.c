/* Argument checks: every call rejects what pjproject's PJ_ASSERT_RETURN
 * rejects, with PJ_EINVAL (a pjproject debug build aborts instead; its
 * release build returns the same codes). */
#include "regc_harness.h"

int main(void)
{
    h_setup(NULL);
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:9");
    pjsip_regc *regc = NULL;
    pj_str_t srv = pj_str(H.server), aor = pj_str("<sip:alice@example.com>"), contact = pj_str(H.contact);
    pjsip_tx_data *tdata = NULL;
    pjsip_regc_info info;

    CHECK_INT(pjsip_regc_create(H.endpt, NULL, NULL, &regc), PJ_EINVAL);
    CHECK_INT(pjsip_regc_create(NULL, NULL, NULL, &regc), PJ_EINVAL);
    regc = h_regc(60);
    CHECK(regc != NULL);
    CHECK_INT(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, 0), PJ_EINVAL);
    CHECK_INT(pjsip_regc_init(regc, NULL, &aor, &aor, 1, &contact, 60), PJ_EINVAL);
    CHECK_INT(pjsip_regc_init(NULL, &srv, &aor, &aor, 1, &contact, 60), PJ_EINVAL);
    CHECK_INT(pjsip_regc_get_info(regc, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_get_info(NULL, &info), PJ_EINVAL);
    CHECK_INT(pjsip_regc_set_credentials(regc, 0, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_set_prefs(regc, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_set_route_set(regc, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_set_transport(regc, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_add_headers(regc, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_register(regc, PJ_TRUE, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_unregister(NULL, &tdata), PJ_EINVAL);
    CHECK_INT(pjsip_regc_send(regc, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_regc_destroy(NULL), PJ_EINVAL);
    CHECK(pjsip_regc_get_pool(NULL) == NULL);
    CHECK_INT(pjsip_regc_destroy(regc), PJ_SUCCESS);

    /* The profile's transport, module and tx/rx data calls. */
    pjsip_udp_transport_cfg ucfg;
    pjsip_udp_transport_cfg_default(NULL, pj_AF_INET());
    pjsip_udp_transport_cfg_default(&ucfg, pj_AF_INET());
    CHECK_INT(pjsip_udp_transport_start2(NULL, &ucfg, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_udp_transport_start2(H.endpt, NULL, NULL), PJ_EINVAL);
    ucfg.async_cnt = 0;
    CHECK_INT(pjsip_udp_transport_start2(H.endpt, &ucfg, NULL), PJ_EINVAL);
    /* An unknown family leaves the address unset (pjproject's assert). */
    memset(&ucfg, 0x55, sizeof(ucfg));
    pjsip_udp_transport_cfg_default(&ucfg, 12345);
    CHECK_INT(ucfg.af, 12345);
    CHECK_INT(ucfg.bind_addr.addr.sa_family, 0);
    CHECK_INT(ucfg.async_cnt, 1);
    /* Each layer registers once, with one endpoint at a time. */
    CHECK_INT(pjsip_tsx_layer_init_module(NULL), PJ_EINVAL);
    CHECK_INT(pjsip_ua_init_module(NULL, NULL), PJ_EINVAL);
    CHECK_INT(pjsip_tsx_layer_init_module(H.endpt), PJ_EINVALIDOP);
    CHECK_INT(pjsip_ua_init_module(H.endpt, NULL), PJ_EINVALIDOP);
    CHECK_INT(pjsip_ua_destroy(), PJ_SUCCESS);
    CHECK_INT(pjsip_ua_destroy(), PJ_EINVALIDOP);
    CHECK_INT(pjsip_ua_instance()->id, -1);
    CHECK_INT(pjsip_ua_init_module(H.endpt, NULL), PJ_SUCCESS);
    CHECK_INT(pjsip_ua_instance()->id, 3);
    CHECK_INT(pjsip_tsx_layer_instance()->id, 1);

    CHECK_STR(pjsip_tx_data_get_info(NULL), "NULL");
    CHECK_STR(pjsip_rx_data_get_info(NULL), "NULL");
    CHECK_INT(pjsip_tx_data_encode(NULL), PJ_EINVAL);
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    CHECK_INT(pjsip_tx_data_set_transport(NULL, &sel), PJ_EINVAL);
    regc = h_regc(60);
    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    CHECK_INT(pjsip_tx_data_set_transport(tdata, NULL), PJ_EINVAL);
    /* A message without CSeq, and none at all. */
    CHECK(pjsip_msg_find_remove_hdr(tdata->msg, PJSIP_H_CSEQ, NULL) != NULL);
    CHECK_STR(pjsip_tx_data_get_info(tdata), "INVALID MSG");
    pjsip_msg *msg = tdata->msg;
    tdata->msg = NULL;
    pjsip_tx_data_invalidate_msg(tdata);
    CHECK_STR(pjsip_tx_data_get_info(tdata), "NULL");
    CHECK_INT(pjsip_tx_data_encode(tdata), PJ_EINVAL);
    CHECK(tdata->buf.start == NULL);
    tdata->msg = msg;
    /* A message too long for PJSIP_MAX_PKT_LEN. */
    static char big[4100];
    memset(big, 'x', sizeof(big) - 1);
    pj_str_t bn = pj_str("X-Big"), bv = pj_str(big);
    pjsip_msg_add_hdr(tdata->msg, (pjsip_hdr *)pjsip_generic_string_hdr_create(tdata->pool, &bn, &bv));
    CHECK_INT(pjsip_tx_data_encode(tdata), PJSIP_EMSGTOOLONG);
    CHECK(tdata->buf.cur == tdata->buf.start);
    CHECK_INT(pjsip_tx_data_dec_ref(tdata), PJSIP_EBUFDESTROYED);
    CHECK_INT(pjsip_regc_destroy(regc), PJ_SUCCESS);
    pjsip_rx_data *rdata = calloc(1, sizeof(*rdata));
    CHECK(rdata != NULL);
    CHECK_STR(pjsip_rx_data_get_info(rdata), "INVALID MSG");
    free(rdata);
    h_teardown();
    return h_summary("test_args");
}
