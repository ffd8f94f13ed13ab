/* pjregc load: N distinct accounts registered with at most W REGISTERs in
 * flight; reports the rate, latency percentiles and failures by code,
 * optionally one CSV row per request.
 *
 * With --threads T the accounts and the window are split over T threads,
 * each with its own endpoint and socket, so that nothing is shared
 * between them but the (disjoint) result slots and their counters. */
#include "pjregc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: pjregc load --registrar URI [options]\n"
    "\n"
    "Registers N accounts (AORs sip:<prefix>0@<domain> .. sip:<prefix>N-1@<domain>), each\n"
    "with its own client, Call-ID and Contact, keeping at most W REGISTERs in flight. A\n"
    "challenge is answered with the digest credentials (user name = the AOR's user,\n"
    "--password) and the latency of a registration runs from its first REGISTER to its\n"
    "final response, the authenticated resend included. Shows a progress bar on a\n"
    "terminal (else a line every --interval seconds), then reports registrations per\n"
    "second, latency percentiles and failures by status code. Bindings are not\n"
    "refreshed; with --unregister they are removed afterwards, W in flight again, and\n"
    "that phase is reported too. Ctrl-C stops sending and reports what finished.\n"
    "\n"
    "  --registrar URI          registrar, e.g. sip:127.0.0.1:5060 (required)\n"
    "  -n N                     number of accounts (default 1000)\n"
    "  -w W                     REGISTERs in flight at most (default 100)\n"
    "  --threads T              T threads, each with its own endpoint and socket, N and W\n"
    "                           split between them (default 1)\n"
    "  --user-prefix P          user names P0 .. P<N-1> (default \"user\")\n"
    "  --domain D               AOR domain (default: the registrar's host)\n"
    "  --password P             digest password of every user (without it no credentials)\n"
    "  --expires S              binding time to ask for, seconds (default 3600)\n"
    "  --unregister             unregister every registered account afterwards\n"
    "  --csv FILE               one row per request: phase,index,aor,start_ms,latency_ms,\n"
    "                           code,result (start_ms counts from the first REGISTER)\n"
    "  --interval S             progress line period when stdout is not a terminal\n"
    "                           (default 5, 0: none)\n" NET_OPTION_HELP
    "\n"
    "Exit status: 0 when every registration (and unregistration) got a 2xx, 1 otherwise,\n"
    "2 for a usage error.\n";

/* One request of an account: [0] its registration, [1] its
 * unregistration. */
struct result {
    double start_ms, latency_ms; /* start from the run's t0; latency < 0: never finished */
    int code;
    pj_status_t status;
};

struct worker;

struct slot {
    struct worker *owner;
    pjsip_regc *regc;
    int inflight;
    struct result res[2];
};

/* One thread's share: accounts [first, end), window w, its endpoint. The
 * counters read by the progress display are written with __atomic
 * stores by the owner thread only. */
struct worker {
    struct net net;
    pthread_t tid;
    unsigned first, end, w;
    unsigned next, inflight, done, ok;
    int finished; /* its thread has returned */
    struct code_counts failures;
    unsigned *reap; /* finished accounts whose regc goes */
    unsigned nreap;
};

/* What every worker reads and nobody writes while they run. */
static struct {
    struct slot *slots;
    unsigned n;
    const char *prefix, *domain, *registrar, *password;
    unsigned expires;
    int phase; /* 0 registering, 1 unregistering */
    int keep;  /* regcs stay for the unregistration phase */
    double t0;
} L;

static int succeeded(const struct result *r)
{
    return r->status == PJ_SUCCESS && r->code / 100 == 2;
}

static int stopping(void)
{
    return __atomic_load_n(&stop_requests, __ATOMIC_RELAXED) != 0;
}

static void finish(struct slot *s, pj_status_t status, int code)
{
    struct worker *w = s->owner;
    struct result *r = &s->res[L.phase];
    r->latency_ms = now_ms() - L.t0 - r->start_ms;
    r->status = status;
    r->code = code;
    s->inflight = 0;
    w->inflight--;
    __atomic_store_n(&w->done, w->done + 1, __ATOMIC_RELAXED);
    if (succeeded(r))
        __atomic_store_n(&w->ok, w->ok + 1, __ATOMIC_RELAXED);
    else
        code_count(&w->failures, status == PJ_SUCCESS ? code : 0);
    /* Destroyed from the loop rather than inside the library's callback;
     * kept when the unregistration phase needs it. */
    if (!L.keep || L.phase == 1 || !succeeded(r))
        w->reap[w->nreap++] = (unsigned)(s - L.slots);
}

static void on_reg(struct pjsip_regc_cbparam *param)
{
    finish((struct slot *)param->token, param->status, param->code);
}

