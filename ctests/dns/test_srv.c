/* The endpoint's DNS resolver (pjsip_endpt_create_resolver,
 * pj_dns_resolver_set_ns, pjsip_endpt_set_resolver) against a real DNS
 * server: dnsmasq on a free loopback port, serving SRV and A records for
 * names under .test that point at the test registrar. Registers to names
 * that need SRV (with two priorities, the better one reachable), to a name
 * with an explicit port (A only), over TCP to two SRV targets the first of
 * which refuses connections (the next one is used), to a name that does not exist (NXDOMAIN:
 * 502) and through a nameserver that never answers (timeout: 503).
 * REGC_OWN_TRANSPORTS: UDP only (the SRV records name _sip._udp). */
#include "regc_harness.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t dnsmasq_pid;

/* A UDP port nothing is bound to (bound and released). */
static int free_udp_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), port = 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int start_dnsmasq(int port, int reg_port, int reg_tcp_port, int dead_port)
{
    char a[20][160];
    char *argv[24];
    int n = 0;
    snprintf(a[n++], 160, "dnsmasq");
    snprintf(a[n++], 160, "--no-daemon");
    snprintf(a[n++], 160, "--port=%d", port);
    snprintf(a[n++], 160, "--listen-address=127.0.0.1");
    snprintf(a[n++], 160, "--bind-interfaces");
    snprintf(a[n++], 160, "--no-resolv");
    snprintf(a[n++], 160, "--no-hosts");
    snprintf(a[n++], 160, "--conf-file=/dev/null");
    snprintf(a[n++], 160, "--local=/test/");
    snprintf(a[n++], 160, "--srv-host=_sip._udp.example.test,sip1.example.test,%d,10,60", reg_port);
    snprintf(a[n++], 160, "--srv-host=_sip._udp.prio.test,dead.prio.test,%d,20,0", dead_port);
    snprintf(a[n++], 160, "--srv-host=_sip._udp.prio.test,live.prio.test,%d,10,0", reg_port);
    snprintf(a[n++], 160, "--srv-host=_sip._tcp.tcp.test,dead.prio.test,%d,10,0", dead_port);
    snprintf(a[n++], 160, "--srv-host=_sip._tcp.tcp.test,live.prio.test,%d,20,0", reg_tcp_port);
    snprintf(a[n++], 160, "--host-record=sip1.example.test,127.0.0.1");
    snprintf(a[n++], 160, "--host-record=dead.prio.test,127.0.0.1");
    snprintf(a[n++], 160, "--host-record=live.prio.test,127.0.0.1");
    snprintf(a[n++], 160, "--host-record=plain.test,127.0.0.1");
    for (int i = 0; i < n; i++)
        argv[i] = a[i];
    argv[n] = NULL;
    dnsmasq_pid = fork();
    if (dnsmasq_pid == 0) {
        execvp("dnsmasq", argv);
        execv("/usr/sbin/dnsmasq", argv);
        _exit(127);
    }
    /* Its start-up is quick; a query sent earlier is retransmitted. */
    pj_thread_sleep(300);
    int st;
    return dnsmasq_pid > 0 && waitpid(dnsmasq_pid, &st, WNOHANG) == 0;
}

static pj_dns_resolver *make_resolver(int port, unsigned delay_ms, unsigned count)
{
    pj_dns_resolver *resv = NULL;
    pj_str_t ns = pj_str("127.0.0.1");
    pj_uint16_t p = (pj_uint16_t)port;
    pj_dns_settings st;
    CHECK_INT(pjsip_endpt_create_resolver(H.endpt, &resv), PJ_SUCCESS);
    CHECK(resv != NULL);
    CHECK_INT(pj_dns_resolver_set_ns(resv, 1, &ns, &p), PJ_SUCCESS);
    CHECK_INT(pj_dns_resolver_get_settings(resv, &st), PJ_SUCCESS);
    CHECK_INT(st.qretr_delay, 2000);
    CHECK_INT(st.qretr_count, 5);
    st.qretr_delay = delay_ms;
    st.qretr_count = count;
    CHECK_INT(pj_dns_resolver_set_settings(resv, &st), PJ_SUCCESS);
    return resv;
}

