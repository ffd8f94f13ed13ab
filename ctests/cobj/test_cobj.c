/* C view of SIP messages, headers and URIs, through pjproject's API only:
 * parse, print, compare, clone, build a message, find headers, read the
 * fields C programs read. Expected texts are what pjsip prints.
 *
 * Built against our headers; with -DORACLE it also builds against the same
 * headers but links real pjproject (see /work/shared/DESIGN.md), which must
 * give the same results. */
#include <pjregc/pjregc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>

#ifdef ORACLE
/* Real pjsip initialises its parser when the first endpoint is created. */
pj_status_t pjsip_endpt_create(pj_pool_factory *pf, const char *name, pjsip_endpoint **endpt);
#endif

/* ---- layouts (facts §4 and compat-profile §2.6-2.8) ---- */
#define OFF(t, f, n) _Static_assert(offsetof(t, f) == (n), #t "." #f)
#define SIZE(t, n) _Static_assert(sizeof(t) == (n), "sizeof " #t)
SIZE(pj_str_t, 16);
SIZE(pjsip_hdr, 64); OFF(pjsip_hdr, prev, 0); OFF(pjsip_hdr, next, 8); OFF(pjsip_hdr, type, 16);
OFF(pjsip_hdr, name, 24); OFF(pjsip_hdr, sname, 40); OFF(pjsip_hdr, vptr, 56);
SIZE(pjsip_hdr_vptr, 24); SIZE(pjsip_uri_vptr, 40);
SIZE(pjsip_param, 48); OFF(pjsip_param, name, 16); OFF(pjsip_param, value, 32);
SIZE(pjsip_name_addr, 32); OFF(pjsip_name_addr, display, 8); OFF(pjsip_name_addr, uri, 24);
SIZE(pjsip_sip_uri, 232); OFF(pjsip_sip_uri, user, 8); OFF(pjsip_sip_uri, passwd, 24);
OFF(pjsip_sip_uri, host, 40); OFF(pjsip_sip_uri, port, 56); OFF(pjsip_sip_uri, user_param, 64);
OFF(pjsip_sip_uri, method_param, 80); OFF(pjsip_sip_uri, transport_param, 96);
OFF(pjsip_sip_uri, ttl_param, 112); OFF(pjsip_sip_uri, lr_param, 116); OFF(pjsip_sip_uri, maddr_param, 120);
OFF(pjsip_sip_uri, other_param, 136); OFF(pjsip_sip_uri, header_param, 184);
SIZE(pjsip_other_uri, 40); OFF(pjsip_other_uri, scheme, 8); OFF(pjsip_other_uri, content, 24);
SIZE(pjsip_tel_uri, 120); OFF(pjsip_tel_uri, other_param, 72);
SIZE(pjsip_generic_string_hdr, 80); OFF(pjsip_generic_string_hdr, hvalue, 64);
SIZE(pjsip_generic_int_hdr, 72); OFF(pjsip_generic_int_hdr, ivalue, 64);
SIZE(pjsip_generic_array_hdr, 584); OFF(pjsip_generic_array_hdr, count, 64); OFF(pjsip_generic_array_hdr, values, 72);
SIZE(pjsip_contact_hdr, 136); OFF(pjsip_contact_hdr, star, 64); OFF(pjsip_contact_hdr, uri, 72);
OFF(pjsip_contact_hdr, q1000, 80); OFF(pjsip_contact_hdr, expires, 84); OFF(pjsip_contact_hdr, other_param, 88);
SIZE(pjsip_fromto_hdr, 136); OFF(pjsip_fromto_hdr, uri, 64); OFF(pjsip_fromto_hdr, tag, 72);
OFF(pjsip_fromto_hdr, other_param, 88);
SIZE(pjsip_routing_hdr, 144); OFF(pjsip_routing_hdr, name_addr, 64); OFF(pjsip_routing_hdr, other_param, 96);
SIZE(pjsip_via_hdr, 224); OFF(pjsip_via_hdr, transport, 64); OFF(pjsip_via_hdr, sent_by, 80);
OFF(pjsip_via_hdr, ttl_param, 104); OFF(pjsip_via_hdr, rport_param, 108); OFF(pjsip_via_hdr, maddr_param, 112);
OFF(pjsip_via_hdr, recvd_param, 128); OFF(pjsip_via_hdr, branch_param, 144); OFF(pjsip_via_hdr, other_param, 160);
OFF(pjsip_via_hdr, comment, 208);
SIZE(pjsip_cid_hdr, 80); OFF(pjsip_cid_hdr, id, 64);
SIZE(pjsip_cseq_hdr, 96); OFF(pjsip_cseq_hdr, cseq, 64); OFF(pjsip_cseq_hdr, method, 72);
SIZE(pjsip_clen_hdr, 72); OFF(pjsip_clen_hdr, len, 64);
SIZE(pjsip_ctype_hdr, 144); OFF(pjsip_ctype_hdr, media, 64);
SIZE(pjsip_method, 24); OFF(pjsip_method, id, 0); OFF(pjsip_method, name, 8);
SIZE(pjsip_msg_body, 112); OFF(pjsip_msg_body, data, 80); OFF(pjsip_msg_body, len, 88);
OFF(pjsip_msg_body, print_body, 96); OFF(pjsip_msg_body, clone_data, 104);
SIZE(pjsip_msg, 112); OFF(pjsip_msg, type, 0); OFF(pjsip_msg, line, 8); OFF(pjsip_msg, hdr, 40);
OFF(pjsip_msg, body, 104);
OFF(pjsip_msg, line.req.uri, 32); OFF(pjsip_msg, line.status.reason, 16);
SIZE(pjsip_authorization_hdr, 288); OFF(pjsip_authorization_hdr, scheme, 64); OFF(pjsip_authorization_hdr, credential, 80);
SIZE(pjsip_www_authenticate_hdr, 232); OFF(pjsip_www_authenticate_hdr, challenge, 80);

