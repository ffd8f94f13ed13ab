/* pjregc register: one account kept registered until Ctrl-C, then
 * unregistered. The library refreshes the binding on its own (auto_reg);
 * this command only retries after a failure, which pjsip_regc leaves to
 * the application. */
#include "pjregc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: pjregc register [options] AOR\n"
    "\n"
    "Registers one account (AOR, e.g. sip:alice@example.org) and keeps it registered:\n"
    "the binding is refreshed before it expires and a status line shows the state, the\n"
    "time to the next refresh and the last response. Ctrl-C (or --duration) unregisters\n"
    "and exits; a second Ctrl-C exits without waiting. A line is printed for every\n"
    "response; on a terminal the status line is redrawn in place, otherwise it is\n"
    "printed every --interval seconds.\n"
    "\n"
    "  --registrar URI          registrar (default: sip: and the AOR's host)\n"
    "  --user U                 digest user name and Contact user (default: the AOR's user)\n"
    "  --password P             digest password (without it no credentials are sent)\n"
    "  --expires S              binding time to ask for, seconds (default 300)\n"
    "  --retry S                after a failure, register again after S seconds (default 30;\n"
    "                           0: exit on the first failure)\n"
    "  --duration S             unregister and exit after S seconds (default: at Ctrl-C)\n"
    "  --interval S             status line period when stdout is not a terminal (default 10,\n"
    "                           0: none)\n" NET_OPTION_HELP
    "\n"
    "Exit status: 0 when the account was registered and the unregistration succeeded,\n"
    "1 otherwise, 2 for a usage error.\n";

static struct {
    int inflight;        /* a REGISTER this command sent is in flight */
    int registered;      /* the last outcome bound the Contact */
    int failed;          /* the last outcome was a failure */
    unsigned successes;  /* registrations and refreshes that succeeded */
    unsigned granted;    /* binding time of the last success */
    int unreg_done, unreg_ok;
    double retry_at;     /* after a failure: when to register again */
    unsigned retry_s;
    char last[160];      /* the last response, "200 OK" */
    int changed;         /* a callback came since the status line was drawn */
} R;

static void on_reg(struct pjsip_regc_cbparam *param)
{
    int ok = param->status == PJ_SUCCESS && param->code / 100 == 2;
    char t[16];
    R.inflight = 0;
    R.changed = 1;
    describe_result(param->status, param->code, &param->reason, R.last, sizeof(R.last));
    if (param->is_unreg) {
        R.unreg_done = 1;
        R.unreg_ok = ok;
        if (ok)
            R.registered = 0;
        event_line("%s unregistration: %s", clock_text(t), R.last);
        return;
    }
    R.registered = ok;
    R.failed = !ok;
    if (ok) {
        R.successes++;
        R.granted = param->expiration;
        event_line("%s %s: %s, expires in %u s", clock_text(t), R.successes == 1 ? "registered" : "refreshed", R.last,
                   param->expiration);
    } else {
        R.retry_at = now_ms() + R.retry_s * 1000.0;
        event_line("%s registration failed: %s%s", clock_text(t), R.last, R.retry_s ? "" : " (no retry)");
    }
}

/* Sends a REGISTER (or the unregistration); a send that fails at once
 * without having run the callback counts as a failed outcome here. */
static void start(pjsip_regc *regc, int unreg)
{
    pj_status_t status;
    R.inflight = 1;
    status = regc_start(regc, unreg, 1);
    if (status != PJ_SUCCESS && R.inflight) {
        struct pjsip_regc_cbparam p;
        memset(&p, 0, sizeof(p));
        p.status = status;
        p.is_unreg = unreg;
        on_reg(&p);
    }
}

static void draw_status(pjsip_regc *regc, double now)
{
    pjsip_regc_info info;
    char next[48];
    const char *state;
    pjsip_regc_get_info(regc, &info);
    if (R.inflight || info.is_busy)
        state = R.registered ? "refreshing" : "registering";
    else if (R.registered)
        state = "registered";
    else
        state = "failed";
    if (R.failed && !R.inflight && R.retry_s)
        snprintf(next, sizeof(next), "retry in %.0f s", R.retry_at > now ? (R.retry_at - now) / 1000.0 : 0.0);
    else if (R.registered && !info.is_busy && info.next_reg != PJSIP_REGC_EXPIRATION_NOT_SPECIFIED)
        snprintf(next, sizeof(next), "next refresh in %u s", info.next_reg);
    else
        snprintf(next, sizeof(next), "next refresh -");
    status_line("%-11s %-22s last %s  (%u ok)", state, next, R.last[0] ? R.last : "-", R.successes);
}

/* Polls until cond() is false, `max_ms` passed or a second Ctrl-C came. */
static void poll_while(pjsip_endpoint *endpt, pjsip_regc *regc, int (*cond)(pjsip_regc *), double max_ms)
{
    pj_time_val tick = {0, 100};
    double until = now_ms() + max_ms;
    while (cond(regc) && stop_requests < 2 && now_ms() < until)
        pjsip_endpt_handle_events(endpt, &tick);
}

static int busy(pjsip_regc *regc)
{
    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    return R.inflight || info.is_busy;
}

