/* The compat profile's transport, module and tx/rx data calls next to a
 * registration: pjsip_udp_transport_cfg_default / _start2 (IPv4, IPv6, a
 * published name), the transaction and UA layer modules and their ids,
 * pjsip_tx_data_get_info / _encode / _set_transport (and how
 * pjsip_regc_send replaces the selector) and pjsip_rx_data_get_info.
 * Argument errors (pjproject asserts on them) are in test_args.c.
 * It starts the UDP transports it tests itself (REGC_OWN_TRANSPORTS), so it
 * runs once, over the harness's UDP. */
#include "regc_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *REG_OK = "{\"default\":{\"code\":200,\"contact\":\"request\"}}";

/* The loopback address of `af` on `port`. */
static socklen_t loopback(int af, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (af == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons((unsigned short)port);
        return sizeof(*a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons((unsigned short)port);
    return sizeof(*a);
}

/* A UDP port free on the loopback of `af` a moment ago (-1 if none). The
 * port is chosen here rather than read back from the transport, whose
 * local_name moved in pjproject 2.16 (see DESIGN.md, "The oracle"). */
static int free_udp_port(int af)
{
    struct sockaddr_storage ss;
    socklen_t len = loopback(af, 0, &ss);
    int port = -1, fd = socket(af, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&ss, len) == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        port = ntohs(af == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
    close(fd);
    return port;
}

/* Whether something holds UDP `port` on the loopback of `af`. */
static int udp_port_taken(int af, int port)
{
    struct sockaddr_storage ss;
    socklen_t len = loopback(af, port, &ss);
    int fd = socket(af, SOCK_DGRAM, 0);
    if (fd < 0)
        return 0;
    int taken = bind(fd, (struct sockaddr *)&ss, len) != 0 && errno == EADDRINUSE;
    close(fd);
    return taken;
}

static const char *pjstr(const pj_str_t *s)
{
    static char buf[128];
    snprintf(buf, sizeof(buf), "%.*s", (int)s->slen, s->ptr ? s->ptr : "");
    return buf;
}

/* The module objects exist before any endpoint. Modules get the lowest
 * free id: mod-msg-print (the endpoint's) has 0, the transaction layer
 * registers itself and then mod-stateful-util, the UA layer one module.
 * Ids go back to -1 when unregistered or when the endpoint goes. */
static void test_layers(void)
{
    pjsip_module *tsx = pjsip_tsx_layer_instance();
    pjsip_user_agent *ua = pjsip_ua_instance();
    CHECK(tsx != NULL && ua != NULL && tsx != ua);
    CHECK_STR(pjstr(&tsx->name), "mod-tsx-layer");
    CHECK_INT(tsx->priority, PJSIP_MOD_PRIORITY_TSX_LAYER);
    CHECK_STR(pjstr(&ua->name), "mod-ua");
    CHECK_INT(ua->priority, PJSIP_MOD_PRIORITY_UA_PROXY_LAYER);
    CHECK_INT(tsx->id, -1);
    CHECK_INT(ua->id, -1);

    h_setup(NULL); /* the transaction layer, then the UA layer */
    CHECK(pjsip_tsx_layer_instance() == tsx);
    CHECK(pjsip_ua_instance() == ua);
    CHECK_INT(tsx->id, 1);
    CHECK_INT(ua->id, 3);
    CHECK_INT(pjsip_ua_destroy(), PJ_SUCCESS);
    CHECK_INT(ua->id, -1);
    CHECK_INT(tsx->id, 1);
    CHECK_INT(pjsip_ua_init_module(H.endpt, NULL), PJ_SUCCESS);
    CHECK_INT(ua->id, 3);
    h_teardown();
    CHECK_INT(tsx->id, -1);
    CHECK_INT(ua->id, -1);

    /* In the other order the UA layer comes first. */
    pj_caching_pool cp;
    pjsip_endpoint *endpt = NULL;
    pj_init();
    pjlib_util_init();
    pj_caching_pool_init(&cp, NULL, 0);
    CHECK_INT(pjsip_endpt_create(&cp.factory, NULL, &endpt), PJ_SUCCESS);
    CHECK_INT(pjsip_ua_init_module(endpt, NULL), PJ_SUCCESS);
    CHECK_INT(pjsip_tsx_layer_init_module(endpt), PJ_SUCCESS);
    CHECK_INT(ua->id, 1);
    CHECK_INT(tsx->id, 2);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    pj_shutdown();
    CHECK_INT(tsx->id, -1);
    CHECK_INT(ua->id, -1);
}

/* Registers once over `tp`; returns the Via the registrar received. */
static const char *register_over(pjsip_transport *tp)
{
    pjsip_regc *regc = h_regc(60);
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    sel.type = PJSIP_TPSELECTOR_TRANSPORT;
    sel.u.transport = tp;
    int before = H.count;
    CHECK_INT(pjsip_regc_set_transport(regc, &sel), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(before + 1, 5000));
    CHECK_INT(H.rec[before].code, 200);
    pjsip_regc_destroy(regc);
    return registrar_header(H.reg, before, "Via", 0);
}

static void test_udp_start2(void)
{
    h_setup(REG_OK);
    pjsip_udp_transport_cfg cfg;
    memset(&cfg, 0x55, sizeof(cfg));
    pjsip_udp_transport_cfg_default(&cfg, pj_AF_INET());
    CHECK_INT(cfg.af, pj_AF_INET());
    CHECK_INT(cfg.bind_addr.addr.sa_family, pj_AF_INET());
    CHECK_INT(cfg.bind_addr.ipv4.sin_addr.s_addr, 0);
    CHECK_INT(pj_sockaddr_get_port(&cfg.bind_addr), 0);
    CHECK(cfg.addr_name.host.ptr == NULL);
    CHECK_INT(cfg.addr_name.host.slen, 0);
    CHECK_INT(cfg.addr_name.port, 0);
    CHECK_INT(cfg.async_cnt, 1);
    CHECK_INT(cfg.qos_type, PJ_QOS_TYPE_BEST_EFFORT);
    CHECK_INT(cfg.qos_params.flags, 0);
    CHECK_INT(cfg.sockopt_params.cnt, 0);

    /* Bound where the configuration says; requests leave from there. */
    int port = free_udp_port(AF_INET);
    pj_str_t lo = pj_str("127.0.0.1");
    CHECK_INT(pj_sockaddr_init(pj_AF_INET(), &cfg.bind_addr, &lo, (pj_uint16_t)port), PJ_SUCCESS);
    pjsip_transport *tp = NULL;
    CHECK_INT(pjsip_udp_transport_start2(H.endpt, &cfg, &tp), PJ_SUCCESS);
    CHECK(tp != NULL);
    CHECK(udp_port_taken(AF_INET, port));
    CHECK_INT(tp->key.type, PJSIP_TRANSPORT_UDP);
    CHECK_INT(tp->flag, PJSIP_TRANSPORT_DATAGRAM);
    char want[96];
    snprintf(want, sizeof(want), "SIP/2.0/UDP 127.0.0.1:%d;rport;branch=", port);
    const char *via = register_over(tp);
    CHECK(via && strncmp(via, want, strlen(want)) == 0);

    /* A published name goes into Via instead of the bound address. */
    int port2 = free_udp_port(AF_INET);
    CHECK_INT(pj_sockaddr_init(pj_AF_INET(), &cfg.bind_addr, &lo, (pj_uint16_t)port2), PJ_SUCCESS);
    cfg.addr_name.host = pj_str("sip.example.net");
    cfg.addr_name.port = 5099;
    pjsip_transport *tp2 = NULL;
    CHECK_INT(pjsip_udp_transport_start2(H.endpt, &cfg, &tp2), PJ_SUCCESS);
    CHECK(tp2 != NULL && tp2 != tp);
    CHECK(udp_port_taken(AF_INET, port2));
    via = register_over(tp2);
    CHECK(via && strncmp(via, "SIP/2.0/UDP sip.example.net:5099;rport;branch=", 46) == 0);

    /* The family comes from bind_addr: unset, the socket cannot bind. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.async_cnt = 1;
    CHECK_INT(pjsip_udp_transport_start2(H.endpt, &cfg, NULL), PJ_STATUS_FROM_OS(EAFNOSUPPORT));

    /* IPv6 by af. */
    pjsip_udp_transport_cfg_default(&cfg, pj_AF_INET6());
    CHECK_INT(cfg.af, pj_AF_INET6());
    CHECK_INT(cfg.bind_addr.addr.sa_family, pj_AF_INET6());
    CHECK_INT(pj_sockaddr_get_port(&cfg.bind_addr), 0);
    CHECK_INT(cfg.async_cnt, 1);
    if (h_have_ipv6_loopback()) {
        int port6 = free_udp_port(AF_INET6);
        pj_str_t lo6 = pj_str("::1");
        CHECK_INT(pj_sockaddr_init(pj_AF_INET6(), &cfg.bind_addr, &lo6, (pj_uint16_t)port6), PJ_SUCCESS);
        pjsip_transport *tp6 = NULL;
        CHECK_INT(pjsip_udp_transport_start2(H.endpt, &cfg, &tp6), PJ_SUCCESS);
        CHECK(tp6 != NULL);
        CHECK(udp_port_taken(AF_INET6, port6));
        CHECK_INT(tp6->key.type, PJSIP_TRANSPORT_UDP6);
        CHECK_INT(tp6->flag, PJSIP_TRANSPORT_DATAGRAM);
    }
    h_teardown();
}

/* The header names of a printed message, in order, joined by ",". */
static const char *header_names(const char *text)
{
    static char out[512];
    out[0] = '\0';
    const char *line = strstr(text, "\r\n");
    while (line && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        const char *colon = strchr(line, ':');
        if (!colon)
            break;
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%.*s", out[0] ? "," : "", (int)(colon - line), line);
        line = strstr(line, "\r\n");
    }
    return out;
}

static void test_tdata(void)
{
    h_setup(REG_OK);
    pjsip_regc *regc = h_regc(60);
    pjsip_tx_data *tdata = NULL;
    CHECK_INT(pjsip_regc_register(regc, PJ_FALSE, &tdata), PJ_SUCCESS);
    CHECK(tdata->info == NULL);
    CHECK(tdata->buf.start == NULL);

    /* Described once, by method, CSeq and the tdata's name. */
    const pjsip_cseq_hdr *cseq = (const pjsip_cseq_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_CSEQ, NULL);
    CHECK(cseq != NULL);
    CHECK(strncmp(tdata->obj_name, "tdta0x", 6) == 0);
    char want[160];
    snprintf(want, sizeof(want), "Request msg REGISTER/cseq=%d (%s)", cseq ? (int)cseq->cseq : -1, tdata->obj_name);
    char *info = pjsip_tx_data_get_info(tdata);
    CHECK_STR(info, want);
    CHECK(tdata->info == info);
    CHECK(pjsip_tx_data_get_info(tdata) == info);
    tdata->info = "set by the application";
    CHECK_STR(pjsip_tx_data_get_info(tdata), "set by the application");
    pjsip_tx_data_invalidate_msg(tdata);
    CHECK(tdata->info == NULL);
    CHECK_STR(pjsip_tx_data_get_info(tdata), want);

    /* Printed into a PJSIP_MAX_PKT_LEN buffer from the tdata's pool, as
     * pjsip_msg_print prints it; before sending, Via is still empty. */
    CHECK_INT(pjsip_tx_data_encode(tdata), PJ_SUCCESS);
    char *start = tdata->buf.start;
    CHECK(start != NULL);
    CHECK_INT(tdata->buf.end - start, 4000);
    CHECK_INT(tdata->buf.cur - start, start ? (long)strlen(start) : -1);
    static char printed[4000];
    pj_ssize_t n = pjsip_msg_print(tdata->msg, printed, sizeof(printed));
    CHECK(n > 0);
    CHECK_INT(tdata->buf.cur - start, n);
    CHECK_STR(start, printed);
    char line[160];
    snprintf(line, sizeof(line), "REGISTER %s SIP/2.0\r\nVia: SIP/2.0/ ;rport\r\nMax-Forwards: 70\r\n", H.server);
    CHECK(start && strncmp(start, line, strlen(line)) == 0);
    CHECK_STR(header_names(start), "Via,Max-Forwards,From,To,Call-ID,CSeq,Contact,Expires,Content-Length");
    CHECK(n > 22 && strcmp(printed + n - 22, "Content-Length:  0\r\n\r\n") == 0);

    /* A print stays until the message is invalidated, then the same
     * buffer takes the new one. */
    pj_str_t xn = pj_str("X-Later"), xv = pj_str("1");
    pjsip_msg_add_hdr(tdata->msg, (pjsip_hdr *)pjsip_generic_string_hdr_create(tdata->pool, &xn, &xv));
    CHECK_INT(pjsip_tx_data_encode(tdata), PJ_SUCCESS);
    CHECK(strstr(tdata->buf.start, "X-Later") == NULL);
    pjsip_tx_data_invalidate_msg(tdata);
    CHECK(tdata->buf.start == start && tdata->buf.cur == start);
    CHECK_INT(pjsip_tx_data_encode(tdata), PJ_SUCCESS);
    CHECK(tdata->buf.start == start);
    CHECK(strstr(tdata->buf.start, "\r\nExpires: 60\r\nX-Later: 1\r\nContent-Length:  0\r\n\r\n") != NULL);

    /* pjsip_regc_send binds the request to the regc's own selector (none
     * here), replacing one set on the tdata: the request leaves by the
     * harness's transport, not by `other`. (tdata->tp_sel itself moved in
     * pjproject 2.16, so this scenario does not read it; src/ffi/tdata.rs
     * tests it.) */
    pjsip_udp_transport_cfg cfg;
    pjsip_udp_transport_cfg_default(&cfg, pj_AF_INET());
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_init(pj_AF_INET(), &cfg.bind_addr, &lo, (pj_uint16_t)free_udp_port(AF_INET));
    pjsip_transport *other = NULL;
    CHECK_INT(pjsip_udp_transport_start2(H.endpt, &cfg, &other), PJ_SUCCESS);
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    sel.type = PJSIP_TPSELECTOR_TRANSPORT;
    sel.u.transport = other;
    CHECK_INT(pjsip_tx_data_set_transport(tdata, &sel), PJ_SUCCESS);
    CHECK_INT(pjsip_tx_data_set_transport(tdata, &sel), PJ_SUCCESS);
    pjsip_tx_data_add_ref(tdata);
    CHECK_INT(pjsip_regc_send(regc, tdata), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    snprintf(want, sizeof(want), "SIP/2.0/UDP 127.0.0.1:%d;rport;branch=", H.port);
    const char *via = registrar_header(H.reg, 0, "Via", 0);
    CHECK(via && strncmp(via, want, strlen(want)) == 0);
    CHECK_STR(registrar_header(H.reg, 0, "X-Later", 0), "1");
    pjsip_tx_data_dec_ref(tdata);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static char rx_info[160], rx_want[160];
static int rx_cached;

static void describe_rdata(harness *h, struct pjsip_regc_cbparam *param)
{
    (void)h;
    pjsip_rx_data *rdata = param->rdata;
    if (!rdata)
        return;
    pjsip_msg *msg = rdata->msg_info.msg;
    const pjsip_cseq_hdr *cseq = (const pjsip_cseq_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_CSEQ, NULL);
    snprintf(rx_want, sizeof(rx_want), "Response msg %d/REGISTER/cseq=%d (rdata%p)", msg->line.status.code,
             cseq ? (int)cseq->cseq : -1, (void *)rdata);
    char *info = pjsip_rx_data_get_info(rdata);
    snprintf(rx_info, sizeof(rx_info), "%s", info ? info : "(null)");
    rx_cached = info == rdata->msg_info.info && pjsip_rx_data_get_info(rdata) == info;
}

static void test_rdata(void)
{
    h_setup(REG_OK);
    H.hook = describe_rdata;
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_STR(rx_info, rx_want);
    CHECK(rx_cached);
    pjsip_regc_destroy(regc);
    h_teardown();
}

int main(void)
{
    test_layers();
    test_udp_start2();
    test_tdata();
    test_rdata();
    return h_summary("test_profile");
}
