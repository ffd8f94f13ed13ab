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
    h_teardown();
    return h_summary("test_args");
}