static void user_of(unsigned i, char *out, size_t cap)
{
    char n[11];
    decimal(i, n);
    concat(out, cap, L.prefix, n, (char *)NULL);
}

/* Starts requests up to the worker's window. */
static void launch(struct worker *w)
{
    while (w->inflight < w->w && w->next < w->end && !stopping()) {
        unsigned i = w->next++;
        struct slot *s = &L.slots[i];
        pj_status_t status = PJ_SUCCESS;
        if (L.phase == 1 && !succeeded(&s->res[0]))
            continue;
        s->res[L.phase].start_ms = now_ms() - L.t0;
        s->inflight = 1;
        w->inflight++;
        if (L.phase == 0) {
            char user[FIELD_MAX], aor[2 * FIELD_MAX + 8];
            user_of(i, user, sizeof(user));
            concat(aor, sizeof(aor), "sip:", user, "@", L.domain, (char *)NULL);
            status = regc_for_account(&w->net, L.registrar, aor, user, L.password, L.expires, s, on_reg, &s->regc);
        }
        if (status == PJ_SUCCESS)
            status = regc_start(s->regc, L.phase, 0);
        /* A request that could not leave: the callback may already have
         * run (then the slot is no longer in flight). */
        if (status != PJ_SUCCESS && s->inflight)
            finish(s, status, 0);
    }
}

static void reap(struct worker *w)
{
    for (unsigned k = 0; k < w->nreap; k++) {
        struct slot *s = &L.slots[w->reap[k]];
        if (s->regc)
            pjsip_regc_destroy(s->regc);
        s->regc = NULL;
    }
    w->nreap = 0;
}

/* Accounts of this worker concerned by the current phase. */
static unsigned todo_of(const struct worker *w)
{
    unsigned todo = 0;
    for (unsigned i = w->first; i < w->end; i++)
        todo += L.phase == 0 || succeeded(&L.slots[i].res[0]);
    return todo;
}

/* One worker's phase: until all its requests finished (or Ctrl-C and
 * what was in flight finished, or a second Ctrl-C). */