/* Registers to `server` and waits for the callback; returns it. */
static cb_record *register_to(const char *server)
{
    int before = H.count;
    snprintf(H.server, sizeof H.server, "%s", server);
    pjsip_regc *regc = h_regc(300);
    CHECK(regc != NULL);
    if (!regc)
        return NULL;
    /* The lookup is asynchronous: the send itself succeeds. */
    CHECK_INT(h_register(regc, PJ_FALSE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(before + 1, 8000));
    pjsip_regc_destroy(regc);
    return H.count > before ? &H.rec[before] : NULL;
}

int main(void)
{
    static const char *const reg_args[] = {"--tcp", NULL};
    h_registrar_args = reg_args;
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    int reg_port = registrar_port(H.reg);
    CHECK_INT(pjsip_tcp_transport_start(H.endpt, NULL, 1, NULL), PJ_SUCCESS);
    int dns_port = free_udp_port(), dead_port = free_udp_port(), silent_port = free_udp_port();
    char uri[96];
    if (!start_dnsmasq(dns_port, reg_port, registrar_tcp_port(H.reg), dead_port)) {
        fprintf(stderr, "test_srv: dnsmasq did not start (ctests/setup.sh installs it)\n");
        h_failures++;
        return h_summary("test_srv");
    }

    CHECK(pjsip_endpt_get_resolver(H.endpt) == NULL);
    pj_dns_resolver *resv = make_resolver(dns_port, 200, 3);
    CHECK_INT(pjsip_endpt_set_resolver(H.endpt, resv), PJ_SUCCESS);
    CHECK(pjsip_endpt_get_resolver(H.endpt) == resv);

    /* SRV _sip._udp.example.test -> sip1.example.test:reg_port -> 127.0.0.1. */
    cb_record *r = register_to("sip:example.test");
    CHECK(r && r->code == 200);
    CHECK_INT(registrar_count(H.reg), 1);

    /* Two SRV records: priority 10 (the registrar) before 20 (nobody). */
    r = register_to("sip:prio.test");
    CHECK(r && r->code == 200);
    CHECK_INT(registrar_count(H.reg), 2);

    /* An explicit port: no SRV, the A record. */
    snprintf(uri, sizeof uri, "sip:plain.test:%d", reg_port);
    r = register_to(uri);
    CHECK(r && r->code == 200);
    CHECK_INT(registrar_count(H.reg), 3);

    /* TCP, two SRV targets: the first refuses the connection, so the
     * request goes to the next resolved address. */
    r = register_to("sip:tcp.test;transport=tcp");
    CHECK(r && r->code == 200);
    CHECK_INT(registrar_count(H.reg), 4);
    CHECK_STR(registrar_transport(H.reg, 3), "TCP");

    /* No such name (no SRV, then no A): 502 with the resolver's error. */
    r = register_to("sip:nothere.test");
    CHECK(r && r->code == 502 && r->status == PJ_SUCCESS);
    CHECK(r && strstr(r->reason, "Name Error") != NULL);
    CHECK_INT(registrar_count(H.reg), 4);

    /* A nameserver that never answers: the SRV query, then the A query
     * of the fallback, time out after 3 transmissions 200 ms apart
     * (pjsip: about 1 s in all, its second query shortened by the
     * nameserver's bad state; here 1.2 s); the transaction ends with 503. */
    pj_dns_resolver *silent = make_resolver(silent_port, 200, 3);
    CHECK_INT(pjsip_endpt_set_resolver(H.endpt, silent), PJ_SUCCESS);
    double t0 = h_now_ms();
    r = register_to("sip:example.test");
    double took = h_now_ms() - t0;
    CHECK(r && r->code == 503);
    CHECK(r && strstr(r->reason, "timed out") != NULL);
    h_trace("nameserver timeout after %.0f ms", took);
    fprintf(stderr, "test_srv: nameserver timeout after %.0f ms\n", took);
    CHECK(took >= 800 && took < 3000);
    CHECK_INT(registrar_count(H.reg), 4);

    /* Without a resolver (set to NULL), getaddrinfo again. pjsip keeps
     * the pointer it was given, so a resolver is taken off before it is
     * destroyed. */
    CHECK_INT(pjsip_endpt_set_resolver(H.endpt, NULL), PJ_SUCCESS);
    CHECK(pjsip_endpt_get_resolver(H.endpt) == NULL);
    CHECK_INT(pj_dns_resolver_destroy(silent, PJ_FALSE), PJ_SUCCESS);
    CHECK_INT(pj_dns_resolver_destroy(resv, PJ_FALSE), PJ_SUCCESS);
    snprintf(uri, sizeof uri, "sip:127.0.0.1:%d", reg_port);
    r = register_to(uri);
    CHECK(r && r->code == 200);

    kill(dnsmasq_pid, SIGTERM);
    waitpid(dnsmasq_pid, NULL, 0);
    h_teardown();
    return h_summary("test_srv");
}
