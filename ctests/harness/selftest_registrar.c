/*
 * selftest_registrar.c - proves the C side of the registrar harness with
 * plain sockets (no pjsip). Build and run from the repository root:
 *
 *   gcc -std=c99 -Wall -Wextra -Werror -fsanitize=address -g \
 *       ctests/harness/selftest_registrar.c ctests/harness/registrar_client.c \
 *       -o target/selftest_registrar && target/selftest_registrar
 *
 * Prints "selftest_registrar: N passed, M failed"; exit status 0 on success.
 */
#define _POSIX_C_SOURCE 200809L

#include "registrar_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        checks++;                                                                    \
        if (!(cond)) {                                                               \
            failures++;                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                  \
        checks++;                                                                         \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                          \
            failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n",    \
                    __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
        }                                                                                 \
    } while (0)

static int udp_socket(int *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) != 0) {
        perror("udp socket");
        exit(2);
    }
    *port = ntohs(a.sin_port);
    return s;
}

static void send_to(int s, int port, const char *msg)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)port);
    if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("sendto");
        exit(2);
    }
}

/* Receive one datagram into buf; returns length or -1 on timeout. */
static int recv_msg(int s, char *buf, size_t cap, int timeout_ms)
{
    struct pollfd p;
    ssize_t n;
    p.fd = s;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, timeout_ms) <= 0)
        return -1;
    n = recv(s, buf, cap - 1, 0);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

static char *make_register(char *buf, size_t cap, int lport, int rport, int cseq,
                           const char *branch, const char *body)
{
    snprintf(buf, cap,
             "REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s\r\n"
             "Max-Forwards: 70\r\n"
             "f: \"Alice\" <sip:alice@example.com>;tag=abc-%d\r\n"
             "To: <sip:alice@example.com>\r\n"
             "i: selftest-call\r\n"
             "CSeq: %d REGISTER\r\n"
             "User-Agent: selftest\r\n"
             "   folded part\r\n"
             "Contact: <sip:alice@127.0.0.1:%d;transport=udp>\r\n"
             "Contact: <sip:alice@127.0.0.1:%d>;expires=0\r\n"
             "Expires: 300\r\n"
             "Authorization: Digest username=\"alice\", realm=\"test.local\", "
             "nonce=\"n1\", uri=\"sip:127.0.0.1:%d\", response=\"abc\", algorithm=MD5, "
             "cnonce=\"c0ffee\", qop=auth, nc=00000001\r\n"
             "Content-Length: %4d\r\n"
             "\r\n%s",
             rport, lport, branch, cseq, cseq, lport, lport + 1, rport, (int)strlen(body), body);
    return buf;
}

static int process_gone(pid_t pid)
{
    char path[64], st[512];
    FILE *f;
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return 1;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 1;
    if (!fgets(st, sizeof(st), f))
        st[0] = '\0';
    fclose(f);
    {
        char *rp = strrchr(st, ')');
        return rp && rp[1] == ' ' && rp[2] == 'Z'; /* zombie nobody reaps */
    }
}

