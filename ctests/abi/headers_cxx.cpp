// The pjproject-named headers must compile as C++ with C linkage.
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <pjsip-ua/sip_regc.h>
#include <pj/log.h>
#include <pjsip/sip_auth.h>

static void on_reg(struct pjsip_regc_cbparam *param) { (void)param; }

int main()
{
    pj_caching_pool cp;
    pjsip_endpoint *endpt = NULL;
    pjsip_regc *regc = NULL;
    pjsip_regc_cb *cb = &on_reg;
    pj_init();
    pj_caching_pool_init(&cp, &pj_pool_factory_default_policy, 0);
    if (pjsip_endpt_create(&cp.factory, "cxx", &endpt) != PJ_SUCCESS)
        return 1;
    pjsip_cfg()->regc.check_contact = PJ_TRUE;
    if (pjsip_regc_create(endpt, NULL, cb, &regc) != PJ_SUCCESS)
        return 1;
    pjsip_regc_destroy(regc);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    pj_shutdown();
    return 0;
}
