/* Registration throughput and memory per registration.
 *
 * A minimal UAS thread answers every REGISTER with 200 OK (echoing Via,
 * From, To, Call-ID, CSeq and Contact). N registration clients register
 * at once; the program reports registrations per second and the resident
 * memory each idle registered client costs. Uses only the pjproject API,
 * so it builds against pjproject too.
 *
 *   bench_regc [N] [tcp]     (default 5000, over UDP; with "tcp" every
 *                            client registers over one TCP connection)
 *
 * BENCH_SETTLE_MS (default 5500) is how long it waits after the last
 * response for the transactions to end before measuring memory; 0 skips
 * that (for instruction counts, where idle polling would only add noise). */
#define _POSIX_C_SOURCE 200809L
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int uas_fd, tcp_mode;
static volatile int uas_stop;
static int done;

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

/* The 200 OK for one request, into resp; its length. */
static size_t answer(const char *req, char *resp, size_t cap)
{
    size_t len = (size_t)snprintf(resp, cap, "SIP/2.0 200 OK\r\n");
    len += copy_headers(req, resp + len, cap - len - 64);
    len += (size_t)snprintf(resp + len, cap - len, "Expires: 3600\r\nContent-Length: 0\r\n\r\n");
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
    if (param->code == 200)
        done++;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    tcp_mode = argc > 2 && strcmp(argv[2], "tcp") == 0;
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
    pj_sockaddr_in local;
    pj_str_t lo = pj_str("127.0.0.1");
    pj_sockaddr_in_init(&local, &lo, 0);
    pjsip_udp_transport_start(endpt, &local, NULL, 1, NULL);
    if (tcp_mode)
        pjsip_tcp_transport_start(endpt, &local, 1, NULL);

    char srv[64];
    snprintf(srv, sizeof(srv), "sip:127.0.0.1:%d%s", ntohs(a.sin_port), tcp_mode ? ";transport=tcp" : "");
    pjsip_regc **regs = calloc((size_t)n, sizeof(*regs));
    long rss0 = rss_kib();
    double t0 = now_ms();
    for (int i = 0; i < n; i++) {
        char aor[64], contact[80];
        snprintf(aor, sizeof(aor), "<sip:user%d@example.com>", i);
        snprintf(contact, sizeof(contact), "<sip:user%d@127.0.0.1:5060>", i);
        pj_str_t s = pj_str(srv), f = pj_str(aor), c = pj_str(contact);
        pjsip_tx_data *tdata;
        pjsip_regc_create(endpt, NULL, &on_reg, &regs[i]);
        pjsip_regc_init(regs[i], &s, &f, &f, 1, &c, 3600);
        pjsip_regc_register(regs[i], PJ_TRUE, &tdata);
        pjsip_regc_send(regs[i], tdata);
        if (i % 64 == 0) {
            pj_time_val zero = {0, 0};
            pjsip_endpt_handle_events(endpt, &zero);
        }
    }
    pj_time_val tick = {0, 10};
    while (done < n && now_ms() - t0 < 60000)
        pjsip_endpt_handle_events(endpt, &tick);
    double took = now_ms() - t0;
    /* Let the transactions finish (Timer K) so only idle clients remain. */
    double settle = now_ms();
    const char *settle_env = getenv("BENCH_SETTLE_MS");
    double settle_ms = settle_env ? atof(settle_env) : 5500;
    while (now_ms() - settle < settle_ms)
        pjsip_endpt_handle_events(endpt, &tick);
    long rss1 = rss_kib();

    printf("%s registrations: %d of %d in %.1f ms = %.0f registrations/s\n", tcp_mode ? "TCP" : "UDP", done, n, took, done / (took / 1000.0));
    printf("memory: %.0f bytes per idle registered regc (RSS %ld -> %ld KiB)\n",
           (double)(rss1 - rss0) * 1024.0 / n, rss0, rss1);

    for (int i = 0; i < n; i++)
        pjsip_regc_destroy(regs[i]);
    free(regs);
    uas_stop = 1;
    pthread_join(th, NULL);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    close(uas_fd);
    return done == n ? 0 : 1;
}