/* ---- checking ---- */
static int passed, failed;

#define CHECK(cond) do { if (cond) ++passed; else { ++failed; \
    printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

static void check_str(int line, const char *what, const char *got, const char *want)
{
    if (got && strcmp(got, want) == 0) {
        ++passed;
    } else {
        ++failed;
        printf("FAIL line %d (%s):\n  got:  [%s]\n  want: [%s]\n", line, what, got ? got : "(null)", want);
    }
}
#define CHECK_STR(what, got, want) check_str(__LINE__, what, got, want)

static pj_pool_t *pool;
static char buf[4096];

static const char *uri_text(pjsip_uri_context_e ctx, const void *uri)
{
    int n;
    if (!uri) return NULL;
    n = pjsip_uri_print(ctx, uri, buf, sizeof(buf));
    if (n < 0) return NULL;
    buf[n] = '\0';
    return buf;
}

static const char *hdr_text(const void *hdr)
{
    int n;
    if (!hdr) return NULL;
    n = pjsip_hdr_print_on((void *)hdr, buf, sizeof(buf));
    if (n < 0) return NULL;
    buf[n] = '\0';
    return buf;
}

static pjsip_uri *parse_uri(const char *s, unsigned opt)
{
    /* pjsip wants a writable buffer with a NUL after the text. */
    size_t len = strlen(s);
    char *copy = pj_pool_alloc(pool, len + 1);
    memcpy(copy, s, len + 1);
    return pjsip_parse_uri(pool, copy, len, opt);
}

static void *parse_hdr(const char *name, const char *value)
{
    pj_str_t hname;
    size_t len = strlen(value);
    char *copy = pj_pool_alloc(pool, len + 1);
    memcpy(copy, value, len + 1);
    hname.ptr = (char *)name;
    hname.slen = (pj_ssize_t)strlen(name);
    return pjsip_parse_hdr(pool, &hname, copy, len, NULL);
}

static int pjstr_eq(const pj_str_t *s, const char *c)
{
    return s->slen == (pj_ssize_t)strlen(c) && memcmp(s->ptr, c, (size_t)s->slen) == 0;
}

