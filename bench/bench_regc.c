/* Registration throughput and memory per registration.
 *
 * A minimal UAS thread answers every REGISTER (echoing Via, From, To,
 * Call-ID, CSeq and Contact); N registration clients register at once.
 * The program reports registrations per second and the resident memory
 * per client: idle (created and initialised), at the last 2xx, and once
 * the transactions have ended. Uses only the pjproject API, so it builds
 * against pjproject too.
 *
 *   bench_regc [N] [tcp] [auth] [unregister|refresh]
 *
 *   N           clients (default 5000)
 *   tcp         every client registers over one TCP connection (default UDP)
 *   auth        the UAS answers a REGISTER without Authorization with a
 *               digest challenge (MD5, qop=auth; it never checks the
 *               answer), the clients hold credentials
 *   unregister  once all are registered, every client unregisters
 *   refresh     the UAS grants 30 s, the clients refresh 25 s early, and
 *               the program ends when every client has refreshed once
 *
 * The UAS grants what the request's Expires asks (3600 without one).
 * BENCH_SETTLE_MS (default 5500) is how long it waits after the last
 * response for the transactions to end (Timer K) before measuring memory;
 * 0 skips that (for instruction counts, where idle polling would only add
 * noise). BENCH_LIMIT_S (default 60) caps each wait for responses.
 * BENCH_T1_MS, when set, is the transactions' T1 (and the cap T2): under
 * valgrind, N requests at once take longer than the default 500 ms to be
 * answered, and the retransmissions (and their answers) would be counted
 * as registration work. run_bench.py uses 5 s: long enough for that, short
 * enough that a datagram lost at a full socket buffer (pjproject's, with
 * 2 500 answers at once) is still sent again within BENCH_LIMIT_S.
 * The last line, "result ...", is for bench/run_bench.py. */
#define _POSIX_C_SOURCE 200809L
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <arpa/inet.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int uas_fd, tcp_mode, auth_mode;
static volatile int uas_stop;

/* Per client, the 2xx received so far (the token is its index): the
 * first is its registration, the second its unregistration or refresh. */
static unsigned char *got;
static int first_2xx, second_2xx, more_2xx, failed;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The value of the first header line of `req` named `name` (with its
 * colon), or NULL. */
static const char *header(const char *req, const char *name)
{
    size_t n = strlen(name);
    const char *line = strstr(req, "\r\n");
    while (line && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        if (strncmp(line, name, n) == 0)
            return line + n;
        line = strstr(line, "\r\n");
    }
    return NULL;
}

/* Appends every header line of `req` whose name is in `names` to out. */
static size_t copy_headers(const char *req, char *out, size_t cap)
{
    static const char *names[] = {"Via:", "From:", "To:", "Call-ID:", "CSeq:", "Contact:"};
    size_t len = 0;
    const char *line = strstr(req, "\r\n");
    while (line && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            size_t n = strlen(names[i]);
            if (strncmp(line, names[i], n) == 0 && len + (size_t)(end - line) + 2 < cap) {
                memcpy(out + len, line, (size_t)(end - line));
                len += (size_t)(end - line);
                memcpy(out + len, "\r\n", 2);
                len += 2;
            }
        }
        line = end;
    }
    return len;
}

/* The response to one request, into resp; its length. Challenging every
 * request without credentials, as registrars do, keeps the UAS stateless;
 * pjsip sends none unasked (PJSIP_AUTH_AUTO_SEND_NEXT is 0), so refreshes
 * and unregistrations are challenged too. */
static size_t answer(const char *req, char *resp, size_t cap)
{
    int challenge = auth_mode && !header(req, "Authorization:");
    size_t len = (size_t)snprintf(resp, cap, challenge ? "SIP/2.0 401 Unauthorized\r\n" : "SIP/2.0 200 OK\r\n");
    len += copy_headers(req, resp + len, cap - len - 256);
    if (challenge) {
        len += (size_t)snprintf(resp + len, cap - len,
                                "WWW-Authenticate: Digest realm=\"bench\", nonce=\"8f1c0a6e5b2d4c3a\", algorithm=MD5, qop=\"auth\"\r\n"
                                "Content-Length: 0\r\n\r\n");
    } else {
        const char *asked = header(req, "Expires:");
        long expires = asked ? strtol(asked, NULL, 10) : 3600;
        len += (size_t)snprintf(resp + len, cap - len, "Expires: %ld\r\nContent-Length: 0\r\n\r\n", expires);
    }
    return len;
}

