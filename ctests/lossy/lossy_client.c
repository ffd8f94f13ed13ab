/* Registrations over a lossy network (run by ctests/lossy/run.sh inside the
 * client's network namespace; Kamailio listens in the other one, across a
 * user-space link with loss, duplication, reordering and delay, link.py).
 *
 * N accounts u0..u<N-1> register with digest auth and keep refreshing for
 * a few cycles; Kamailio is restarted in the middle; then all unregister.
 * The application re-registers an account whenever a callback reports a
 * failure, as a real one does. At every check, Kamailio's location table
 * (LOSSY_AORS) must agree with what the callbacks said: an account whose last
 * 2xx is still within its granted expiry is bound, one that unregistered
 * is not; accounts with a request in flight or within a second of their
 * expiry boundary are in transition and not judged.
 *
 * Environment: KAM_SERVER (sip:ip:port), LOSSY_AORS (a command printing
 * "AoR: <aor>" for each AoR in Kamailio's location table),
 * LOSSY_LOCAL_IP, LOSSY_N, LOSSY_TRANSPORT (udp|tcp), LOSSY_STOP and
 * LOSSY_START (shell commands stopping Kamailio and starting it again on
 * the same port), LOSSY_CYCLES, LOSSY_EXPIRES. */
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IN_FLIGHT 200

typedef struct account {
    int idx;
    pjsip_regc *regc;
    int busy;           /* a request of ours is in flight */
    double bound_until; /* end of the last 2xx's grant, 0: not bound */
    int retry_due;      /* a failure was reported: send again */
    double retry_at;    /* not before this time (1 s backoff) */
} account;

static account *acc;
static int n_acc, tcp;
/* Seconds asked for and granted (Kamailio's max_expires is set to it). */
static int expires;
static pjsip_endpoint *endpt;
static int failures_total, callbacks_total, checks_failed;
static int in_flight;
/* Whether accounts are meant to be registered (a failure is retried as a
 * registration) or unregistered (retried as an unregistration). */
static int phase_register = 1;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static void on_reg(struct pjsip_regc_cbparam *param)
{
    account *a = param->token;
    callbacks_total++;
    /* Automatic refreshes call back too; only our own sends are counted. */
    if (a->busy) {
        a->busy = 0;
        in_flight--;
    }
    if (param->status == PJ_SUCCESS && param->code / 100 == 2) {
        a->bound_until = param->is_unreg || param->expiration == 0 ? 0 : now_s() + param->expiration;
        /* Still the wrong way round (a refresh that was in flight when we
         * unregistered): send again at once. */
        a->retry_due = (a->bound_until > 0) != phase_register;
        a->retry_at = 0;
        return;
    }
    /* A failed refresh leaves the binding to lapse, a failed unregistration
     * leaves it in place: try again a second later. */
    if (failures_total++ < 3)
        printf("lossy: u%d: status %d, code %d %.*s\n", a->idx, param->status, param->code, (int)param->reason.slen,
               param->reason.ptr);
    a->retry_due = 1;
    a->retry_at = now_s() + 1.0;
}

static void poll_ms(int ms)
{
    double end = now_s() + ms / 1000.0;
    pj_time_val tick = {0, 10};
    while (now_s() < end)
        pjsip_endpt_handle_events(endpt, &tick);
}

static int send_one(account *a, int reg)
{
    pjsip_tx_data *tdata;
    pj_status_t st = reg ? pjsip_regc_register(a->regc, PJ_TRUE, &tdata) : pjsip_regc_unregister(a->regc, &tdata);
    if (st != PJ_SUCCESS)
        return 0;
    a->busy = 1;
    a->retry_due = 0;
    in_flight++;
    st = pjsip_regc_send(a->regc, tdata);
    if (st == PJSIP_EBUSY) {
        /* An automatic refresh is in flight (no callback for this one):
         * try again once it is over. */
        a->busy = 0;
        in_flight--;
        a->retry_due = 1;
        a->retry_at = now_s() + 0.5;
    }
    /* Any other failure has already called back, inside the send. */
    return st == PJ_SUCCESS;
}

/* Sends for every account (only_retries: every one due for a retry), at
 * most MAX_IN_FLIGHT at once. Sending everyone waits for room; retries
 * that find none stay due for the next round. */
static void send_all(int reg, int only_retries)
{
    for (int i = 0; i < n_acc; i++) {
        account *a = &acc[i];
        if (a->busy || (only_retries && (!a->retry_due || a->retry_at > now_s())))
            continue;
        if (only_retries && in_flight >= MAX_IN_FLIGHT)
            return;
        while (in_flight >= MAX_IN_FLIGHT)
            poll_ms(10);
        send_one(a, reg);
    }
}