/* ---- URIs ---- */
static void test_uri_print(void)
{
    static const struct { const char *in; pjsip_uri_context_e ctx; const char *out; } cases[] = {
        { "sip:alice@example.com", PJSIP_URI_IN_REQ_URI, "sip:alice@example.com" },
        { "sip:alice@example.com:5070;transport=tcp;lr", PJSIP_URI_IN_FROMTO_HDR, "sip:alice@example.com" },
        { "sip:alice@example.com:5070;transport=tcp;lr", PJSIP_URI_IN_ROUTING_HDR,
          "sip:alice@example.com:5070;transport=tcp;lr" },
        { "sip:alice@example.com:5070;transport=tcp;lr", PJSIP_URI_IN_CONTACT_HDR,
          "sip:alice@example.com:5070;transport=tcp" },
        { "sip:bob@biloxi.com;method=REGISTER;ttl=3?Subject=hi", PJSIP_URI_IN_OTHER,
          "sip:bob@biloxi.com;method=REGISTER;ttl=3?Subject=hi" },
        { "sip:bob@biloxi.com;method=REGISTER;ttl=3?Subject=hi", PJSIP_URI_IN_REQ_URI,
          "sip:bob@biloxi.com;ttl=3" },
        { "sips:[::1]:5061", PJSIP_URI_IN_REQ_URI, "sips:[::1]:5061" },
        { "\"Bob\" <sip:bob@biloxi.com>", PJSIP_URI_IN_FROMTO_HDR, "\"Bob\" <sip:bob@biloxi.com>" },
        { "\"Bob\" <sip:bob@biloxi.com>", PJSIP_URI_IN_REQ_URI, "sip:bob@biloxi.com" },
        { "Bob Smith <sip:bob@biloxi.com>", PJSIP_URI_IN_CONTACT_HDR, "\"Bob Smith\" <sip:bob@biloxi.com>" },
        { "tel:+1-201-555-0123;ext=22", PJSIP_URI_IN_REQ_URI, "tel:+1-201-555-0123;ext=22" },
        { "urn:service:sos", PJSIP_URI_IN_OTHER, "urn:service:sos" },
    };
    size_t i;
    for (i = 0; i < PJ_ARRAY_SIZE(cases); ++i) {
        pjsip_uri *u = parse_uri(cases[i].in, 0);
        CHECK(u != NULL);
        CHECK_STR(cases[i].in, uri_text(cases[i].ctx, u), cases[i].out);
    }
    /* Too small a buffer gives -1. */
    {
        pjsip_uri *u = parse_uri("sip:alice@example.com", 0);
        CHECK(pjsip_uri_print(PJSIP_URI_IN_REQ_URI, u, buf, 5) < 0);
    }
    /* Blanks and line ends: skipped before the URI; after it only a line
     * break (and what follows it is ignored), or blanks after a sip, sips
     * or tel URI. */
    CHECK_STR("lead", uri_text(PJSIP_URI_IN_FROMTO_HDR, parse_uri("  <sip:a@b>", 0)), "<sip:a@b>");
    CHECK_STR("trail", uri_text(PJSIP_URI_IN_REQ_URI, parse_uri("sip:a@b  ", 0)), "sip:a@b");
    CHECK_STR("crlf", uri_text(PJSIP_URI_IN_REQ_URI, parse_uri("sip:a@b\r\nignored", 0)), "sip:a@b");
    CHECK(parse_uri("<sip:a@b> ", 0) == NULL);
    CHECK(parse_uri("urn:x:y ", 0) == NULL);
    CHECK(parse_uri("< sip:a@b >", 0) == NULL);
    CHECK_STR("display", uri_text(PJSIP_URI_IN_FROMTO_HDR, parse_uri("\"A\"<sip:a@b>", 0)), "\"A\" <sip:a@b>");
    /* Parse failures. */
    CHECK(parse_uri("sip:alice@example.com junk", 0) == NULL);
    CHECK(parse_uri("sip:a@b;lr", PJSIP_PARSE_URI_IN_FROM_TO_HDR) == NULL);
    CHECK(parse_uri("", 0) == NULL);
}

static void test_uri_fields(void)
{
    pjsip_uri *u = parse_uri("sips:alice:pw@example.com:5061;transport=tls;lr;x=1", 0);
    pjsip_sip_uri *s = (pjsip_sip_uri *)u;
    pjsip_uri *na, *wrapped;
    pj_str_t xname = { (char *)"X", 1 };
    pjsip_param *p;

    CHECK(u != NULL);
    CHECK(PJSIP_URI_SCHEME_IS_SIPS(u));
    CHECK(!PJSIP_URI_SCHEME_IS_SIP(u));
    CHECK(pjstr_eq(&s->user, "alice"));
    CHECK(pjstr_eq(&s->passwd, "pw"));
    CHECK(pjstr_eq(&s->host, "example.com"));
    CHECK(s->port == 5061);
    CHECK(pjstr_eq(&s->transport_param, "tls"));
    CHECK(s->lr_param == 1);
    CHECK(s->ttl_param == -1);
    p = pjsip_param_find(&s->other_param, &xname);
    CHECK(p != NULL && pjstr_eq(&p->value, "1"));
    CHECK(pjsip_param_cfind(&s->other_param, &xname) == p);

    na = parse_uri("\"A\" <sip:a@b>", 0);
    CHECK(na != NULL);
    CHECK(PJSIP_URI_SCHEME_IS_SIP(na));
    CHECK(pjstr_eq(&((pjsip_name_addr *)na)->display, "A"));
    CHECK(pjsip_uri_get_uri(na) == (void *)((pjsip_name_addr *)na)->uri);
    CHECK(pjsip_uri_get_uri(u) == (void *)u);

    wrapped = parse_uri("sip:a@b", PJSIP_PARSE_URI_AS_NAMEADDR);
    CHECK(wrapped != NULL);
    CHECK(((pjsip_name_addr *)wrapped)->display.slen == 0);
    CHECK_STR("as name-addr", uri_text(PJSIP_URI_IN_FROMTO_HDR, wrapped), "<sip:a@b>");

    {
        pjsip_uri *t = parse_uri("tel:+1234", 0);
        CHECK(PJSIP_URI_SCHEME_IS_TEL(t));
    }

    /* A URI built field by field. */
    {
        pjsip_sip_uri *b = pjsip_sip_uri_create(pool, PJ_FALSE);
        pjsip_name_addr *n = pjsip_name_addr_create(pool);
        b->user = pj_str((char *)"carol");
        b->host = pj_str((char *)"chicago.com");
        b->port = 5080;
        b->transport_param = pj_str((char *)"udp");
        n->display = pj_str((char *)"Carol");
        n->uri = (pjsip_uri *)b;
        CHECK_STR("built", uri_text(PJSIP_URI_IN_CONTACT_HDR, n), "\"Carol\" <sip:carol@chicago.com:5080;transport=udp>");
        CHECK(PJSIP_URI_SCHEME_IS_SIP(n));
    }
}