static int unreg_pending(pjsip_regc *regc)
{
    (void)regc;
    return !R.unreg_done;
}

int cmd_register(int argc, char **argv)
{
    const char *registrar = NULL, *user = NULL, *password = NULL, *expires_s = NULL, *retry_s = NULL,
               *duration_s = NULL, *interval_s = NULL, *pos[1];
    struct net_options nopt = {0};
    const struct option_spec spec[] = {{"registrar", 0, &registrar, NULL},
                                       {"user", 0, &user, NULL},
                                       {"password", 0, &password, NULL},
                                       {"expires", 0, &expires_s, NULL},
                                       {"retry", 0, &retry_s, NULL},
                                       {"duration", 0, &duration_s, NULL},
                                       {"interval", 0, &interval_s, NULL},
                                       NET_OPTION_SPECS(nopt),
                                       {NULL, 0, NULL, NULL}};
    unsigned expires = 300, duration = 0, interval = 10;
    char reg_default[FIELD_MAX + 8], user_buf[FIELD_MAX];
    int npos, rc;
    struct net net;
    pjsip_regc *regc;
    pj_status_t status;
    double last_draw = 0, last_plain;

    switch (parse_options("register", argc, argv, spec, pos, 1, &npos)) {
    case PARSE_HELP:
        fputs(usage, stdout);
        return 0;
    case PARSE_ERROR:
        return 2;
    case PARSE_OK:
        break;
    }
    R.retry_s = 30;
    if (npos != 1) {
        fputs(usage, stderr);
        return 2;
    }
    if (option_uint("expires", expires_s, 1, 0x7fffffff, &expires) || option_uint("retry", retry_s, 0, 86400, &R.retry_s) ||
        option_uint("duration", duration_s, 1, 0x7fffffff, &duration) ||
        option_uint("interval", interval_s, 0, 86400, &interval))
        return 2;
    if (strlen(pos[0]) >= FIELD_MAX || (registrar && strlen(registrar) >= FIELD_MAX)) {
        fprintf(stderr, "pjregc register: URIs are limited to %d characters\n", FIELD_MAX - 1);
        return 2;
    }
    if (!registrar) {
        char host[FIELD_MAX];
        if (uri_hostport(pos[0], host, sizeof(host), 1) != 0) {
            fprintf(stderr, "pjregc register: no host in '%s'\n", pos[0]);
            return 2;
        }
        snprintf(reg_default, sizeof(reg_default), "sip:%s", host);
        registrar = reg_default;
    }
    if (!user) {
        /* The AOR's user part: between the scheme and the '@'. */
        const char *colon = strchr(pos[0], ':'), *at = strchr(pos[0], '@');
        if (!colon || !at || at < colon || at == colon + 1) {
            fprintf(stderr, "pjregc register: '%s' has no user part; give --user\n", pos[0]);
            return 2;
        }
        snprintf(user_buf, sizeof(user_buf), "%.*s", (int)(at - colon - 1), colon + 1);
        user = user_buf;
    }

    if ((rc = net_start(&net, &nopt, uri_is_loopback(registrar))) != 0)
        return rc;
    install_signal_handlers();
    out_tty = isatty(STDOUT_FILENO);
    status = regc_for_account(&net, registrar, pos[0], user, password, expires, NULL, on_reg, &regc);
    if (status != PJ_SUCCESS) {
        char err[PJ_ERR_MSG_SIZE];
        pj_strerror(status, err, sizeof(err));
        fprintf(stderr, "pjregc register: setting up %s at %s: %s\n", pos[0], registrar, err);
        net_stop(&net);
        return 1;
    }
    event_line("registering %s at %s (Contact on %s:%d, %s)", pos[0], registrar, net.contact_host, net.contact_port,
               net.kind == 0 ? "udp" : net.kind == 1 ? "tcp" : "tls");
    start(regc, 0);

    double t0 = now_ms();
    last_plain = t0;
    while (!stop_requests) {
        pj_time_val tick = {0, 100};
        double now;
        pjsip_endpt_handle_events(net.endpt, &tick);
        now = now_ms();
        if (R.failed && !R.inflight) {
            if (!R.retry_s)
                break;
            if (now >= R.retry_at)
                start(regc, 0);
        }
        if (duration && now - t0 >= duration * 1000.0)
            break;
        if (out_tty ? (R.changed || now - last_draw >= 1000.0) : (interval && now - last_plain >= interval * 1000.0)) {
            draw_status(regc, now);
            last_draw = last_plain = now;
            R.changed = 0;
        }
    }

    /* Stop: let a REGISTER in flight finish (its outcome decides whether
     * there is a binding to remove), then unregister. The status line
     * stays on the terminal as it was last drawn. */
    status_end();
    poll_while(net.endpt, regc, busy, REGISTER_WAIT_MS);
    if (R.registered && stop_requests < 2) {
        start(regc, 1);
        poll_while(net.endpt, regc, unreg_pending, REGISTER_WAIT_MS);
    }
    if (!R.unreg_done)
        event_line("not unregistered: %s", R.registered ? "interrupted" : "no binding to remove");
    pjsip_regc_destroy(regc);
    net_stop(&net);
    return R.successes > 0 && R.unreg_ok ? 0 : 1;
}
