/* Logging through pj_log: a register / 401 / 200 / unregister run with a
 * log function that captures every line, at levels 1 to 5. The key lines
 * of pjsip's endpoint, transaction, transport and regc logs must be there
 * at their levels, with their senders, and nothing of them below. Sender
 * names carry object addresses in pjsip (tsx0x55..., udp0x55...) and ids
 * here (tsx1, udp0), so they are matched by prefix. */
#include "regc_harness.h"

#define MAX_LINES 512

static struct {
    int level;
    char text[512];
} lines[MAX_LINES];
static int n_lines;

static void capture(int level, const char *data, int len)
{
    if (n_lines < MAX_LINES) {
        lines[n_lines].level = level;
        snprintf(lines[n_lines].text, sizeof(lines[n_lines].text), "%.*s", len, data);
        n_lines++;
    }
}

/* The line's sender column and message, from the default decoration:
 * "hh:mm:ss.mmm" + " " + sender right-aligned in 22 columns + " " + the
 * thread-switch marker, then the indentation dots and the message. */
static int split(const char *line, char *sender, size_t ssz, const char **msg)
{
    if (strlen(line) < 13 + 22 + 2)
        return 0;
    const char *s = line + 13;
    while (*s == ' ')
        s++;
    const char *end = line + 13 + 22;
    snprintf(sender, ssz, "%.*s", (int)(end - s), s);
    const char *m = end + 2;
    while (*m == '.')
        m++;
    *msg = m;
    return 1;
}

/* How many captured lines at `level` have a sender starting with
 * `sender_prefix` and a message containing `needle`. */
static int count(int level, const char *sender_prefix, const char *needle)
{
    int n = 0;
    for (int i = 0; i < n_lines; i++) {
        char sender[64];
        const char *msg;
        if (lines[i].level != level || !split(lines[i].text, sender, sizeof(sender), &msg))
            continue;
        if (strncmp(sender, sender_prefix, strlen(sender_prefix)) == 0 && strstr(msg, needle))
            n++;
    }
    return n;
}

static int dots(const char *sender_prefix, const char *needle)
{
    for (int i = 0; i < n_lines; i++) {
        char sender[64];
        const char *msg;
        if (!split(lines[i].text, sender, sizeof(sender), &msg))
            continue;
        if (strncmp(sender, sender_prefix, strlen(sender_prefix)) == 0 && strstr(msg, needle))
            return (int)(msg - (lines[i].text + 13 + 22 + 2));
    }
    return -1;
}

/* The highest level among the captured lines (one check, whatever the
 * number of lines, so that the differential run compares like with like). */
static int max_level(void)
{
    int m = 0;
    for (int i = 0; i < n_lines; i++)
        m = lines[i].level > m ? lines[i].level : m;
    return m;
}

/* One run at `level`: register (401, then 200), unregister (401, 200). */
static void run(int level)
{
    char lv[8];
    n_lines = 0;
    pj_log_set_log_func(&capture);
    pj_log_set_level(level);
    /* h_setup sets the level from the environment once pjlib is up. */
    snprintf(lv, sizeof(lv), "%d", level);
    setenv("REGC_LOG_LEVEL", lv, 1);
    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"code\":401}}");
    pjsip_regc *regc = h_regc(300);
    pjsip_cred_info cred = h_cred("*", "alice", "secret");
    CHECK_INT(pjsip_regc_set_credentials(regc, 1, &cred), PJ_SUCCESS);
    CHECK_INT(h_register(regc, PJ_TRUE), PJ_SUCCESS);
    CHECK(h_wait_callbacks(1, 5000));
    CHECK_INT(H.rec[0].code, 200);
    CHECK_INT(h_unregister(regc), PJ_SUCCESS);
    CHECK(h_wait_callbacks(2, 5000));
    CHECK_INT(H.rec[1].code, 200);
    pjsip_regc_destroy(regc);
    h_teardown();
    pj_log_set_log_func(&pj_log_write);
}

/* pjsip names the transport type in this line: "UDP IPv6 transport" on
 * IPv6 (and its sender is then "udpv6..."). */
static const char *udp_started(void)
{
    return H.ipv6 ? "SIP UDP IPv6 transport started, published address is "
                  : "SIP UDP transport started, published address is ";
}

