/* Registration over TLS against the test registrar's TLS listener, with
 * the harness's throwaway PKI (h_pki; skipped when the openssl command is
 * missing). Covers verify_server on/off, CA file and CA buffer, wrong CA
 * and wrong name (PJSIP_TLS_ECERTVERIF), TLS 1.2 and 1.3 choice, client
 * certificates (also with a password-protected key), the handshake
 * deadline, start-up errors, IPv6, and measures the cost of a handshake on
 * loopback. */
/* REGC_OWN_TRANSPORTS: starts the transports it tests itself, so it is not
 * run again per $REGC_TRANSPORT. */
#include "regc_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static char *slurp(const char *file)
{
    FILE *f = fopen(file, "rb");
    static char buf[8192];
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Endpoint + TLS listener with `ts` + registrar with TLS (and `extra`). */
static pj_status_t setup_tls(const pjsip_tls_setting *ts, const char *cert, const char *key, const char *extra1,
                             const char *extra2)
{
    h_setup(NULL);
    const char *args[] = {"--tls", cert, key, extra1, extra2, NULL};
    H.reg = registrar_start_args("{}", args);
    if (!H.reg) {
        fprintf(stderr, "registrar did not start\n");
        exit(2);
    }
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tls", registrar_tls_port(H.reg));
    pj_sockaddr_in local;
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&local, &lo, 0);
    pjsip_tpfactory *fac = NULL;
    pj_status_t st = pjsip_tls_transport_start(H.endpt, ts, &local, NULL, 1, &fac);
    if (st == PJ_SUCCESS) {
        CHECK_STR(fac->type_name, "TLS");
        CHECK_INT(fac->type, PJSIP_TRANSPORT_TLS);
        CHECK_INT(fac->flag, PJSIP_TRANSPORT_RELIABLE | PJSIP_TRANSPORT_SECURE);
    }
    return st;
}

static pjsip_tls_setting settings(const char *ca, pj_bool_t verify)
{
    pjsip_tls_setting ts;
    pjsip_tls_setting_default(&ts);
    if (ca)
        ts.ca_list_file = pj_str((char *)ca);
    ts.verify_server = verify;
    return ts;
}

/* One REGISTER; returns the callback's code (0 if none came). */
static int register_once(pjsip_regc *regc, int n)
{
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    if (!h_wait_callbacks(n, 3000))
        return 0;
    return H.rec[n - 1].code;
}

static void test_defaults(void)
{
    pjsip_tls_setting ts;
    memset(&ts, 0x5a, sizeof(ts));
    pjsip_tls_setting_default(&ts);
    CHECK_INT(ts.proto, PJSIP_SSL_DEFAULT_PROTO);
    CHECK_INT(ts.proto, 28);
    CHECK_INT(ts.method, PJSIP_SSL_UNSPECIFIED_METHOD);
    CHECK_INT(ts.reuse_addr, 1);
    CHECK_INT(ts.qos_ignore_error, 1);
    CHECK_INT(ts.sockopt_ignore_error, 1);
    CHECK_INT(ts.enable_renegotiation, 1);
    CHECK_INT(ts.verify_server, 0);
    CHECK(ts.ca_list_file.slen == 0 && ts.ciphers == NULL);
    CHECK_INT(sizeof(ts), 440);
}

