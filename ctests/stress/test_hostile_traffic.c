/* Hostile traffic while registrations run: a child process floods the
 * client's UDP port and its TCP listener with oversized, truncated and
 * garbage datagrams and stream frames, responses that match no transaction
 * and stray requests, while the client registers a few hundred accounts,
 * registers them again and unregisters them. None may be lost, and
 * memory must stay flat: the second half of the flood may not grow the
 * process by more than a small fraction of the first.
 *
 * ASan keeps freed memory in a quarantine that would hide a leak behind
 * its own growth, so the test re-executes itself with a small one. */
#include "regc_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ACCOUNTS 300

static int callbacks_ok, callbacks_bad;

static void on_reg(struct pjsip_regc_cbparam *param)
{
    if (param->status == PJ_SUCCESS && param->code / 100 == 2)
        callbacks_ok++;
    else
        callbacks_bad++;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* What the flood sends, in turn. */
static int hostile_message(char *buf, size_t cap, unsigned n, int port)
{
    switch (n % 7) {
    case 0: /* garbage */
        for (size_t i = 0; i < 512; i++)
            buf[i] = (char)(n * 31 + i * 7);
        return 512;
    case 1: /* truncated response */
        return snprintf(buf, cap, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK", port);
    case 2: /* a response no transaction waits for */
        return snprintf(buf, cap,
                        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKnone%u\r\n"
                        "From: <sip:a@h>;tag=1\r\nTo: <sip:a@h>;tag=2\r\nCall-ID: stray%u\r\n"
                        "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n",
                        port, n, n);
    case 3: /* a stray request */
        return snprintf(buf, cap,
                        "OPTIONS sip:x@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKo%u\r\n"
                        "From: <sip:b@h>;tag=3\r\nTo: <sip:x@h>\r\nCall-ID: opt%u\r\nCSeq: 1 OPTIONS\r\n"
                        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                        port, n, n);
    case 4: { /* oversized: near the largest datagram */
        size_t len = cap < 65000 ? cap : 65000;
        memset(buf, 'A', len);
        memcpy(buf, "SIP/2.0 200 OK\r\nX: ", 19);
        return (int)len;
    }
    case 5: /* a Content-Length far beyond the message */
        return snprintf(buf, cap,
                        "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKcl%u\r\n"
                        "Content-Length: 99999999\r\n\r\nabc",
                        port, n);
    default: /* headers without end */
        return snprintf(buf, cap, "REGISTER sip:h SIP/2.0\r\nVia: x\r\nVia: x\r\nVia: x\r\nVia: x\r\n");
    }
}

/* The flood: UDP datagrams to the client's port, and TCP connections to
 * its listener fed the same messages in odd chunks, reopened as the
 * client closes them. Runs until killed. */
static void flood(int port)
{
    static char buf[65536];
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons((unsigned short)port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int tcp = -1;
    for (unsigned n = 0;; n++) {
        int len = hostile_message(buf, sizeof(buf), n, port);
        sendto(udp, buf, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
        if (tcp < 0) {
            tcp = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(tcp, (struct sockaddr *)&to, sizeof(to)) != 0) {
                close(tcp);
                tcp = -1;
            }
        }
        if (tcp >= 0) {
            int chunk = 1 + (int)(n % 97);
            for (int off = 0; off < len; off += chunk) {
                int part = len - off < chunk ? len - off : chunk;
                if (send(tcp, buf + off, (size_t)part, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
                    close(tcp);
                    tcp = -1;
                    break;
                }
            }
        }
        if (n % 16 == 0) { /* about ten thousand messages a second */
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
}

static void register_all(pjsip_regc **regs, pj_bool_t reg, int expect)
{
    for (int i = 0; i < ACCOUNTS; i++) {
        pjsip_tx_data *tdata;
        pj_status_t st = reg ? pjsip_regc_register(regs[i], PJ_TRUE, &tdata) : pjsip_regc_unregister(regs[i], &tdata);
        if (st == PJ_SUCCESS)
            st = pjsip_regc_send(regs[i], tdata);
        CHECK_INT(st, PJ_SUCCESS);
        if (i % 50 == 49)
            h_poll(20);
    }
    pj_time_val tick = {0, 10};
    for (int waited = 0; waited < 15000 && callbacks_ok + callbacks_bad < expect; waited += 10)
        pjsip_endpt_handle_events(H.endpt, &tick);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!getenv("HOSTILE_REEXEC")) {
        setenv("HOSTILE_REEXEC", "1", 1);
        const char *given = getenv("ASAN_OPTIONS");
        char opts[512];
        snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=4", given ? given : "", given ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        execv("/proc/self/exe", argv);
        return 2;
    }
    h_setup("{\"default\":{\"code\":200,\"contact\":\"request\"}}");
    /* A TCP listener on the UDP port too, for the stream half. */
    pjsip_tcp_transport_cfg cfg;
    pjsip_tcp_transport_cfg_default(&cfg, pj_AF_INET());
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&cfg.bind_addr.ipv4, &lo, (pj_uint16_t)H.port);
    CHECK_INT(pjsip_tcp_transport_start3(H.endpt, &cfg, NULL), PJ_SUCCESS);

    pjsip_regc *regs[ACCOUNTS];
    pjsip_cred_info none;
    memset(&none, 0, sizeof(none));
    for (int i = 0; i < ACCOUNTS; i++) {
        char aor[64];
        snprintf(aor, sizeof(aor), "<sip:user%d@example.com>", i);
        pj_str_t srv = pj_str(H.server), to = pj_str(aor), c = pj_str(H.contact);
        CHECK_INT(pjsip_regc_create(H.endpt, NULL, &on_reg, &regs[i]), PJ_SUCCESS);
        CHECK_INT(pjsip_regc_init(regs[i], &srv, &to, &to, 1, &c, 60), PJ_SUCCESS);
    }

    pid_t child = fork();
    if (child == 0) {
        flood(H.port);
        _exit(0);
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    long rss0 = rss_kb();
    register_all(regs, PJ_TRUE, ACCOUNTS);
    CHECK_INT(callbacks_ok, ACCOUNTS);
    h_poll(1500);
    long rss_half = rss_kb();
    register_all(regs, PJ_TRUE, 2 * ACCOUNTS);
    CHECK_INT(callbacks_ok, 2 * ACCOUNTS);
    h_poll(1500);
    long rss_end = rss_kb();
    register_all(regs, PJ_FALSE, 3 * ACCOUNTS);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    getrusage(RUSAGE_SELF, &ru1);
    CHECK_INT(callbacks_ok, 3 * ACCOUNTS);
    CHECK_INT(callbacks_bad, 0);
    double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    printf("hostile: %d registrations, re-registrations and unregistrations under the flood; RSS %ld -> %ld -> %ld KiB; "
           "%.1f s CPU\n",
           3 * ACCOUNTS, rss0, rss_half, rss_end, cpu);
    /* Flat: the second half grows by less than a quarter of the first
     * half's growth plus 2 MiB of allocator slack. */
    CHECK(rss_end - rss_half < (rss_half - rss0) / 4 + 2048);
    for (int i = 0; i < ACCOUNTS; i++)
        pjsip_regc_destroy(regs[i]);
    h_teardown();
    return h_summary("hostile_traffic");
}
