/* How URIs, contacts and name-addrs given to regc come out on the wire, and
 * how the response's contacts look to the callback. */
#include "regc_harness.h"

static void register_with(const char *from, const char *to, int ccnt, const char **contacts, unsigned expires)
{
    pjsip_regc *regc = NULL;
    pj_str_t srv = pj_str(H.server), f = pj_str((char *)from), t = pj_str((char *)to);
    pj_str_t c[8];
    for (int i = 0; i < ccnt; i++)
        c[i] = pj_str((char *)contacts[i]);
    regc = h_regc(expires);
    CHECK_INT(pjsip_regc_init(regc, &srv, &f, &t, ccnt, c, expires), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(H.count + 1, 5000));
    pjsip_regc_destroy(regc);
}

static void test_contact_forms(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    const char *contacts[] = {
        "\"Alice Smith\" <sip:alice@127.0.0.1:5070;transport=udp>;q=0.5;expires=30",
        "sip:alice@127.0.0.1:5071;ob",
        "Bob <sips:bob@example.com>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1",
        "<sip:alice@[::1]:5072>;q=1",
        "<tel:+1-201-555-0123>",
    };
    register_with("\"Alice\" <sip:alice@example.com>", "sip:alice@example.com", 5, contacts, 120);
    for (int i = 0; i < registrar_header_count(H.reg, 0, "Contact"); i++)
        printf("contact %d: %s\n", i, registrar_header(H.reg, 0, "Contact", i));
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 0),
              "\"Alice Smith\" <sip:alice@127.0.0.1:5070;transport=udp>;q=0.5;expires=30");
    /* RFC 3261 20.10: after a bare URI, parameters are header parameters. */
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 1), "<sip:alice@127.0.0.1:5071>;ob");
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 2),
              "\"Bob\" <sips:bob@example.com>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1");
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 3), "<sip:alice@[::1]:5072>;q=1");
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 4), "<tel:+1-201-555-0123>");
    CHECK_STR(registrar_header(H.reg, 0, "From", 0) ? "set" : NULL, "set");
    const char *from = registrar_header(H.reg, 0, "From", 0);
    CHECK(from && strncmp(from, "\"Alice\" <sip:alice@example.com>;tag=", 36) == 0);
    CHECK_STR(registrar_header(H.reg, 0, "To", 0), "<sip:alice@example.com>");
    /* The five new ones, then the first init's contact with expires=0. */
    CHECK_INT(H.rec[0].contact_cnt, 6);
    char removed[120];
    snprintf(removed, sizeof(removed), "%s;expires=0", H.contact);
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 5), removed);
    for (int i = 0; i < H.rec[0].contact_cnt; i++)
        printf("callback contact %d: %s expires=%u\n", i, H.rec[0].contact_uri[i], H.rec[0].contact_expires[i]);
    CHECK_STR(H.rec[0].contact_uri[0], "<sip:alice@127.0.0.1:5070;transport=udp>");
    CHECK_INT(H.rec[0].contact_expires[0], 30);
    CHECK_INT(H.rec[0].expiration, 30);
    h_teardown();
}

static void test_uri_forms(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    snprintf(H.server, sizeof(H.server), "sip:%s;transport=%s;lr", H.server_hostport, H.tp_lower);
    const char *contacts[] = {"<sip:%61lice@127.0.0.1:5070;user=phone;maddr=127.0.0.1;ttl=5;method=REGISTER?X-Hdr=1>"};
    register_with("sip:alice@example.com;user=phone", "<sip:alice:pw@example.com:5060>", 1, contacts, 60);
    printf("request line: %s\n", registrar_request_line(H.reg, 0));
    printf("contact: %s\n", registrar_header(H.reg, 0, "Contact", 0));
    printf("from: %s\n", registrar_header(H.reg, 0, "From", 0));
    printf("to: %s\n", registrar_header(H.reg, 0, "To", 0));
    CHECK(registrar_request_line(H.reg, 0) != NULL);
    CHECK_STR(registrar_header(H.reg, 0, "To", 0), "<sip:alice:pw@example.com>");
    /* The user part is unescaped and printed again; method= is not printed
     * in a Contact. */
    CHECK_STR(registrar_header(H.reg, 0, "Contact", 0),
              "<sip:alice@127.0.0.1:5070;user=phone;ttl=5;maddr=127.0.0.1?X-Hdr=1>");
    h_teardown();
}

static void test_response_contact_params(void)
{
    h_setup("{\"default\":{\"code\":200,\"contact\":\"none\",\"headers\":["
            "\"Contact: <sip:alice@127.0.0.1:5070>;expires=77;q=0.7;received=\\\"sip:1.2.3.4:5\\\", "
            "\\\"X\\\" <sip:x@y>;expires=5\"]}}");
    const char *contacts[] = {"<sip:alice@127.0.0.1:5070>"};
    register_with("<sip:alice@example.com>", "<sip:alice@example.com>", 1, contacts, 100);
    CHECK_INT(H.rec[0].contact_cnt, 2);
    CHECK_STR(H.rec[0].contact_uri[0], "<sip:alice@127.0.0.1:5070>");
    CHECK_INT(H.rec[0].contact_expires[0], 77);
    CHECK_STR(H.rec[0].contact_uri[1], "\"X\" <sip:x@y>");
    CHECK_INT(H.rec[0].expiration, 77);
    h_teardown();
}

int main(void)
{
    test_contact_forms();
    test_uri_forms();
    test_response_contact_params();
    return h_summary("test_format");
}