static void test_verified_registration(void)
{
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    CHECK_STR(registrar_transport(H.reg, 0), "TLS");
    CHECK(strncmp(registrar_header(H.reg, 0, "Via", 0), "SIP/2.0/TLS 127.0.0.1:", 22) == 0);
    CHECK_STR(registrar_header_param(H.reg, 0, "Via", 0, "alias"), "");
    pjsip_transport *tp = H.rec[0].info.transport;
    CHECK(tp != NULL);
    if (tp) {
        CHECK(PJSIP_TRANSPORT_IS_RELIABLE(tp));
        CHECK(PJSIP_TRANSPORT_IS_SECURE(tp));
        CHECK_STR(tp->type_name, "TLS");
        CHECK_INT(tp->key.type, PJSIP_TRANSPORT_TLS);
    }
    /* A sips: URI means TLS too, and reuses the connection. */
    char srv[64];
    snprintf(srv, sizeof(srv), "sips:127.0.0.1:%d", registrar_tls_port(H.reg));
    pj_str_t s = pj_str(srv), aor = pj_str("<sip:alice@example.com>"), contact = pj_str(H.contact);
    CHECK_INT(pjsip_regc_init(regc, &s, &aor, &aor, 1, &contact, 60), PJ_SUCCESS);
    CHECK_INT(register_once(regc, 2), 200);
    CHECK_STR(registrar_source(H.reg, 1), registrar_source(H.reg, 0));
    CHECK(H.rec[1].info.transport == tp);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_ca_buffer(void)
{
    pjsip_tls_setting ts = settings(NULL, PJ_TRUE);
    ts.ca_buf = pj_str(slurp(h_pki("ca.pem")));
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_wrong_ca(void)
{
    pjsip_tls_setting ts = settings(h_pki("ca2.pem"), PJ_TRUE);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS); /* the failure is asynchronous */
    CHECK_INT(H.count, 0);
    CHECK(h_wait_callbacks(1, 3000));
    CHECK_INT(H.rec[0].status, PJ_SUCCESS);
    CHECK_INT(H.rec[0].code, 503);
    CHECK_STR(H.rec[0].reason, "SSL certificate verification error (PJSIP_TLS_ECERTVERIF)");
    CHECK_INT(H.rec[0].has_rdata, 0);
    CHECK_INT(registrar_count(H.reg), 0);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* verify_server off: the same server is accepted. */
    ts = settings(h_pki("ca2.pem"), PJ_FALSE);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* No CA at all and no verification: accepted too. */
    ts = settings(NULL, PJ_FALSE);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_wrong_name(void)
{
    /* Right CA, but the certificate names other.example, not 127.0.0.1. */
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    CHECK_INT(setup_tls(&ts, h_pki("other.pem"), h_pki("other.key"), NULL, NULL), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 503);
    CHECK_STR(H.rec[0].reason, "SSL certificate verification error (PJSIP_TLS_ECERTVERIF)");
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_versions(void)
{
    /* A TLS 1.3-only server: pjsip's default protocols stop at TLS 1.2. */
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-min", "1.3"), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 503);
    CHECK_STR(H.rec[0].reason, "Unknown error when performing SSL connect() (PJSIP_TLS_ECONNECT)");
    pjsip_regc_destroy(regc);
    h_teardown();

    ts.proto = PJ_SSL_SOCK_PROTO_TLS1_3;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-min", "1.3"), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* With proto 0, the method decides. */
    ts.proto = 0;
    ts.method = PJSIP_TLSV1_3_METHOD;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-min", "1.3"), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* TLS 1.3 only against a TLS 1.2-only server fails. */
    ts.method = PJSIP_SSL_UNSPECIFIED_METHOD;
    ts.proto = PJ_SSL_SOCK_PROTO_TLS1_3;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-max", "1.2"), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 503);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_client_certificate(void)
{
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    ts.proto = PJ_SSL_SOCK_PROTO_TLS1_2;
    ts.cert_file = pj_str((char *)h_pki("cli.pem"));
    ts.privkey_file = pj_str((char *)h_pki("cli.key"));
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-client-ca", h_pki("ca.pem")), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* The same key material from memory buffers. */
    static char cert[8192], key[8192];
    snprintf(cert, sizeof(cert), "%s", slurp(h_pki("cli.pem")));
    snprintf(key, sizeof(key), "%s", slurp(h_pki("cli.key")));
    ts.cert_file = pj_str("");
    ts.privkey_file = pj_str("");
    ts.cert_buf = pj_str(cert);
    ts.privkey_buf = pj_str(key);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-client-ca", h_pki("ca.pem")), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* Without a certificate the server refuses the handshake. */
    ts = settings(h_pki("ca.pem"), PJ_TRUE);
    ts.proto = PJ_SSL_SOCK_PROTO_TLS1_2;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-client-ca", h_pki("ca.pem")), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 503);
    CHECK_INT(registrar_count(H.reg), 0);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_encrypted_client_key(void)
{
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    ts.proto = PJ_SSL_SOCK_PROTO_TLS1_2;
    ts.cert_file = pj_str((char *)h_pki("cli.pem"));
    ts.privkey_file = pj_str((char *)h_pki("cli-enc.key"));
    ts.password = pj_str("secret");
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-client-ca", h_pki("ca.pem")), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* The same encrypted key from a memory buffer. */
    static char key[8192];
    snprintf(key, sizeof(key), "%s", slurp(h_pki("cli-enc.key")));
    ts.privkey_file = pj_str("");
    ts.privkey_buf = pj_str(key);
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-client-ca", h_pki("ca.pem")), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* A wrong password, or none, leaves the key unreadable: the listener
     * does not start. */
    h_setup(NULL);
    pjsip_tpfactory *fac = NULL;
    ts.password = pj_str("wrong");
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_EKEYFILE);
    ts.password = pj_str("");
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_EKEYFILE);
    ts.privkey_buf = pj_str("");
    ts.privkey_file = pj_str((char *)h_pki("cli-enc.key"));
    ts.password = pj_str("wrong");
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_EKEYFILE);
    h_teardown();
}

static void test_handshake_timeout(void)
{
    /* A plain TCP server never answers the ClientHello. */
    pjsip_tls_setting ts = settings(NULL, PJ_FALSE);
    ts.timeout.sec = 0;
    ts.timeout.msec = 300;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tls", registrar_tcp_port(H.reg));
    pjsip_regc *regc = h_regc(60);
    double start = h_now_ms();
    CHECK_INT(register_once(regc, 1), 503);
    CHECK_STR(H.rec[0].reason, "SSL negotiation has timed out (PJSIP_TLS_ETIMEDOUT)");
    CHECK(H.rec[0].at_ms - start >= 250 && H.rec[0].at_ms - start < 1500);
    pjsip_regc_destroy(regc);
    h_teardown();
}

static void test_start_errors(void)
{
    h_setup(NULL);
    pjsip_tpfactory *fac = NULL;
    pjsip_tls_setting ts = settings("/nonexistent/ca.pem", PJ_TRUE);
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_ECACERT);
    ts = settings(NULL, PJ_FALSE);
    ts.cert_file = pj_str("/nonexistent/cert.pem");
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_ECERTFILE);
    ts = settings(NULL, PJ_FALSE);
    ts.cert_file = pj_str((char *)h_pki("cli.pem"));
    ts.privkey_file = pj_str((char *)h_pki("ca.pem")); /* not a key */
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_EKEYFILE);
    ts = settings(NULL, PJ_FALSE);
    ts.proto = 0;
    ts.method = PJSIP_TLSV1_METHOD; /* TLS 1.0 is not offered */
    CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, NULL, NULL, 1, &fac), PJSIP_TLS_EINVMETHOD);
    /* No TLS listener at all: a TLS destination is refused at once. */
    snprintf(H.server, sizeof(H.server), "sips:127.0.0.1:9");
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(h_register(regc, PJ_FALSE), PJSIP_EUNSUPTRANSPORT);
    CHECK_INT(H.count, 1);
    CHECK_INT(H.rec[0].code, 503);
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* on_verify_cb runs once per new connection, after the handshake and
 * before the first request; PJ_FALSE drops the connection. */