static void test_uri_cmp(void)
{
    static const char *equal[][2] = {
        { "sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp" },
        { "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5" },
        { "sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5" },
        { "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
          "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com" },
        { "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
          "sip:alice@atlanta.com?priority=urgent&subject=project%20x" },
    };
    static const char *differ[][2] = {
        { "SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP" },
        { "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060" },
        { "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp" },
        { "sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp" },
        { "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4" },
    };
    size_t i;
    for (i = 0; i < PJ_ARRAY_SIZE(equal); ++i) {
        pjsip_uri *a = parse_uri(equal[i][0], 0), *b = parse_uri(equal[i][1], 0);
        CHECK(a && b);
        if (a && b) {
            CHECK(pjsip_uri_cmp(PJSIP_URI_IN_REQ_URI, a, b) == PJ_SUCCESS);
            CHECK(pjsip_uri_cmp(PJSIP_URI_IN_REQ_URI, b, a) == PJ_SUCCESS);
        }
    }
    for (i = 0; i < PJ_ARRAY_SIZE(differ); ++i) {
        pjsip_uri *a = parse_uri(differ[i][0], 0), *b = parse_uri(differ[i][1], 0);
        CHECK(a && b);
        if (a && b) {
            CHECK(pjsip_uri_cmp(PJSIP_URI_IN_REQ_URI, a, b) != PJ_SUCCESS);
            CHECK(pjsip_uri_cmp(PJSIP_URI_IN_REQ_URI, b, a) != PJ_SUCCESS);
        }
    }
    CHECK(pjsip_uri_cmp(PJSIP_URI_IN_OTHER, parse_uri("sip:a@b", 0), parse_uri("sips:a@b", 0)) == PJSIP_ECMPSCHEME);
    CHECK(pjsip_uri_cmp(PJSIP_URI_IN_OTHER, parse_uri("sip:a@b", 0), parse_uri("sip:c@b", 0)) == PJSIP_ECMPUSER);
    CHECK(pjsip_uri_cmp(PJSIP_URI_IN_OTHER, parse_uri("sip:a@b", 0), parse_uri("sip:a@c", 0)) == PJSIP_ECMPHOST);
    CHECK(pjsip_uri_cmp(PJSIP_URI_IN_OTHER, parse_uri("<sip:a@b>", 0), parse_uri("<sip:a@b>", 0)) == PJ_SUCCESS);
    CHECK(pjsip_uri_cmp(PJSIP_URI_IN_OTHER, parse_uri("\"A\" <sip:a@b>", 0), parse_uri("<sip:a@b>", 0)) != PJ_SUCCESS);

    /* Clones compare equal and print the same. */
    {
        pjsip_uri *a = parse_uri("\"X\" <sip:x@y:1;transport=tcp;foo=bar?h=v>", 0);
        pjsip_uri *c = pjsip_uri_clone(pool, a);
        char first[512];
        CHECK(c != NULL && c != a);
        CHECK(pjsip_uri_cmp(PJSIP_URI_IN_CONTACT_HDR, a, c) == PJ_SUCCESS);
        strcpy(first, uri_text(PJSIP_URI_IN_CONTACT_HDR, a));
        CHECK_STR("clone", uri_text(PJSIP_URI_IN_CONTACT_HDR, c), first);
    }
}

