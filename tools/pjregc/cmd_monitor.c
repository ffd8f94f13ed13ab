/* pjregc monitor: many accounts from a CSV file kept registered from one
 * endpoint and one transport, with a periodic summary; Ctrl-C unregisters
 * them all. */
#include "pjregc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: pjregc monitor [options] accounts.csv\n"
    "\n"
    "Registers every account of accounts.csv at once from one endpoint and one transport,\n"
    "keeps them registered (the library refreshes each binding) and prints a summary:\n"
    "how many are registered, pending and failed (by last response code) and how many\n"
    "refreshes succeeded. A line is printed when an account fails and when it recovers.\n"
    "Ctrl-C (or --duration) unregisters them all and exits; a second Ctrl-C exits\n"
    "without waiting.\n"
    "\n"
    "accounts.csv has one account a line, aor,registrar,user,password, e.g.\n"
    "  sip:alice@example.org,sip:registrar.example.org,alice,secret\n"
    "Blank lines, lines starting with '#' and a first line starting with \"aor,\" are\n"
    "skipped; fields hold no commas; an empty password sends no credentials.\n"
    "\n"
    "  --expires S              binding time to ask for, seconds (default 300)\n"
    "  --interval S             summary period, seconds (default 10; on a terminal the\n"
    "                           summary line is also redrawn every second)\n"
    "  --retry S                register a failed account again after S seconds (default 30,\n"
    "                           0: never)\n"
    "  --duration S             unregister and exit after S seconds (default: at Ctrl-C)\n" NET_OPTION_HELP
    "\n"
    "Exit status: 0 when every account was registered at the end and every\n"
    "unregistration succeeded, 1 otherwise, 2 for a usage error.\n";

struct account {
    char aor[FIELD_MAX], registrar[FIELD_MAX], user[FIELD_MAX], password[FIELD_MAX];
    pjsip_regc *regc;
    int inflight;      /* a REGISTER this command sent is in flight */
    int answered;      /* some outcome came */
    int registered;    /* the last outcome bound the Contact */
    int failed;        /* the last outcome was a failure */
    int last_code;     /* of the last failure (0: a library error) */
    unsigned successes;
    int unreg_done, unreg_ok;
    double retry_at;
};

static unsigned retry_s = 30;
static unsigned refreshes;

static void on_reg(struct pjsip_regc_cbparam *param)
{
    struct account *a = (struct account *)param->token;
    int ok = param->status == PJ_SUCCESS && param->code / 100 == 2;
    char text[160], t[16];
    a->inflight = 0;
    describe_result(param->status, param->code, &param->reason, text, sizeof(text));
    if (param->is_unreg) {
        a->unreg_done = 1;
        a->unreg_ok = ok;
        if (ok)
            a->registered = 0;
        else
            event_line("%s %s: unregistration failed: %s", clock_text(t), a->aor, text);
        return;
    }
    a->answered = 1;
    if (ok) {
        /* Only transitions are printed, so that thousands of accounts
         * refreshing on time stay quiet. */
        if (a->failed)
            event_line("%s %s: registered again: %s", clock_text(t), a->aor, text);
        refreshes += a->successes > 0;
        a->successes++;
        a->registered = 1;
        a->failed = 0;
        return;
    }
    if (!a->failed)
        event_line("%s %s: failed: %s%s", clock_text(t), a->aor, text, retry_s ? "" : " (no retry)");
    a->registered = 0;
    a->failed = 1;
    a->last_code = param->status == PJ_SUCCESS ? param->code : 0;
    a->retry_at = now_ms() + retry_s * 1000.0;
}

static void start(struct account *a, int unreg)
{
    pj_status_t status;
    a->inflight = 1;
    status = regc_start(a->regc, unreg, 1);
    if (status != PJ_SUCCESS && a->inflight) {
        struct pjsip_regc_cbparam p;
        memset(&p, 0, sizeof(p));
        p.token = a;
        p.status = status;
        p.is_unreg = unreg;
        on_reg(&p);
    }
}

/* Splits "a,b,c,d" in place into exactly four fields; 0 when it is not. */
static int split4(char *line, char *field[4])
{
    int n = 0;
    char *p = line;
    field[n++] = p;
    while ((p = strchr(p, ',')) != NULL) {
        *p++ = '\0';
        if (n == 4)
            return 0;
        field[n++] = p;
    }
    return n == 4;
}