static void sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static void test_udp(void)
{
    registrar *r = registrar_start(
        "{\"script\": [{\"drop\": true}, {\"trying\": true, \"code\": 200}],"
        " \"default\": {\"code\": 404, \"reason\": \"Nobody\"}}");
    char req[4096], resp[4096], path[4200];
    int lport, s, port, n;
    pid_t pid;
    CHECK(r != NULL);
    if (!r)
        return;
    port = registrar_port(r);
    pid = registrar_pid(r);
    CHECK(port > 0);
    CHECK(registrar_tcp_port(r) == 0);
    CHECK(pid > 0);
    CHECK(registrar_count(r) == 0);
    CHECK(registrar_request(r, 0) == NULL);
    CHECK(registrar_header(r, 0, "Via", 0) == NULL);
    snprintf(path, sizeof(path), "%s", registrar_log_path(r));

    s = udp_socket(&lport);
    make_register(req, sizeof(req), lport, port, 7, "z9hG4bKselftest1", "");
    send_to(s, port, req);
    CHECK(registrar_wait_count(r, 1, 5000) == 1);
    CHECK(recv_msg(s, resp, sizeof(resp), 100) < 0); /* dropped */
    send_to(s, port, req);                           /* retransmission */
    n = recv_msg(s, resp, sizeof(resp), 3000);
    CHECK(n > 0 && strncmp(resp, "SIP/2.0 100 Trying\r\n", 20) == 0);
    n = recv_msg(s, resp, sizeof(resp), 3000);
    CHECK(n > 0 && strncmp(resp, "SIP/2.0 200 OK\r\n", 16) == 0);
    CHECK(registrar_wait_count(r, 2, 1000) == 1);
    CHECK(registrar_count(r) == 2);

    CHECK_STR(registrar_request(r, 0), req);
    CHECK(registrar_request_len(r, 1) == (int)strlen(req));
    CHECK(registrar_time_ms(r, 0) >= 0);
    CHECK(registrar_time_ms(r, 1) >= registrar_time_ms(r, 0));
    CHECK(registrar_time_ms(r, 2) < 0);
    CHECK_STR(registrar_transport(r, 0), "UDP");
    {
        char src[64];
        snprintf(src, sizeof(src), "127.0.0.1:%d", lport);
        CHECK_STR(registrar_source(r, 1), src);
    }
    {
        char line[128];
        snprintf(line, sizeof(line), "REGISTER sip:127.0.0.1:%d SIP/2.0", port);
        CHECK_STR(registrar_request_line(r, 0), line);
    }
    CHECK_STR(registrar_method(r, 1), "REGISTER");
    CHECK_STR(registrar_header_order(r, 0),
              "Via,Max-Forwards,f,To,i,CSeq,User-Agent,Contact,Contact,Expires,"
              "Authorization,Content-Length");
    CHECK_STR(registrar_header(r, 0, "Call-ID", 0), "selftest-call");
    CHECK_STR(registrar_header(r, 0, "i", 0), "selftest-call");
    CHECK_STR(registrar_header(r, 0, "v", 0), registrar_header(r, 0, "VIA", 0));
    CHECK_STR(registrar_header(r, 0, "from", 0), "\"Alice\" <sip:alice@example.com>;tag=abc-7");
    CHECK_STR(registrar_header(r, 0, "User-Agent", 0), "selftest folded part");
    CHECK_STR(registrar_header(r, 0, "Content-Length", 0), "0");
    CHECK_STR(registrar_header(r, 0, "l", 0), "0");
    CHECK(registrar_header(r, 0, "Route", 0) == NULL);
    CHECK(registrar_header(r, 0, "Contact", 2) == NULL);
    CHECK(registrar_header_count(r, 0, "m") == 2);
    CHECK(registrar_header_count(r, 0, "Route") == 0);
    CHECK(registrar_header_count(r, 5, "Via") == 0);
    CHECK_STR(registrar_header_param(r, 0, "Via", 0, "branch"), "z9hG4bKselftest1");
    CHECK_STR(registrar_header_param(r, 0, "Via", 0, "rport"), "");
    CHECK(registrar_header_param(r, 0, "Via", 0, "received") == NULL);
    CHECK_STR(registrar_header_param(r, 0, "From", 0, "TAG"), "abc-7");
    CHECK(registrar_header_param(r, 0, "Contact", 0, "transport") == NULL); /* URI param */
    CHECK(registrar_header_param(r, 0, "Contact", 0, "expires") == NULL);
    CHECK_STR(registrar_header_param(r, 0, "Contact", 1, "expires"), "0");
    {
        char uri[128];
        snprintf(uri, sizeof(uri), "sip:alice@127.0.0.1:%d;transport=udp", lport);
        CHECK_STR(registrar_header_uri(r, 0, "Contact", 0), uri);
    }
    CHECK_STR(registrar_header_uri(r, 0, "f", 0), "sip:alice@example.com");
    CHECK_STR(registrar_auth_param(r, 0, "scheme"), "Digest");
    CHECK_STR(registrar_auth_param(r, 0, "nc"), "00000001");
    CHECK_STR(registrar_auth_param(r, 0, "username"), "alice");
    CHECK_STR(registrar_auth_param(r, 0, "qop"), "auth");
    CHECK_STR(registrar_auth_param(r, 0, "algorithm"), "MD5");
    CHECK_STR(registrar_auth_param(r, 0, "cnonce"), "c0ffee");
    CHECK(registrar_auth_param(r, 0, "opaque") == NULL);
    CHECK_STR(registrar_auth_param_n(r, 1, "Authorization", 0, "response"), "abc");
    CHECK(registrar_auth_param_n(r, 1, "Proxy-Authorization", 0, "response") == NULL);
    CHECK_STR(registrar_body(r, 0), "");

    /* a new transaction with a body: the script is exhausted -> default */
    make_register(req, sizeof(req), lport, port, 8, "z9hG4bKselftest2", "hello");
    send_to(s, port, req);
    n = recv_msg(s, resp, sizeof(resp), 3000);
    CHECK(n > 0 && strncmp(resp, "SIP/2.0 404 Nobody\r\n", 20) == 0);
    CHECK(registrar_count(r) == 3);
    CHECK_STR(registrar_body(r, 2), "hello");
    CHECK_STR(registrar_header(r, 2, "Content-Length", 0), "5");

    CHECK(registrar_response_count(r) == 3);
    CHECK(strncmp(registrar_response(r, 0), "SIP/2.0 100 Trying\r\n", 20) == 0);
    CHECK(strncmp(registrar_response(r, 2), "SIP/2.0 404 Nobody\r\n", 20) == 0);
    CHECK(registrar_response_time_ms(r, 2) >= registrar_time_ms(r, 2));
    CHECK(registrar_response(r, 3) == NULL);
    CHECK(registrar_wait_count(r, 4, 50) == 0);

    close(s);
    registrar_stop(r);
    CHECK(process_gone(pid));
    CHECK(access(path, F_OK) != 0); /* log removed */
}