/* ---- headers ---- */
static void test_headers(void)
{
    pjsip_contact_hdr *c, *c2, *c3;
    void *h;

    c = parse_hdr("Contact", "\"Alice\" <sip:alice@10.0.0.1:5060;transport=udp>;expires=300;q=0.5, "
                             "<sip:alice@10.0.0.2>;+sip.instance=\"<urn:uuid:1>\", sip:alice@10.0.0.3;expires=10");
    CHECK(c != NULL);
    if (c) {
        CHECK(c->type == PJSIP_H_CONTACT);
        CHECK(pjstr_eq(&c->name, "Contact"));
        CHECK(pjstr_eq(&c->sname, "m"));
        CHECK(c->star == 0);
        CHECK(c->expires == 300);
        CHECK(c->q1000 == 500);
        CHECK(PJSIP_URI_SCHEME_IS_SIP(c->uri));
        CHECK(((pjsip_sip_uri *)pjsip_uri_get_uri(c->uri))->port == 5060);
        CHECK_STR("contact 1", hdr_text(c), "Contact: \"Alice\" <sip:alice@10.0.0.1:5060;transport=udp>;q=0.5;expires=300");
        c2 = c->next;
        c3 = c2->next;
        CHECK(c3->next == c);
        CHECK(c2->expires == PJSIP_EXPIRES_NOT_SPECIFIED);
        CHECK(c2->q1000 == 0);
        CHECK_STR("contact 2", hdr_text(c2), "Contact: <sip:alice@10.0.0.2>;+sip.instance=\"<urn:uuid:1>\"");
        CHECK(c3->expires == 10);
        CHECK_STR("contact 3", hdr_text(c3), "Contact: <sip:alice@10.0.0.3>;expires=10");
    }
    c = parse_hdr("m", "*");
    CHECK(c && c->star == 1 && c->uri == NULL);
    CHECK_STR("star", hdr_text(c), "Contact: *");

    h = parse_hdr("From", "Bob <sip:bob@biloxi.com:5060>;tag=a73kszlfl");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_FROM);
    CHECK(h && pjstr_eq(&((pjsip_fromto_hdr *)h)->tag, "a73kszlfl"));
    CHECK_STR("from", hdr_text(h), "From: \"Bob\" <sip:bob@biloxi.com>;tag=a73kszlfl");
    h = parse_hdr("t", "<sip:carol@chicago.com>");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_TO);
    CHECK_STR("to", hdr_text(h), "To: <sip:carol@chicago.com>");
    h = parse_hdr("Via", "SIP/2.0/udp 192.0.2.1:5060;rport;branch=z9hG4bKnashds8;received=192.0.2.9");
    CHECK(h && ((pjsip_via_hdr *)h)->rport_param == 0);
    CHECK(h && ((pjsip_via_hdr *)h)->sent_by.port == 5060);
    CHECK_STR("via", hdr_text(h), "Via: SIP/2.0/UDP 192.0.2.1:5060;rport;received=192.0.2.9;branch=z9hG4bKnashds8");
    h = parse_hdr("Route", "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_ROUTE);
    CHECK_STR("route", hdr_text(h), "Route: <sip:p1.example.com;lr>");
    CHECK(h && ((pjsip_hdr *)h)->next != h);
    CHECK_STR("route 2", hdr_text(((pjsip_hdr *)h)->next), "Route: <sip:p2.example.com;lr>");
    h = parse_hdr("CSeq", "4711 REGISTER");
    CHECK(h && ((pjsip_cseq_hdr *)h)->cseq == 4711);
    CHECK(h && ((pjsip_cseq_hdr *)h)->method.id == PJSIP_REGISTER_METHOD);
    CHECK_STR("cseq", hdr_text(h), "CSeq: 4711 REGISTER");
    h = parse_hdr("Call-ID", "a84b4c76e66710@pc33.atlanta.com");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_CALL_ID);
    CHECK_STR("cid", hdr_text(h), "Call-ID: a84b4c76e66710@pc33.atlanta.com");
    h = parse_hdr("Expires", "3600");
    CHECK(h && ((pjsip_expires_hdr *)h)->ivalue == 3600);
    CHECK_STR("expires", hdr_text(h), "Expires: 3600");
    h = parse_hdr("Min-Expires", "60");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_MIN_EXPIRES);
    h = parse_hdr("Max-Forwards", "70");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_MAX_FORWARDS);
    h = parse_hdr("Allow", "INVITE, ACK,CANCEL");
    CHECK(h && ((pjsip_allow_hdr *)h)->count == 3);
    CHECK_STR("allow", hdr_text(h), "Allow: INVITE, ACK, CANCEL");
    /* pjsip keeps the blanks that follow an element. */
    h = parse_hdr("Allow", "  A ,B");
    CHECK_STR("allow blanks", hdr_text(h), "Allow: A , B");
    CHECK(parse_hdr("Allow", "A,,B") == NULL);
    h = parse_hdr("Allow", "");
    CHECK(h && ((pjsip_allow_hdr *)h)->count == 0);
    h = parse_hdr("Content-Length", "0");
    CHECK(h && ((pjsip_clen_hdr *)h)->len == 0);
    h = parse_hdr("X-Custom", "some value");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_OTHER);
    CHECK_STR("generic", hdr_text(h), "X-Custom: some value");
    h = parse_hdr("WWW-Authenticate", "Digest realm=\"atlanta.com\", nonce=\"84a4cc6f\", qop=\"auth\", algorithm=MD5");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_WWW_AUTHENTICATE);
    CHECK_STR("www-auth", hdr_text(h),
              "WWW-Authenticate: Digest realm=\"atlanta.com\",nonce=\"84a4cc6f\",algorithm=MD5,qop=\"auth\"");
    h = parse_hdr("Authorization", "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", "
                                   "uri=\"sip:bob@biloxi.com\", response=\"245f2341\"");
    CHECK(h && ((pjsip_hdr *)h)->type == PJSIP_H_AUTHORIZATION);
    CHECK(h && pjstr_eq(&((pjsip_authorization_hdr *)h)->credential.digest.username, "bob"));
    CHECK_STR("authorization", hdr_text(h), "Authorization: Digest username=\"bob\", realm=\"biloxi.com\", "
                                           "nonce=\"dcd98b\", uri=\"sip:bob@biloxi.com\", response=\"245f2341\"");
    CHECK(parse_hdr("Expires", "soon") == NULL);
    CHECK(parse_hdr("Contact", "<sip:a@b") == NULL);

    /* Clones print the same. */
    {
        static const char *lines[][2] = {
            { "Contact", "<sip:a@b:1>;q=0.25;expires=5;x" },
            { "To", "<sip:a@b>;tag=7" },
            { "Via", "SIP/2.0/TCP h:1;rport=9;branch=z9hG4bKq" },
            { "Route", "<sip:r;lr>" },
            { "Allow", "A, B" },
            { "CSeq", "9 OPTIONS" },
            { "Subject", "x y" },
        };
        size_t i;
        for (i = 0; i < PJ_ARRAY_SIZE(lines); ++i) {
            char want[512];
            void *orig = parse_hdr(lines[i][0], lines[i][1]);
            snprintf(want, sizeof(want), "%s: %s", lines[i][0], lines[i][1]);
            CHECK_STR(lines[i][0], hdr_text(orig), want);
            CHECK_STR("deep clone", hdr_text(pjsip_hdr_clone(pool, orig)), want);
            CHECK_STR("shallow clone", hdr_text(pjsip_hdr_shallow_clone(pool, orig)), want);
        }
    }

    /* Headers created by hand. */
    {
        pj_str_t n = pj_str((char *)"User-Agent"), v = pj_str((char *)"test/1.0");
        pjsip_user_agent_hdr *g = pjsip_user_agent_hdr_create(pool, &n, &v);
        pjsip_contact_hdr *ch = pjsip_contact_hdr_create(pool);
        pjsip_expires_hdr *e = pjsip_expires_hdr_create(pool, 120);
        pjsip_route_hdr *r = pjsip_route_hdr_create(pool);
        CHECK(g->type == PJSIP_H_OTHER && pjstr_eq(&g->sname, "User-Agent"));
        CHECK_STR("ua", hdr_text(g), "User-Agent: test/1.0");
        CHECK(ch->expires == PJSIP_EXPIRES_NOT_SPECIFIED && ch->star == 0 && ch->uri == NULL && ch->q1000 == 0);
        ch->uri = parse_uri("<sip:me@host>", 0);
        ch->expires = 0;
        CHECK_STR("contact built", hdr_text(ch), "Contact: <sip:me@host>;expires=0");
        CHECK_STR("expires built", hdr_text(e), "Expires: 120");
        r->name_addr.uri = parse_uri("sip:proxy.example.com;lr", 0);
        CHECK_STR("route built", hdr_text(r), "Route: <sip:proxy.example.com;lr>");
        CHECK(pjsip_hdr_print_on(e, buf, 4) == -1);
        CHECK(((pjsip_hdr *)pjsip_hdr_clone(pool, e))->type == PJSIP_H_EXPIRES);
    }

    /* Compact names when pjsip_cfg()->endpt.use_compact_form is set. */
    pjsip_cfg()->endpt.use_compact_form = PJ_TRUE;
    CHECK_STR("compact contact", hdr_text(parse_hdr("Contact", "<sip:a@b>")), "m: <sip:a@b>");
    CHECK_STR("compact via", hdr_text(parse_hdr("Via", "SIP/2.0/UDP h")), "v: SIP/2.0/UDP h");
    CHECK_STR("compact cseq", hdr_text(parse_hdr("CSeq", "1 BYE")), "CSeq: 1 BYE");
    CHECK_STR("compact route", hdr_text(parse_hdr("Route", "<sip:r;lr>")), "Route: <sip:r;lr>");
    CHECK_STR("compact subject", hdr_text(parse_hdr("Subject", "x")), "Subject: x");
    pjsip_cfg()->endpt.use_compact_form = PJ_FALSE;
}