static void *uas_udp(void)
{
    char req[4096], resp[4096];
    while (!uas_stop) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(uas_fd, req, sizeof(req) - 1, 0, (struct sockaddr *)&from, &fl);
        if (n <= 0)
            continue;
        req[n] = '\0';
        size_t len = answer(req, resp, sizeof(resp));
        sendto(uas_fd, resp, len, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

/* Over TCP: accepts connections and answers every message on them (the
 * requests carry no body: each ends at its blank line). */
enum { MAX_CONNS = 8, CONN_BUF = 1 << 16 };

static void *uas_tcp(void)
{
    struct pollfd fds[1 + MAX_CONNS];
    static char buf[MAX_CONNS][CONN_BUF];
    size_t have[MAX_CONNS] = {0};
    char resp[4096];
    int nconn = 0;
    fds[0].fd = uas_fd;
    fds[0].events = POLLIN;
    while (!uas_stop) {
        if (poll(fds, (nfds_t)(1 + nconn), 100) <= 0)
            continue;
        if ((fds[0].revents & POLLIN) && nconn < MAX_CONNS) {
            int c = accept(uas_fd, NULL, NULL);
            if (c >= 0) {
                fds[1 + nconn].fd = c;
                fds[1 + nconn].events = POLLIN;
                have[nconn++] = 0;
            }
        }
        for (int i = 0; i < nconn; i++) {
            if (!(fds[1 + i].revents & POLLIN))
                continue;
            ssize_t n = read(fds[1 + i].fd, buf[i] + have[i], CONN_BUF - 1 - have[i]);
            if (n <= 0)
                continue;
            have[i] += (size_t)n;
            buf[i][have[i]] = '\0';
            char *start = buf[i], *end;
            while ((end = strstr(start, "\r\n\r\n")) != NULL) {
                end[2] = '\0';
                if (strncmp(start, "REGISTER", 8) == 0) {
                    size_t len = answer(start, resp, sizeof(resp));
                    if (write(fds[1 + i].fd, resp, len) < 0)
                        break;
                }
                start = end + 4;
            }
            have[i] -= (size_t)(start - buf[i]);
            memmove(buf[i], start, have[i]);
        }
    }
    for (int i = 0; i < nconn; i++)
        close(fds[1 + i].fd);
    return NULL;
}

static void *uas(void *arg)
{
    (void)arg;
    return tcp_mode ? uas_tcp() : uas_udp();
}

static void on_reg(struct pjsip_regc_cbparam *param)
{
    if (param->code / 100 != 2) {
        failed++;
        return;
    }
    switch (++got[(uintptr_t)param->token]) {
    case 1: first_2xx++; break;
    case 2: second_2xx++; break;
    default: more_2xx++; break;
    }
}

static double limit_ms;

/* Polls until *count reaches n or the limit passes since `since`. */
static void wait_for(pjsip_endpoint *endpt, const int *count, int n, double since)
{
    pj_time_val tick = {0, 10};
    while (*count < n && now_ms() - since < limit_ms)
        pjsip_endpt_handle_events(endpt, &tick);
}

static double env_or(const char *name, double fallback)
{
    const char *v = getenv(name);
    return v ? atof(v) : fallback;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    int unregister = 0, refresh = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "tcp") == 0)
            tcp_mode = 1;
        else if (strcmp(argv[i], "auth") == 0)
            auth_mode = 1;
        else if (strcmp(argv[i], "unregister") == 0)
            unregister = 1;
        else if (strcmp(argv[i], "refresh") == 0)
            refresh = 1;
        else {
            fprintf(stderr, "usage: %s [N] [tcp] [auth] [unregister|refresh]\n", argv[0]);
            return 2;
        }
    }
    limit_ms = env_or("BENCH_LIMIT_S", 60) * 1000.0;
    double settle_ms = env_or("BENCH_SETTLE_MS", 5500);

    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uas_fd = socket(AF_INET, tcp_mode ? SOCK_STREAM : SOCK_DGRAM, 0);
    struct timeval tv = {0, 100000};
    setsockopt(uas_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int big = 8 << 20;
    setsockopt(uas_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    bind(uas_fd, (struct sockaddr *)&a, sizeof(a));
    if (tcp_mode)
        listen(uas_fd, 16);
    socklen_t al = sizeof(a);
    getsockname(uas_fd, (struct sockaddr *)&a, &al);
    pthread_t th;
    pthread_create(&th, NULL, uas, NULL);

    pj_caching_pool cp;
    pjsip_endpoint *endpt;
    pj_init();
    pj_log_set_level(0);
    pj_caching_pool_init(&cp, &pj_pool_factory_default_policy, 0);
    pjsip_endpt_create(&cp.factory, NULL, &endpt);
    pjsip_tsx_layer_init_module(endpt);
    unsigned t1 = (unsigned)env_or("BENCH_T1_MS", 0);
    if (t1)
        pjsip_tsx_set_timers(t1, t1 > 4000 ? t1 : 4000, 5000, 32000);
    pj_sockaddr_in local;
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&local, &lo, 0);
    pjsip_udp_transport_start(endpt, &local, NULL, 1, NULL);
    if (tcp_mode)
        pjsip_tcp_transport_start(endpt, &local, 1, NULL);

    char srv[64];
    snprintf(srv, sizeof(srv), "sip:127.0.0.1:%d%s", ntohs(a.sin_port), tcp_mode ? ";transport=tcp" : "");
    pjsip_regc **regs = malloc((size_t)n * sizeof(*regs));
    got = malloc((size_t)n);
    /* Written now so that their pages are resident before the baseline. */
    memset(regs, 0, (size_t)n * sizeof(*regs));
    memset(got, 0, (size_t)n);
    long rss0 = rss_kib();
    double t0 = now_ms();
    pj_str_t s = pj_str(srv);
    for (int i = 0; i < n; i++) {
        char aor[64], contact[80], user[32];
        snprintf(user, sizeof(user), "user%d", i);
        snprintf(aor, sizeof(aor), "<sip:%s@example.com>", user);
        snprintf(contact, sizeof(contact), "<sip:%s@127.0.0.1:5060>", user);
        pj_str_t f = pj_str(aor), c = pj_str(contact);
        pjsip_regc_create(endpt, (void *)(uintptr_t)i, &on_reg, &regs[i]);
        /* A refresh 5 s after each grant of 30 s. The refresh asks for an
         * hour (update_expires below); pjsip caps the delay to the next one
         * at the previous grant, so it would come 30 s later: after the
         * program ends, as long as registering everyone takes under 30 s. */
        pjsip_regc_init(regs[i], &s, &f, &f, 1, &c, refresh ? 30 : 3600);
        if (refresh)
            pjsip_regc_set_delay_before_refresh(regs[i], 25);
        if (auth_mode) {
            pjsip_cred_info cred;
            memset(&cred, 0, sizeof(cred));
            cred.realm = pj_str("*");
            cred.scheme = pj_str("digest");
            cred.username = pj_str(user);
            cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
            cred.data = pj_str("secret");
            pjsip_regc_set_credentials(regs[i], 1, &cred);
        }
    }
    long rss_idle = rss_kib();
    for (int i = 0; i < n; i++) {
        pjsip_tx_data *tdata;
        if (pjsip_regc_register(regs[i], PJ_TRUE, &tdata) == PJ_SUCCESS)
            pjsip_regc_send(regs[i], tdata);
        if (refresh)
            pjsip_regc_update_expires(regs[i], 3600);
        if (i % 64 == 0) {
            pj_time_val zero = {0, 0};
            pjsip_endpt_handle_events(endpt, &zero);
        }
    }
    wait_for(endpt, &first_2xx, n, t0);
    double took = now_ms() - t0;
    long rss_last = rss_kib();

    if (unregister && first_2xx == n) {
        double t1 = now_ms();
        for (int i = 0; i < n; i++) {
            pjsip_tx_data *tdata;
            if (pjsip_regc_unregister(regs[i], &tdata) == PJ_SUCCESS)
                pjsip_regc_send(regs[i], tdata);
            if (i % 64 == 0) {
                pj_time_val zero = {0, 0};
                pjsip_endpt_handle_events(endpt, &zero);
            }
        }
        wait_for(endpt, &second_2xx, n, t1);
    }
    if (refresh && first_2xx == n)
        wait_for(endpt, &second_2xx, n, now_ms());

    /* Let the transactions finish (Timer K) so only idle clients remain,
     * and hand freed memory back so that RSS shows it. */
    double settle = now_ms();
    pj_time_val tick = {0, 10};
    while (now_ms() - settle < settle_ms)
        pjsip_endpt_handle_events(endpt, &tick);
    malloc_trim(0);
    long rss_settled = rss_kib();

    printf("%s%s registrations: %d of %d in %.1f ms = %.0f registrations/s\n", tcp_mode ? "TCP" : "UDP",
           auth_mode ? " digest" : "", first_2xx, n, took, first_2xx / (took / 1000.0));
    if (unregister || refresh)
        printf("%s: %d of %d\n", unregister ? "unregistrations" : "refreshes", second_2xx, n);
    if (failed || more_2xx)
        printf("failures: %d non-2xx final responses, %d 2xx beyond the second\n", failed, more_2xx);
    printf("memory per regc: %.0f bytes idle, %.0f at the last 2xx, %.0f settled (RSS %ld, %ld, %ld, %ld KiB)\n",
           (double)(rss_idle - rss0) * 1024.0 / n, (double)(rss_last - rss0) * 1024.0 / n,
           (double)(rss_settled - rss0) * 1024.0 / n, rss0, rss_idle, rss_last, rss_settled);
    printf("result n=%d registered=%d second=%d more=%d failed=%d ms=%.3f rss0_kib=%ld idle_kib=%ld last_kib=%ld settled_kib=%ld\n",
           n, first_2xx, second_2xx, more_2xx, failed, took, rss0, rss_idle, rss_last, rss_settled);

    for (int i = 0; i < n; i++)
        pjsip_regc_destroy(regs[i]);
    free(regs);
    free(got);
    uas_stop = 1;
    pthread_join(th, NULL);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    close(uas_fd);
    int ok = first_2xx == n && (!(unregister || refresh) || second_2xx == n) && !more_2xx;
    return ok ? 0 : 1;
}