/* The accounts of `path`; -1 (with a message) on any bad line. */
static int read_accounts(const char *path, struct account **out)
{
    FILE *f = fopen(path, "r");
    char line[4 * FIELD_MAX + 8];
    int n = 0, cap = 0, lineno = 0, bad = 0;
    struct account *v = NULL;
    if (!f) {
        perror(path);
        return -1;
    }
    while (!bad && fgets(line, sizeof(line), f)) {
        char *field[4];
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "%s:%d: line too long\n", path, lineno);
            bad = 1;
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#' || (lineno == 1 && strncmp(line, "aor,", 4) == 0))
            continue;
        if (!split4(line, field) || !field[0][0] || !field[1][0] || !field[2][0]) {
            fprintf(stderr, "%s:%d: expected aor,registrar,user,password\n", path, lineno);
            bad = 1;
            break;
        }
        for (int k = 0; k < 4; k++)
            if (strlen(field[k]) >= FIELD_MAX) {
                fprintf(stderr, "%s:%d: field %d longer than %d characters\n", path, lineno, k + 1, FIELD_MAX - 1);
                bad = 1;
            }
        if (bad)
            break;
        if (n == cap) {
            struct account *grown;
            cap = cap ? cap * 2 : 64;
            grown = realloc(v, (size_t)cap * sizeof(*v));
            if (!grown) {
                fprintf(stderr, "%s: out of memory\n", path);
                bad = 1;
                break;
            }
            v = grown;
        }
        memset(&v[n], 0, sizeof(v[n]));
        strcpy(v[n].aor, field[0]);
        strcpy(v[n].registrar, field[1]);
        strcpy(v[n].user, field[2]);
        strcpy(v[n].password, field[3]);
        n++;
    }
    fclose(f);
    if (bad) {
        free(v);
        return -1;
    }
    *out = v;
    return n;
}

/* The summary (when `draw`); with `retry` also sends the retries that
 * are due (both walk every account, once a second at most). */
static void summary(struct account *acc, int n, int draw, int retry)
{
    struct code_counts *failed = calloc(1, sizeof(*failed));
    unsigned reg = 0, pending = 0, nfailed = 0;
    double now = now_ms();
    char codes[512], t[16];
    if (!failed)
        return;
    for (int i = 0; i < n; i++) {
        struct account *a = &acc[i];
        if (retry && a->failed && !a->inflight && retry_s && now >= a->retry_at)
            start(a, 0);
        if (a->registered)
            reg++;
        else if (a->failed) {
            nfailed++;
            code_count(failed, a->last_code);
        } else
            pending++;
    }
    if (draw) {
        code_counts_format(failed, codes, sizeof(codes));
        status_line("%s registered %u/%d  pending %u  failed %u%s%s%s  refreshes %u", clock_text(t), reg, n, pending,
                    nfailed, nfailed ? " (" : "", nfailed ? codes : "", nfailed ? ")" : "", refreshes);
    }
    free(failed);
}

/* A REGISTER in flight: one this command sent, or a refresh the library
 * sent on its own. */
static int any_inflight(struct account *acc, int n)
{
    for (int i = 0; i < n; i++) {
        pjsip_regc_info info;
        if (acc[i].inflight || (pjsip_regc_get_info(acc[i].regc, &info) == PJ_SUCCESS && info.is_busy))
            return 1;
    }
    return 0;
}

static void poll_until_idle(struct net *net, struct account *acc, int n)
{
    pj_time_val tick = {0, 50};
    double until = now_ms() + REGISTER_WAIT_MS;
    while (any_inflight(acc, n) && stop_requests < 2 && now_ms() < until)
        pjsip_endpt_handle_events(net->endpt, &tick);
}