static void test_level5(void)
{
    run(5);
    /* Requests: created, a transaction each (4), resolved, sent. */
    CHECK(count(5, "sip_util.c", "Request msg REGISTER/cseq=") >= 2);
    CHECK(count(5, "sip_util.c", ") created.") >= 2);
    CHECK_INT(count(5, "tsx", "Transaction created for Request msg REGISTER/cseq="), 4);
    CHECK_INT(count(5, "tsx", "in state Null"), 4);
    CHECK(count(5, "sip_resolve.c", "resolved to '") >= 2);
    CHECK_INT(count(5, H.reliable ? (strcmp(H.tp_lower, "tls") ? "tcpc" : "tlsc") : "udp", ") sent successfully"), 4);
    CHECK_INT(count(5, "tsx", "State changed from Null to Calling, event=TX_MSG"), 4);
    /* Responses: two 401 and two 200. */
    CHECK_INT(count(5, "sip_endpoint.c", "Processing incoming message: Response msg 401/REGISTER/cseq="), 2);
    CHECK_INT(count(5, "sip_endpoint.c", "Processing incoming message: Response msg 200/REGISTER/cseq="), 2);
    CHECK_INT(count(5, "tsx", "Incoming Response msg 401/REGISTER/cseq="), 2);
    CHECK_INT(count(5, "tsx", "Incoming Response msg 200/REGISTER/cseq="), 2);
    CHECK_INT(count(5, "tsx", "State changed from Calling to Completed, event=RX_MSG"), 4);
    /* Nested steps are indented under the step they belong to. */
    CHECK_INT(dots("tsx", "Transaction created for"), 1);
    CHECK_INT(dots("tsx", "State changed from Calling to Completed"), 2);
    CHECK_INT(dots("sip_endpoint.c", "Processing incoming message"), 0);
    /* Endpoint set-up and teardown. */
    CHECK_INT(count(5, "sip_endpoint.c", "Creating endpoint instance"), 1);
    CHECK_INT(count(5, "sip_endpoint.c", "Destroying endpoint instance"), 1);
    CHECK_INT(count(5, "sip_transport.c", "Transport manager created"), 1);
    /* The level-4 and level-3 lines are there too. */
    CHECK_INT(count(4, "udp", udp_started()), 1);
    CHECK_INT(count(4, "sip_endpoint.c", "Module \"mod-tsx-layer\" registered"), 1);
    CHECK_INT(count(3, "timer.c", "Dumping timer heap"), 1);
    CHECK(max_level() <= 5);
}

static void test_level4(void)
{
    run(4);
    CHECK_INT(count(4, "udp", udp_started()), 1);
    CHECK_INT(count(4, "udp", "SIP UDP transport destroyed"), 1);
    CHECK_INT(count(4, "sip_endpoint.c", "Module \"mod-ua\" registered"), 1);
    CHECK_INT(count(4, "sip_endpoint.c", "Module \"mod-ua\" unregistered"), 1);
    CHECK_INT(count(4, "sip_transaction.c", "Stopping transaction layer module"), 1);
    CHECK_INT(count(4, "sip_endpoint.c", " destroyed"), 1);
    if (H.reliable) {
        CHECK_INT(count(4, strcmp(H.tp_lower, "tls") ? "tcpc" : "tlsc", "client transport created"), 1);
        CHECK(count(4, strcmp(H.tp_lower, "tls") ? "tcpc" : "tlsc", " is connected to ") >= 1);
    }
    /* Nothing of level 5. */
    CHECK(max_level() <= 4);
    CHECK_INT(count(5, "tsx", "State changed"), 0);
}

static void test_level3(void)
{
    run(3);
    CHECK_INT(count(3, "timer.c", "Dumping timer heap"), 1);
    CHECK(max_level() <= 3);
    CHECK_INT(count(4, "udp", "SIP UDP "), 0);
}

static void test_levels_1_2(void)
{
    for (int level = 1; level <= 2; level++) {
        run(level);
        /* A clean run has nothing to say at these levels. */
        CHECK_INT(n_lines, 0);
    }
}

int main(void)
{
    test_level5();
    test_level4();
    test_level3();
    test_levels_1_2();
    return h_summary("test_log_lines");
}