static int verify_calls, verify_dir, verify_local_port, verify_remote_port;
static pj_bool_t verify_answer;

static pj_bool_t on_verify(const pjsip_tls_on_verify_param *param)
{
    verify_calls++;
    verify_dir = (int)param->tp_dir;
    verify_local_port = param->local_addr ? pj_sockaddr_get_port(param->local_addr) : -1;
    verify_remote_port = param->remote_addr ? pj_sockaddr_get_port(param->remote_addr) : -1;
    return verify_answer;
}

static void test_on_verify_cb(void)
{
    for (int accept = 1; accept >= 0; accept--) {
        pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
        ts.on_verify_cb = &on_verify;
        verify_calls = 0;
        verify_answer = accept ? PJ_TRUE : PJ_FALSE;
        CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
        pjsip_regc *regc = h_regc(60);
        CHECK_INT(register_once(regc, 1), accept ? 200 : 503);
        CHECK_INT(verify_calls, 1);
        CHECK_INT(verify_dir, PJSIP_TP_DIR_OUTGOING);
        CHECK_INT(verify_remote_port, registrar_tls_port(H.reg));
        CHECK(verify_local_port > 0);
        if (accept) {
            CHECK_INT(register_once(regc, 2), 200); /* same connection: not asked again */
            CHECK_INT(verify_calls, 1);
        } else {
            CHECK_STR(H.rec[0].reason, "SSL certificate verification error (PJSIP_TLS_ECERTVERIF)");
            CHECK_INT(registrar_count(H.reg), 0);
        }
        pjsip_regc_destroy(regc);
        h_teardown();
    }
}

/* ciphers and curves narrow what is offered. */
static void test_cipher_and_curve_lists(void)
{
    pj_ssl_cipher tls12_only[] = {PJ_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    pj_ssl_cipher unusable[] = {PJ_TLS_RSA_WITH_RC4_128_MD5};
    pj_ssl_curve p384[] = {PJ_TLS_CURVE_SECP384R1};
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    ts.proto = PJ_SSL_SOCK_PROTO_TLS1_2 | PJ_SSL_SOCK_PROTO_TLS1_3;
    ts.ciphers = tls12_only;
    ts.ciphers_num = 1;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* No TLS 1.3 suite in the list: a TLS 1.3-only server is out of reach. */
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), "--tls-min", "1.3"), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 503);
    CHECK_INT(registrar_count(H.reg), 0);
    pjsip_regc_destroy(regc);
    h_teardown();

    ts.ciphers = NULL;
    ts.ciphers_num = 0;
    ts.curves = p384;
    ts.curves_num = 1;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJ_SUCCESS);
    regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    pjsip_regc_destroy(regc);
    h_teardown();

    /* Nothing usable in the list. */
    ts.curves = NULL;
    ts.curves_num = 0;
    ts.ciphers = unusable;
    ts.ciphers_num = 1;
    CHECK_INT(setup_tls(&ts, h_pki("srv.pem"), h_pki("srv.key"), NULL, NULL), PJSIP_TLS_ECIPHER);
    h_teardown();
}