/* ---- messages ---- */
static void test_message(void)
{
    pjsip_msg *msg = pjsip_msg_create(pool, PJSIP_REQUEST_MSG);
    pj_str_t ua = pj_str((char *)"User-Agent"), uav = pj_str((char *)"test");
    pj_str_t lname = pj_str((char *)"user-agent");
    pjsip_cseq_hdr *cseq = pjsip_cseq_hdr_create(pool);
    pjsip_cid_hdr *cid = pjsip_cid_hdr_create(pool);
    pjsip_from_hdr *from = pjsip_from_hdr_create(pool);
    pjsip_to_hdr *to = pjsip_to_hdr_create(pool);
    pjsip_contact_hdr *contact;
    pjsip_expires_hdr *exp;
    pjsip_generic_string_hdr *g;
    pj_ssize_t n;
    void *found;

    CHECK(msg != NULL && msg->hdr.next == &msg->hdr && msg->body == NULL);
    pjsip_method_set(&msg->line.req.method, PJSIP_REGISTER_METHOD);
    msg->line.req.uri = parse_uri("sip:example.com", 0);

    pjsip_msg_add_hdr(msg, (pjsip_hdr *)pjsip_max_fwd_hdr_create(pool, 70));
    from->uri = parse_uri("sip:alice@example.com", PJSIP_PARSE_URI_AS_NAMEADDR);
    from->tag = pj_str((char *)"t1");
    pjsip_msg_add_hdr(msg, (pjsip_hdr *)from);
    to->uri = parse_uri("<sip:alice@example.com>", 0);
    pjsip_msg_add_hdr(msg, (pjsip_hdr *)to);
    cid->id = pj_str((char *)"cid-1");
    pjsip_msg_add_hdr(msg, (pjsip_hdr *)cid);
    cseq->cseq = 1;
    pjsip_method_copy(pool, &cseq->method, pjsip_get_register_method());
    pjsip_msg_add_hdr(msg, (pjsip_hdr *)cseq);
    contact = parse_hdr("Contact", "<sip:alice@10.0.0.1:5060>");
    pjsip_msg_add_hdr(msg, (pjsip_hdr *)contact);
    exp = pjsip_expires_hdr_create(pool, 300);
    pjsip_msg_add_hdr(msg, (pjsip_hdr *)exp);
    g = pjsip_generic_string_hdr_create(pool, &ua, &uav);
    pjsip_msg_insert_first_hdr(msg, (pjsip_hdr *)g);

    n = pjsip_msg_print(msg, buf, sizeof(buf));
    CHECK(n > 0);
    if (n > 0) buf[n] = '\0';
    CHECK_STR("request", n > 0 ? buf : NULL,
              "REGISTER sip:example.com SIP/2.0\r\n"
              "User-Agent: test\r\n"
              "Max-Forwards: 70\r\n"
              "From: <sip:alice@example.com>;tag=t1\r\n"
              "To: <sip:alice@example.com>\r\n"
              "Call-ID: cid-1\r\n"
              "CSeq: 1 REGISTER\r\n"
              "Contact: <sip:alice@10.0.0.1:5060>\r\n"
              "Expires: 300\r\n"
              "Content-Length:  0\r\n\r\n");
    CHECK(pjsip_msg_print(msg, buf, 100) == -1);

    CHECK(pjsip_msg_find_hdr(msg, PJSIP_H_CONTACT, NULL) == contact);
    CHECK(PJSIP_MSG_CSEQ_HDR(msg) == cseq);
    CHECK(PJSIP_MSG_FROM_HDR(msg) == from);
    CHECK(pjsip_msg_find_hdr(msg, PJSIP_H_VIA, NULL) == NULL);
    CHECK(pjsip_msg_find_hdr_by_name(msg, &lname, NULL) == g);
    CHECK(pjsip_msg_find_hdr(msg, PJSIP_H_EXPIRES, contact) == exp);
    CHECK(pjsip_msg_find_hdr(msg, PJSIP_H_CONTACT, contact->next) == NULL);

    /* Edits: change the expiry, remove a header, erase another. */
    exp->ivalue = 60;
    found = pjsip_msg_find_remove_hdr(msg, PJSIP_H_MAX_FORWARDS, NULL);
    CHECK(found != NULL && pjsip_msg_find_hdr(msg, PJSIP_H_MAX_FORWARDS, NULL) == NULL);
    pj_list_erase(g);
    n = pjsip_msg_print(msg, buf, sizeof(buf));
    if (n > 0) buf[n] = '\0';
    CHECK_STR("edited", n > 0 ? buf : NULL,
              "REGISTER sip:example.com SIP/2.0\r\n"
              "From: <sip:alice@example.com>;tag=t1\r\n"
              "To: <sip:alice@example.com>\r\n"
              "Call-ID: cid-1\r\n"
              "CSeq: 1 REGISTER\r\n"
              "Contact: <sip:alice@10.0.0.1:5060>\r\n"
              "Expires: 60\r\n"
              "Content-Length:  0\r\n\r\n");

    /* A clone prints the same. */
    {
        char first[4096];
        pjsip_msg *c = pjsip_msg_clone(pool, msg);
        strcpy(first, buf);
        n = pjsip_msg_print(c, buf, sizeof(buf));
        if (n > 0) buf[n] = '\0';
        CHECK_STR("clone", n > 0 ? buf : NULL, first);
    }

    /* A response with a body. */
    {
        pjsip_msg *r = pjsip_msg_create(pool, PJSIP_RESPONSE_MSG);
        pj_str_t t = pj_str((char *)"text"), s = pj_str((char *)"plain"), x = pj_str((char *)"hello");
        r->line.status.code = 200;
        r->line.status.reason = *pjsip_get_status_text(200);
        r->body = pjsip_msg_body_create(pool, &t, &s, &x);
        n = pjsip_msg_print(r, buf, sizeof(buf));
        if (n > 0) buf[n] = '\0';
#ifdef ORACLE
        /* 2.15 reserves 5 columns for the length; 2.17 as many as
         * PJSIP_MAX_PKT_LEN has digits (4). */
        CHECK_STR("response", n > 0 ? buf : NULL,
                  "SIP/2.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length:     5\r\n\r\nhello");
#else
        CHECK_STR("response", n > 0 ? buf : NULL,
                  "SIP/2.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length:    5\r\n\r\nhello");
#endif
    }
}