int cmd_monitor(int argc, char **argv)
{
    const char *expires_s = NULL, *interval_s = NULL, *retry_o = NULL, *duration_s = NULL, *pos[1];
    struct net_options nopt = {0};
    const struct option_spec spec[] = {{"expires", 0, &expires_s, NULL}, {"interval", 0, &interval_s, NULL},
                                       {"retry", 0, &retry_o, NULL},     {"duration", 0, &duration_s, NULL},
                                       NET_OPTION_SPECS(nopt),           {NULL, 0, NULL, NULL}};
    unsigned expires = 300, interval = 10, duration = 0;
    struct account *acc = NULL;
    struct net net;
    int npos, n, rc, loopback = 1, setup_failed = 0, all_registered = 1, unreg_sent = 0, unreg_ok = 0;
    double t0, last_draw, last_plain;

    switch (parse_options("monitor", argc, argv, spec, pos, 1, &npos)) {
    case PARSE_HELP:
        fputs(usage, stdout);
        return 0;
    case PARSE_ERROR:
        return 2;
    case PARSE_OK:
        break;
    }
    if (npos != 1) {
        fputs(usage, stderr);
        return 2;
    }
    if (option_uint("expires", expires_s, 1, 0x7fffffff, &expires) ||
        option_uint("interval", interval_s, 1, 86400, &interval) || option_uint("retry", retry_o, 0, 86400, &retry_s) ||
        option_uint("duration", duration_s, 1, 0x7fffffff, &duration))
        return 2;
    n = read_accounts(pos[0], &acc);
    if (n < 0)
        return 2;
    if (n == 0) {
        fprintf(stderr, "pjregc monitor: %s: no accounts\n", pos[0]);
        free(acc);
        return 2;
    }
    for (int i = 0; i < n; i++)
        loopback &= uri_is_loopback(acc[i].registrar);
    if ((rc = net_start(&net, &nopt, loopback)) != 0) {
        free(acc);
        return rc;
    }
    install_signal_handlers();
    out_tty = isatty(STDOUT_FILENO);

    for (int i = 0; i < n; i++) {
        struct account *a = &acc[i];
        pj_status_t status = regc_for_account(&net, a->registrar, a->aor, a->user, a->password[0] ? a->password : NULL,
                                              expires, a, on_reg, &a->regc);
        if (status != PJ_SUCCESS) {
            char err[PJ_ERR_MSG_SIZE];
            pj_strerror(status, err, sizeof(err));
            fprintf(stderr, "pjregc monitor: %s at %s: %s\n", a->aor, a->registrar, err);
            setup_failed = 1;
        }
    }
    if (setup_failed) {
        for (int i = 0; i < n; i++)
            if (acc[i].regc)
                pjsip_regc_destroy(acc[i].regc);
        net_stop(&net);
        free(acc);
        return 1;
    }
    event_line("monitoring %d accounts (Contacts on %s:%d, %s), summary every %u s", n, net.contact_host,
               net.contact_port, net.kind == 0 ? "udp" : net.kind == 1 ? "tcp" : "tls", interval);
    for (int i = 0; i < n; i++)
        start(&acc[i], 0);

    t0 = last_draw = last_plain = now_ms();
    while (!stop_requests) {
        pj_time_val tick = {0, 100};
        double now;
        pjsip_endpt_handle_events(net.endpt, &tick);
        now = now_ms();
        if (duration && now - t0 >= duration * 1000.0)
            break;
        if (now - last_draw >= 1000.0) {
            int plain_due = now - last_plain >= interval * 1000.0;
            summary(acc, n, out_tty || plain_due, 1);
            last_draw = now;
            if (plain_due)
                last_plain = now;
        }
    }

    /* Stop: REGISTERs in flight finish, the summary as it stands, then
     * every registered account is unregistered. */
    poll_until_idle(&net, acc, n);
    summary(acc, n, 1, 0);
    status_end();
    for (int i = 0; i < n; i++) {
        all_registered &= acc[i].registered;
        if (acc[i].registered && stop_requests < 2) {
            start(&acc[i], 1);
            unreg_sent++;
        }
    }
    poll_until_idle(&net, acc, n);
    for (int i = 0; i < n; i++)
        unreg_ok += acc[i].unreg_ok;
    event_line("unregistered %d of %d", unreg_ok, unreg_sent);

    for (int i = 0; i < n; i++)
        pjsip_regc_destroy(acc[i].regc);
    net_stop(&net);
    free(acc);
    return all_registered && unreg_ok == unreg_sent && stop_requests < 2 ? 0 : 1;
}