/* Polls for ms, re-registering accounts whose failure was reported. */
static void run_for(int ms)
{
    double end = now_s() + ms / 1000.0;
    while (now_s() < end) {
        poll_ms(200);
        send_all(phase_register, 1);
    }
}

/* AoR names in Kamailio's location table. */
static char *bound_aors(void)
{
    FILE *p = popen(env_or("LOSSY_AORS", "false"), "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 20, len = 0;
    char *aors = calloc(1, cap);
    char line[512];
    while (aors && fgets(line, sizeof(line), p)) {
        char *s = strstr(line, "AoR: ");
        if (!s)
            continue;
        s += 5;
        s[strcspn(s, "\r\n")] = '\0';
        size_t n = strlen(s);
        if (len + n + 3 < cap) {
            aors[len++] = ' ';
            memcpy(aors + len, s, n);
            len += n;
            aors[len++] = ' ';
        }
    }
    if (pclose(p) != 0) {
        free(aors);
        return NULL;
    }
    return aors;
}

/* Kamailio agrees with the callbacks for every account not in transition;
 * at least half of them must be judged, so a check that lands while most
 * are in transition is taken again a second later. */
static int check_once(const char *when, int last_try);
static void check(const char *when)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        if (check_once(when, attempt == 4))
            return;
        run_for(1000);
    }
}

static int check_once(const char *when, int last_try)
{
    char *aors = bound_aors();
    if (!aors) {
        printf("lossy: %s: listing Kamailio's bindings failed\n", when);
        checks_failed++;
        return 1;
    }
    double t = now_s();
    int judged = 0, wrong = 0, bound = 0, in_flight_now = 0, at_boundary = 0;
    for (int i = 0; i < n_acc; i++) {
        account *a = &acc[i];
        int expect = a->bound_until > t;
        pjsip_regc_info info;
        pjsip_regc_get_info(a->regc, &info);
        if (info.is_busy || a->retry_due) {
            in_flight_now++;
            continue;
        }
        if (a->bound_until > 0 && a->bound_until - t < 1.0 && a->bound_until - t > -2.0) {
            at_boundary++;
            continue;
        }
        char key[32];
        snprintf(key, sizeof(key), " u%d ", a->idx);
        int has = strstr(aors, key) != NULL;
        judged++;
        bound += has;
        if (has != expect) {
            if (wrong < 5)
                printf("lossy: %s: u%d callbacks say %s, Kamailio %s\n", when, a->idx,
                       expect ? "bound" : "not bound", has ? "has it" : "has not");
            wrong++;
        }
    }
    free(aors);
    if (judged < n_acc / 2 && !wrong && !last_try)
        return 0;
    printf("lossy: %s: %d accounts judged (%d in flight, %d at their expiry), %d bound at Kamailio, %d disagree\n", when,
           judged, in_flight_now, at_boundary, bound, wrong);
    if (wrong || judged < n_acc / 2)
        checks_failed++;
    return 1;
}

static int count_bound(void)
{
    double t = now_s();
    int n = 0;
    for (int i = 0; i < n_acc; i++)
        n += acc[i].bound_until > t;
    return n;
}

/* Polls until every account is bound (or unbound) per its callbacks. */
static int settle(int registered, int max_s)
{
    double end = now_s() + max_s;
    while (now_s() < end) {
        run_for(500);
        int n = count_bound(), busy = 0;
        for (int i = 0; i < n_acc; i++)
            busy += acc[i].busy;
        if (!busy && n == (registered ? n_acc : 0))
            return 1;
    }
    return 0;
}