static void test_parse_headers(void)
{
    pjsip_hdr list;
    char text[] = "Via: SIP/2.0/UDP a:1;branch=z9hG4bK1, SIP/2.0/UDP b\r\n"
                  "Expires: nope\r\n"
                  "Subject: hello\r\n"
                  "\r\n";
    pjsip_hdr *h;
    int count = 0;
    pj_list_init(&list);
    CHECK(pjsip_parse_headers(pool, text, strlen(text), &list, 0) == PJ_SUCCESS);
    for (h = list.next; h != &list; h = h->next) ++count;
    CHECK(count == 3);
    CHECK(pjsip_hdr_find(&list, PJSIP_H_VIA, NULL) == list.next);
    CHECK(pjsip_hdr_find(&list, PJSIP_H_EXPIRES, NULL) == NULL);
    CHECK_STR("last", hdr_text(list.prev), "Subject: hello");
}

static void test_misc(void)
{
    CHECK(pjstr_eq(pjsip_get_status_text(200), "OK"));
    CHECK(pjstr_eq(pjsip_get_status_text(423), "Interval Too Brief"));
    CHECK(pjstr_eq(pjsip_get_status_text(407), "Proxy Authentication Required"));
    CHECK(pjstr_eq(pjsip_get_status_text(999), "Default status message"));
    CHECK(pjsip_register_method.id == PJSIP_REGISTER_METHOD);
    CHECK(pjstr_eq(&pjsip_register_method.name, "REGISTER"));
    CHECK(pjsip_get_register_method() == &pjsip_register_method);
    CHECK(pjsip_method_cmp(&pjsip_invite_method, &pjsip_invite_method) == 0);
    CHECK(pjsip_method_cmp(&pjsip_bye_method, &pjsip_options_method) != 0);
}

int main(void)
{
    pj_caching_pool cp;
#ifdef ORACLE
    pjsip_endpoint *endpt;
    pj_init();
#endif
    pj_caching_pool_init(&cp, NULL, 0);
    pool = pj_pool_create(&cp.factory, "test_cobj", 4000, 4000, NULL);
#ifdef ORACLE
    pjsip_endpt_create(&cp.factory, "oracle", &endpt);
#endif
    if (!pool) {
        printf("no pool\n");
        return 1;
    }
    test_uri_print();
    test_uri_fields();
    test_uri_cmp();
    test_headers();
    test_message();
    test_parse_headers();
    test_misc();
    pj_pool_release(pool);
    pj_caching_pool_destroy(&cp);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
