/* The registrar-behaviour table of pjproject's own regc test: how the
 * granted expiration is derived from what the registrar answers, each row
 * with pjsip_cfg()->regc.check_contact and add_xuid_param on and off. */
#include "regc_harness.h"

typedef struct row {
    const char *name;
    const char *action; /* the registrar's default action */
    /* expected expiration for (check_contact, add_xuid): 00 01 10 11 */
    unsigned expect[4];
    int contacts; /* contact_cnt in the callback */
} row;

static const row rows[] = {
    {"basic", "{\"code\":200,\"contact\":\"request\"}", {600, 600, 600, 600}, 1},
    {"extra bindings", "{\"code\":200,\"contact\":\"request\",\"expires_hdr\":77,"
                       "\"extra_contacts\":[\"<sip:other@192.0.2.2>;expires=120\"]}",
     {77, 600, 600, 600}, 2},
    {"contact modified", "{\"code\":200,\"contact\":\"modified\",\"contact_expires\":45,\"expires_hdr\":77}",
     {45, 45, 45, 45}, 1},
    {"contact replaced", "{\"code\":200,\"contact\":\"replaced\",\"contact_expires\":45}", {45, 45, 45, 45}, 1},
    {"replaced + extra", "{\"code\":200,\"contact\":\"replaced\",\"contact_expires\":45,\"expires_hdr\":77,"
                         "\"extra_contacts\":[\"<sip:other@192.0.2.2>;expires=120\"]}",
     {77, 77, 77, 77}, 2},
    {"no contact, Expires", "{\"code\":200,\"contact\":\"none\",\"expires_hdr\":77}", {77, 77, 77, 77}, 0},
    {"neither", "{\"code\":200,\"contact\":\"none\"}", {600, 600, 600, 600}, 0},
};

static void run(const row *r, int check_contact, int xuid)
{
    char cfg[512];
    snprintf(cfg, sizeof(cfg), "{\"default\":%s}", r->action);
    pjsip_cfg()->regc.check_contact = check_contact;
    pjsip_cfg()->regc.add_xuid_param = xuid;
    h_setup(cfg);
    pjsip_regc *regc = h_regc(600);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    unsigned want = r->expect[check_contact * 2 + xuid];
    if (H.rec[0].expiration != want || H.rec[0].contact_cnt != r->contacts)
        fprintf(stderr, "row '%s' check_contact=%d xuid=%d\n", r->name, check_contact, xuid);
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(H.rec[0].expiration, want);
    CHECK_INT(H.rec[0].contact_cnt, r->contacts);
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    CHECK_INT(info.interval, want);
    const char *contact = registrar_header(H.reg, 0, "Contact", 0);
    CHECK(contact != NULL && (strstr(contact, ";x-uid=") != NULL) == (xuid != 0));
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        for (int cc = 0; cc <= 1; cc++)
            for (int xu = 0; xu <= 1; xu++)
                run(&rows[i], cc, xu);
    pjsip_cfg()->regc.check_contact = 1;
    pjsip_cfg()->regc.add_xuid_param = 0;
    return h_summary("test_table");
}