int main(void)
{
    n_acc = atoi(env_or("LOSSY_N", "200"));
    tcp = strcmp(env_or("LOSSY_TRANSPORT", "udp"), "tcp") == 0;
    int cycles = atoi(env_or("LOSSY_CYCLES", "2"));
    expires = atoi(env_or("LOSSY_EXPIRES", "10"));
    const char *local_ip = env_or("LOSSY_LOCAL_IP", "127.0.0.1");
    const char *server = env_or("KAM_SERVER", "");
    const char *stop = getenv("LOSSY_STOP"), *start = getenv("LOSSY_START");
    setvbuf(stdout, NULL, _IOLBF, 0);
    pj_init();
    pjlib_util_init();
    pj_log_set_level(1);
    pj_caching_pool cp;
    pj_caching_pool_init(&cp, &pj_pool_factory_default_policy, 0);
    if (pjsip_endpt_create(&cp.factory, NULL, &endpt) != PJ_SUCCESS)
        return 2;
    pjsip_tsx_layer_init_module(endpt);
    pjsip_ua_init_module(endpt, NULL);
    pj_sockaddr_in local;
    pj_str_t ip = pj_str((char *)local_ip);
    pj_sockaddr_in_init(&local, &ip, 0);
    pjsip_transport *udp;
    if (pjsip_udp_transport_start(endpt, &local, NULL, 1, &udp) != PJ_SUCCESS)
        return 2;
    int port = udp->local_name.port;
    if (tcp) {
        pjsip_tcp_transport_cfg cfg;
        pjsip_tcp_transport_cfg_default(&cfg, pj_AF_INET());
        pj_sockaddr_in_init(&cfg.bind_addr.ipv4, &ip, (pj_uint16_t)port);
        if (pjsip_tcp_transport_start3(endpt, &cfg, NULL) != PJ_SUCCESS)
            return 2;
    }

    acc = calloc((size_t)n_acc, sizeof(*acc));
    char srv[128];
    snprintf(srv, sizeof(srv), "%s%s", server, tcp ? ";transport=tcp" : "");
    for (int i = 0; i < n_acc; i++) {
        account *a = &acc[i];
        a->idx = i;
        char aor[96], contact[160], user[16];
        snprintf(user, sizeof(user), "u%d", i);
        snprintf(aor, sizeof(aor), "<sip:u%d@%s>", i, env_or("KAM_REALM", "interop.test"));
        snprintf(contact, sizeof(contact), "<sip:u%d@%s:%d%s>", i, local_ip, port, tcp ? ";transport=tcp" : "");
        pj_str_t s = pj_str(srv), to = pj_str(aor), c = pj_str(contact);
        if (pjsip_regc_create(endpt, a, &on_reg, &a->regc) != PJ_SUCCESS ||
            pjsip_regc_init(a->regc, &s, &to, &to, 1, &c, expires) != PJ_SUCCESS)
            return 2;
        pjsip_cred_info cred;
        memset(&cred, 0, sizeof(cred));
        cred.realm = pj_str("*");
        cred.scheme = pj_str("Digest");
        cred.username = pj_str(user);
        cred.data = pj_str("secret");
        pjsip_regc_set_credentials(a->regc, 1, &cred);
        /* Half the expiry as margin, so that a refresh that needs several
         * retransmissions still lands before the binding lapses. */
        pjsip_regc_set_delay_before_refresh(a->regc, expires / 2);
    }

    double t0 = now_s();
    send_all(1, 0);
    /* 200 in flight, each registration taking a few round trips of the
     * lossy link, retransmissions included. */
    int settle_s = n_acc / 100 > 60 ? n_acc / 100 : 60;
    int ok = settle(1, settle_s);
    printf("lossy: %d accounts over %s registered: %s in %.1f s\n", n_acc, tcp ? "TCP" : "UDP", ok ? "all" : "NOT all",
           now_s() - t0);
    if (!ok)
        checks_failed++;
    check("after registering");
    /* Refreshes of accounts registered together come together: checks
     * land half-way between them. */
    run_for(expires * 250);
    for (int c = 0; c < cycles; c++) {
        run_for(expires * 1000);
        check("after a refresh cycle");
    }
    if (stop && start) {
        /* Every account re-registers while Kamailio is down: over TCP the
         * connection is refused and each failure is reported (and retried
         * a second later); over UDP the requests are retransmitted until
         * Kamailio answers again. Its bindings went with its memory. */
        printf("lossy: stopping Kamailio, re-registering everyone, starting it again\n");
        int before = failures_total;
        if (system(stop) != 0)
            checks_failed++;
        /* Everyone is due now; run_for sends them as room frees up, so
         * the restart is not held up behind UDP transactions timing out. */
        for (int i = 0; i < n_acc; i++) {
            acc[i].retry_due = 1;
            acc[i].retry_at = 0;
        }
        run_for(2000);
        if (system(start) != 0)
            checks_failed++;
        ok = settle(1, settle_s);
        printf("lossy: %d failures reported around the restart; all registered again: %s\n", failures_total - before,
               ok ? "yes" : "NO");
        if (!ok)
            checks_failed++;
        check("after the restart");
        run_for(expires * 1250);
        check("a refresh cycle after the restart");
    }
    phase_register = 0;
    send_all(0, 0);
    ok = settle(0, settle_s);
    printf("lossy: unregistered: %s\n", ok ? "all" : "NOT all");
    if (!ok)
        checks_failed++;
    check("after unregistering");
    char *aors = bound_aors();
    int left = !aors || strstr(aors, " u") != NULL;
    printf("lossy: bindings left at Kamailio: %s\n", !aors ? "cannot tell" : left ? "some" : "none");
    free(aors);
    if (left)
        checks_failed++;
    printf("lossy: %d callbacks, %d failures reported, %.1f s\n", callbacks_total, failures_total, now_s() - t0);

    for (int i = 0; i < n_acc; i++)
        pjsip_regc_destroy(acc[i].regc);
    free(acc);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    pj_shutdown();
    printf("lossy: %s\n", checks_failed ? "FAILED" : "passed");
    return checks_failed ? 1 : 0;
}