static void test_ipv6(void)
{
    if (!h_have_ipv6_loopback()) {
        printf("test_tls: no IPv6 loopback, IPv6 scenario skipped\n");
        return;
    }
    h_setup(NULL);
    const char *args[] = {"--ipv6", "--tls", h_pki("srv.pem"), h_pki("srv.key"), NULL};
    H.reg = registrar_start_args("{}", args);
    pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
    pj_sockaddr local;
    pj_str_t lo6 = pj_str("::1");
    CHECK_INT(pj_sockaddr_init(pj_AF_INET6(), &local, &lo6, 0), PJ_SUCCESS);
    pjsip_tpfactory *fac = NULL;
    CHECK_INT(pjsip_tls_transport_start2(H.endpt, &ts, &local, NULL, 1, &fac), PJ_SUCCESS);
    CHECK(fac && fac->type == PJSIP_TRANSPORT_TLS6);
    snprintf(H.server, sizeof(H.server), "sip:[::1]:%d;transport=tls", registrar_tls6_port(H.reg));
    pjsip_regc *regc = h_regc(60);
    CHECK_INT(register_once(regc, 1), 200);
    CHECK(strncmp(registrar_source(H.reg, 0), "::1:", 4) == 0);
    CHECK_STR(registrar_transport(H.reg, 0), "TLS");
    pjsip_regc_destroy(regc);
    h_teardown();
}

/* Average time of a REGISTER/200 on a fresh connection each time, TCP or
 * TLS (with the given protocol); loopback, against the Python registrar. */
static double fresh_connection_ms(int tls, unsigned proto, int rounds)
{
    h_setup(NULL);
    const char *args[] = {"--tls", h_pki("srv.pem"), h_pki("srv.key"), NULL};
    H.reg = registrar_start_args("{}", args);
    pj_sockaddr_in local;
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&local, &lo, 0);
    if (tls) {
        pjsip_tls_setting ts = settings(h_pki("ca.pem"), PJ_TRUE);
        ts.proto = proto;
        CHECK_INT(pjsip_tls_transport_start(H.endpt, &ts, &local, NULL, 1, NULL), PJ_SUCCESS);
        snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tls", registrar_tls_port(H.reg));
    } else {
        CHECK_INT(pjsip_tcp_transport_start(H.endpt, &local, 1, NULL), PJ_SUCCESS);
        snprintf(H.server, sizeof(H.server), "sip:127.0.0.1:%d;transport=tcp", registrar_tcp_port(H.reg));
    }
    pjsip_regc *regc = h_regc(60);
    pjsip_tpselector sel;
    memset(&sel, 0, sizeof(sel));
    sel.disable_connection_reuse = PJ_TRUE;
    pjsip_regc_set_transport(regc, &sel);
    register_once(regc, 1); /* warm-up */
    double total = 0;
    int ok = 0;
    for (int i = 0; i < rounds; i++) {
        double t = h_now_ms();
        if (register_once(regc, i + 2) == 200)
            ok++;
        total += H.rec[i + 1].at_ms - t;
    }
    CHECK_INT(ok, rounds);
    /* every round used a connection of its own */
    CHECK(strcmp(registrar_source(H.reg, 1), registrar_source(H.reg, 2)) != 0);
    pjsip_regc_destroy(regc);
    h_teardown();
    return total / rounds;
}

static void measure_handshake(void)
{
    enum { ROUNDS = 20 };
    double tcp = fresh_connection_ms(0, 0, ROUNDS);
    double tls12 = fresh_connection_ms(1, PJ_SSL_SOCK_PROTO_TLS1_2, ROUNDS);
    double tls13 = fresh_connection_ms(1, PJ_SSL_SOCK_PROTO_TLS1_3, ROUNDS);
    printf("test_tls: new connection + REGISTER/200 on loopback (avg of %d): TCP %.2f ms, "
           "TLS 1.2 %.2f ms (handshake ~%.2f ms), TLS 1.3 %.2f ms (handshake ~%.2f ms)\n",
           ROUNDS, tcp, tls12, tls12 - tcp, tls13, tls13 - tcp);
}

int main(void)
{
    test_defaults();
    if (!h_pki("ca.pem")) {
        printf("test_tls: openssl command not available, TLS scenarios skipped\n");
        return h_summary("test_tls");
    }
    test_verified_registration();
    test_ca_buffer();
    test_wrong_ca();
    test_wrong_name();
    test_versions();
    test_client_certificate();
    test_encrypted_client_key();
    test_handshake_timeout();
    test_start_errors();
    test_on_verify_cb();
    test_cipher_and_curve_lists();
    test_ipv6();
    measure_handshake();
    return h_summary("test_tls");
}