static void *run_worker(void *arg)
{
    struct worker *w = arg;
    pj_thread_desc desc;
    pj_thread_t *self;
    unsigned todo = todo_of(w);
    if (!pj_thread_is_registered()) {
        memset(desc, 0, sizeof(desc));
        pj_thread_register("pjregc-load", desc, &self);
    }
    while (w->done < todo && (!stopping() || w->inflight)) {
        pj_time_val tick = {0, 10};
        launch(w);
        if (w->inflight)
            pjsip_endpt_handle_events(w->net.endpt, &tick);
        reap(w);
        if (__atomic_load_n(&stop_requests, __ATOMIC_RELAXED) >= 2)
            break;
    }
    __atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void totals(struct worker *ws, unsigned nw, unsigned *done, unsigned *ok)
{
    *done = *ok = 0;
    for (unsigned k = 0; k < nw; k++) {
        *done += __atomic_load_n(&ws[k].done, __ATOMIC_RELAXED);
        *ok += __atomic_load_n(&ws[k].ok, __ATOMIC_RELAXED);
    }
}

static void progress(struct worker *ws, unsigned nw, unsigned todo, double elapsed_ms)
{
    const int width = 30;
    unsigned done, ok, div = todo ? todo : 1;
    int filled;
    char bar[64];
    totals(ws, nw, &done, &ok);
    filled = (int)((double)done * width / div);
    memset(bar, '#', (size_t)filled);
    memset(bar + filled, '.', (size_t)(width - filled));
    bar[width] = '\0';
    status_line("%s [%s] %3u%% %u/%u  %.0f/s  failed %u", L.phase ? "unregister" : "register  ", bar,
                (unsigned)((double)done * 100 / div), done, todo, elapsed_ms > 0 ? ok * 1000.0 / elapsed_ms : 0.0,
                done - ok);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n-1]. */
static double percentile(const double *v, unsigned n, double p)
{
    unsigned rank = (unsigned)ceil(p / 100.0 * n);
    return v[rank ? rank - 1 : 0];
}

static void report(struct worker *ws, unsigned nw, unsigned w_total, unsigned todo, double elapsed_ms)
{
    double *lat = malloc((todo ? todo : 1) * sizeof(double));
    unsigned m = 0, done, ok;
    struct code_counts failures;
    char codes[1024];
    if (!lat) {
        fprintf(stderr, "pjregc load: out of memory\n");
        return;
    }
    memset(&failures, 0, sizeof(failures));
    for (unsigned k = 0; k < nw; k++)
        for (int c = 0; c < 700; c++)
            failures.n[c] += ws[k].failures.n[c];
    totals(ws, nw, &done, &ok);
    for (unsigned i = 0; i < L.n; i++) {
        const struct result *r = &L.slots[i].res[L.phase];
        if (r->latency_ms >= 0 && (L.phase == 0 || succeeded(&L.slots[i].res[0])))
            lat[m++] = r->latency_ms;
    }
    printf("%s: %u of %u succeeded in %.3f s: %.0f/s (%u in flight at most, %u thread%s, %s)\n",
           L.phase ? "unregistered" : "registered", ok, todo, elapsed_ms / 1000.0,
           elapsed_ms > 0 ? ok * 1000.0 / elapsed_ms : 0.0, w_total, nw, nw == 1 ? "" : "s",
           ws[0].net.kind == 0 ? "udp" : ws[0].net.kind == 1 ? "tcp" : "tls");
    if (m) {
        qsort(lat, m, sizeof(double), cmp_double);
        printf("  latency ms: min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", lat[0], percentile(lat, m, 50),
               percentile(lat, m, 90), percentile(lat, m, 99), lat[m - 1]);
    }
    code_counts_format(&failures, codes, sizeof(codes));
    printf("  failures by code: %s\n", codes);
    if (done < todo)
        printf("  not finished: %u (interrupted)\n", todo - done);
    fflush(stdout);
    free(lat);
}

/* One phase over every worker, each in a thread of its own while this
 * one draws the progress; 1 when every request got a 2xx. */
static int run_phase(struct worker *ws, unsigned nw, unsigned w_total, int phase, unsigned interval)
{
    double start, last_draw = 0, last_plain, end;
    unsigned todo = 0, done, ok, running = 0;
    const struct timespec pause = {0, 5000000};
    L.phase = phase;
    for (unsigned k = 0; k < nw; k++) {
        struct worker *w = &ws[k];
        w->next = w->first;
        w->inflight = w->done = w->ok = 0;
        w->finished = 0;
        memset(&w->failures, 0, sizeof(w->failures));
        for (unsigned i = w->first; i < w->end; i++)
            L.slots[i].res[phase].latency_ms = -1;
        todo += todo_of(w);
    }
    start = last_plain = now_ms();
    for (unsigned k = 0; k < nw; k++) {
        if (pthread_create(&ws[k].tid, NULL, run_worker, &ws[k]) != 0) {
            fprintf(stderr, "pjregc load: cannot start thread %u\n", k);
            stop_requests = 2;
            break;
        }
        running++;
    }
    for (;;) {
        unsigned finished = 0;
        double now = now_ms();
        for (unsigned k = 0; k < running; k++)
            finished += __atomic_load_n(&ws[k].finished, __ATOMIC_ACQUIRE);
        if (finished == running)
            break;
        if (out_tty && now - last_draw >= 100) {
            progress(ws, nw, todo, now - start);
            last_draw = now;
        } else if (!out_tty && interval && now - last_plain >= interval * 1000.0) {
            progress(ws, nw, todo, now - start);
            last_plain = now;
        }
        nanosleep(&pause, NULL);
    }
    end = now_ms();
    for (unsigned k = 0; k < running; k++)
        pthread_join(ws[k].tid, NULL);
    if (out_tty) {
        progress(ws, nw, todo, end - start);
        status_end();
    }
    report(ws, nw, w_total, todo, end - start);
    totals(ws, nw, &done, &ok);
    return ok == todo && running == nw;
}

/* "phase,index,aor,start_ms,latency_ms,code,result" rows, the result
 * quoted (library error texts may hold commas). */
static int write_csv(const char *path, int phases)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "phase,index,aor,start_ms,latency_ms,code,result\n");
    for (int p = 0; p < phases; p++)
        for (unsigned i = 0; i < L.n; i++) {
            const struct result *r = &L.slots[i].res[p];
            char user[FIELD_MAX], text[PJ_ERR_MSG_SIZE + 16];
            if (p == 1 && !succeeded(&L.slots[i].res[0]))
                continue;
            if (r->latency_ms < 0) {
                snprintf(text, sizeof(text), "not finished");
            } else {
                describe_result(r->status, r->code, NULL, text, sizeof(text));
                for (char *q = text; *q; q++)
                    if (*q == '"')
                        *q = '\'';
            }
            user_of(i, user, sizeof(user));
            fprintf(f, "%s,%u,sip:%s@%s,%.3f,%.3f,%d,\"%s\"\n", p ? "unregister" : "register", i, user, L.domain,
                    r->start_ms, r->latency_ms < 0 ? 0.0 : r->latency_ms, r->code, text);
        }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int cmd_load(int argc, char **argv)
{
    const char *n_s = NULL, *w_s = NULL, *t_s = NULL, *expires_s = NULL, *csv = NULL, *interval_s = NULL, *pos[1];
    int unregister = 0, npos, ok = 1, started = 0, rc = 1;
    struct net_options nopt = {0};
    unsigned interval = 5, w_total = 100, nw = 1;
    struct worker *ws;
    char domain[FIELD_MAX];
    const struct option_spec spec[] = {{"registrar", 0, &L.registrar, NULL},
                                       {"n", 'n', &n_s, NULL},
                                       {"w", 'w', &w_s, NULL},
                                       {"threads", 0, &t_s, NULL},
                                       {"user-prefix", 0, &L.prefix, NULL},
                                       {"domain", 0, &L.domain, NULL},
                                       {"password", 0, &L.password, NULL},
                                       {"expires", 0, &expires_s, NULL},
                                       {"unregister", 0, NULL, &unregister},
                                       {"csv", 0, &csv, NULL},
                                       {"interval", 0, &interval_s, NULL},
                                       NET_OPTION_SPECS(nopt),
                                       {NULL, 0, NULL, NULL}};

    L.n = 1000;
    L.expires = 3600;
    L.prefix = "user";
    switch (parse_options("load", argc, argv, spec, pos, 0, &npos)) {
    case PARSE_HELP:
        fputs(usage, stdout);
        return 0;
    case PARSE_ERROR:
        return 2;
    case PARSE_OK:
        break;
    }
    if (!L.registrar) {
        fprintf(stderr, "pjregc load: --registrar is required (see pjregc load --help)\n");
        return 2;
    }
    if (option_uint("n", n_s, 1, 10000000, &L.n) || option_uint("w", w_s, 1, 1000000, &w_total) ||
        option_uint("threads", t_s, 1, 64, &nw) || option_uint("expires", expires_s, 1, 0x7fffffff, &L.expires) ||
        option_uint("interval", interval_s, 0, 86400, &interval))
        return 2;
    if (nw > w_total || nw > L.n) {
        fprintf(stderr, "pjregc load: --threads must not exceed -w or -n\n");
        return 2;
    }
    if (strlen(L.registrar) >= FIELD_MAX || strlen(L.prefix) >= FIELD_MAX - 12 ||
        (L.password && strlen(L.password) >= FIELD_MAX) || (L.domain && strlen(L.domain) >= FIELD_MAX)) {
        fprintf(stderr, "pjregc load: values are limited to %d characters\n", FIELD_MAX - 12);
        return 2;
    }
    if (!L.domain) {
        if (uri_hostport(L.registrar, domain, sizeof(domain), 0) != 0) {
            fprintf(stderr, "pjregc load: no host in '%s'\n", L.registrar);
            return 2;
        }
        L.domain = domain;
    }
    L.keep = unregister;
    L.slots = calloc(L.n, sizeof(*L.slots));
    ws = calloc(nw, sizeof(*ws));
    if (!L.slots || !ws) {
        fprintf(stderr, "pjregc load: out of memory for %u accounts\n", L.n);
        free(L.slots);
        free(ws);
        return 1;
    }
    for (unsigned k = 0; k < nw && ok; k++) {
        struct worker *w = &ws[k];
        w->first = (unsigned)((unsigned long long)L.n * k / nw);
        w->end = (unsigned)((unsigned long long)L.n * (k + 1) / nw);
        w->w = w_total / nw + (k < w_total % nw);
        w->reap = malloc((w->end - w->first) * sizeof(*w->reap));
        for (unsigned i = w->first; i < w->end; i++)
            L.slots[i].owner = w;
        if (!w->reap) {
            fprintf(stderr, "pjregc load: out of memory for %u accounts\n", L.n);
            ok = 0;
        } else if ((rc = net_start(&w->net, &nopt, uri_is_loopback(L.registrar))) != 0) {
            ok = 0;
        } else {
            started++;
        }
    }
    if (ok) {
        install_signal_handlers();
        out_tty = isatty(STDOUT_FILENO);
        L.t0 = now_ms();
        ok = run_phase(ws, nw, w_total, 0, interval);
        if (unregister && !stop_requests)
            ok &= run_phase(ws, nw, w_total, 1, interval);
        if (csv && write_csv(csv, unregister && !stop_requests ? 2 : 1) != 0)
            ok = 0;
    }

    for (unsigned i = 0; i < L.n; i++)
        if (L.slots[i].regc)
            pjsip_regc_destroy(L.slots[i].regc);
    for (int k = 0; k < started; k++)
        net_stop(&ws[k].net);
    for (unsigned k = 0; k < nw; k++)
        free(ws[k].reap);
    free(ws);
    free(L.slots);
    if (!started)
        return rc; /* nothing ran: a bad option value (2) or no transport (1) */
    return ok && !stop_requests ? 0 : 1;
}