static void test_tcp_and_two_at_once(void)
{
    registrar *a = registrar_start_ex("{}", 1);
    registrar *b = registrar_start("{\"default\": {\"code\": 503}}");
    CHECK(a != NULL && b != NULL);
    if (a && b) {
        struct sockaddr_in sa;
        int s = socket(AF_INET, SOCK_STREAM, 0), us, lport;
        char req[4096], resp[4096];
        CHECK(registrar_tcp_port(a) > 0);
        CHECK(registrar_port(a) != registrar_port(b));
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons((unsigned short)registrar_tcp_port(a));
        CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        make_register(req, sizeof(req), 5060, registrar_tcp_port(a), 1, "z9hG4bKtcp1", "xy");
        CHECK(write(s, req, strlen(req)) == (ssize_t)strlen(req));
        CHECK(recv_msg(s, resp, sizeof(resp), 3000) > 0 &&
              strncmp(resp, "SIP/2.0 200 OK\r\n", 16) == 0);
        CHECK(registrar_wait_count(a, 1, 1000) == 1);
        CHECK_STR(registrar_transport(a, 0), "TCP");
        CHECK_STR(registrar_body(a, 0), "xy");
        close(s);

        us = udp_socket(&lport);
        make_register(req, sizeof(req), lport, registrar_port(b), 1, "z9hG4bKb1", "");
        send_to(us, registrar_port(b), req);
        CHECK(recv_msg(us, resp, sizeof(resp), 3000) > 0 &&
              strncmp(resp, "SIP/2.0 503 ", 12) == 0);
        CHECK(registrar_count(b) == 1);
        CHECK(registrar_count(a) == 1);
        close(us);
    }
    registrar_stop(a);
    registrar_stop(b);
    registrar_stop(NULL);
}

static void test_failures(void)
{
    registrar *r = registrar_start("{\"no_such_key\": 1}");
    CHECK(r == NULL);
    r = registrar_start("{not json");
    CHECK(r == NULL);
    setenv("REGISTRAR_PY", "/nonexistent/registrar.py", 1);
    r = registrar_start("{}");
    CHECK(r == NULL);
    unsetenv("REGISTRAR_PY");
    CHECK(registrar_count(NULL) == 0);
    CHECK(registrar_request(NULL, 0) == NULL);
}

/* A test process that dies without registrar_stop() must not leave the
 * registrar running: it exits on stdin EOF. */
static void test_parent_crash(void)
{
    int p[2];
    pid_t child, rpid = -1;
    char paths[2][4096];
    int k;
    if (pipe(p) != 0)
        return;
    child = fork();
    if (child == 0) {
        registrar *r = registrar_start("{}");
        pid_t pid = r ? registrar_pid(r) : -1;
        char buf[8192];
        close(p[0]);
        snprintf(buf, sizeof(buf), "%d\n%s\n%s\n", (int)pid, r ? registrar_log_path(r) : "",
                 r ? registrar_sent_log_path(r) : "");
        if (write(p[1], buf, strlen(buf)) < 0)
            _exit(3);
        _exit(0); /* "crash": no registrar_stop */
    }
    close(p[1]);
    {
        char buf[8192];
        ssize_t n, got = 0;
        FILE *f;
        while ((n = read(p[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
            got += n;
        buf[got > 0 ? got : 0] = '\0';
        f = fmemopen(buf, (size_t)got + 1, "r");
        if (f) {
            char line[4096];
            if (fgets(line, sizeof(line), f))
                rpid = (pid_t)atoi(line);
            for (k = 0; k < 2; k++) {
                paths[k][0] = '\0';
                if (fgets(paths[k], sizeof(paths[k]), f))
                    paths[k][strcspn(paths[k], "\n")] = '\0';
            }
            fclose(f);
        }
    }
    close(p[0]);
    waitpid(child, NULL, 0);
    CHECK(rpid > 0);
    if (rpid > 0) {
        for (k = 0; k < 300 && !process_gone(rpid); k++)
            sleep_ms(10);
        CHECK(process_gone(rpid));
        if (!process_gone(rpid))
            kill(rpid, SIGKILL);
    }
    for (k = 0; k < 2; k++)
        if (paths[k][0])
            unlink(paths[k]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_udp();
    test_tcp_and_two_at_once();
    test_failures();
    test_parent_crash();
    printf("selftest_registrar: %d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
