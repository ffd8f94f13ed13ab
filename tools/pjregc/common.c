/* Helpers shared by pjregc's commands: option parsing, the endpoint and
 * its transport, one regc per account, result texts, time, signals and
 * the status line. */
#include "pjregc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ options */

static const struct option_spec *find_long(const struct option_spec *spec, const char *name, size_t len)
{
    for (; spec->name; spec++)
        if (strlen(spec->name) == len && strncmp(spec->name, name, len) == 0)
            return spec;
    return NULL;
}

static const struct option_spec *find_short(const struct option_spec *spec, char c)
{
    for (; spec->name; spec++)
        if (spec->short_name && spec->short_name == c)
            return spec;
    return NULL;
}

enum parse_result parse_options(const char *cmd, int argc, char **argv, const struct option_spec *spec,
                                const char **positional, int max_pos, int *n_pos)
{
    int i, only_words = 0;
    *n_pos = 0;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const struct option_spec *o = NULL;
        const char *inline_value = NULL;
        if (only_words || arg[0] != '-' || arg[1] == '\0') {
            if (*n_pos == max_pos) {
                fprintf(stderr, "pjregc %s: unexpected argument '%s' (see pjregc %s --help)\n", cmd, arg, cmd);
                return PARSE_ERROR;
            }
            positional[(*n_pos)++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_words = 1;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return PARSE_HELP;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);
            o = find_long(spec, arg + 2, len);
            inline_value = eq ? eq + 1 : NULL;
        } else if (arg[2] == '\0') {
            o = find_short(spec, arg[1]);
        }
        if (!o) {
            fprintf(stderr, "pjregc %s: unknown option '%s' (see pjregc %s --help)\n", cmd, arg, cmd);
            return PARSE_ERROR;
        }
        if (!o->value) {
            if (inline_value) {
                fprintf(stderr, "pjregc %s: --%s takes no value\n", cmd, o->name);
                return PARSE_ERROR;
            }
            *o->flag = 1;
            continue;
        }
        if (!inline_value) {
            if (i + 1 == argc) {
                fprintf(stderr, "pjregc %s: --%s needs a value\n", cmd, o->name);
                return PARSE_ERROR;
            }
            inline_value = argv[++i];
        }
        *o->value = inline_value;
    }
    return PARSE_OK;
}

int option_uint(const char *name, const char *value, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;
    if (!value)
        return 0; /* not given: the caller's default stays */
    v = strtoul(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "pjregc: --%s: expected a whole number from %u to %u, got '%s'\n", name, min, max, value);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* ------------------------------------------------------------ URIs */

int uri_hostport(const char *uri, char *out, size_t cap, int with_port)
{
    const char *p = uri, *at, *end;
    size_t len;
    if (strncmp(p, "sips:", 5) == 0)
        p += 5;
    else if (strncmp(p, "sip:", 4) == 0)
        p += 4;
    end = p + strcspn(p, ";?>");
    at = memchr(p, '@', (size_t)(end - p));
    if (at)
        p = at + 1;
    /* An IPv6 reference keeps its colons; a port follows the bracket. */
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        len = close ? (size_t)(close + 1 - p) : (size_t)(end - p);
        if (with_port && close && close[1] == ':')
            len = (size_t)(end - p);
    } else {
        len = with_port ? (size_t)(end - p) : strcspn(p, ":;?>");
        if (len > (size_t)(end - p))
            len = (size_t)(end - p);
    }
    if (len == 0 || len >= cap)
        return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int uri_is_loopback(const char *uri)
{
    char host[FIELD_MAX];
    if (uri_hostport(uri, host, sizeof(host), 0) != 0)
        return 0;
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "localhost") == 0;
}

/* ------------------------------------------------------------ endpoint */

static const char *const kinds[] = {"udp", "tcp", "tls"};

static void print_status(const char *what, pj_status_t status)
{
    char err[PJ_ERR_MSG_SIZE];
    pj_strerror(status, err, sizeof(err));
    fprintf(stderr, "pjregc: %s: %s\n", what, err);
}

int net_start(struct net *net, const struct net_options *opt, int loopback)
{
    const char *local = opt->local ? opt->local : loopback ? "127.0.0.1" : "0.0.0.0";
    unsigned level = 1;
    pj_sockaddr_in addr;
    pj_str_t s_local = pj_str((char *)local);
    const pjsip_host_port *name;
    pj_status_t status;

    memset(net, 0, sizeof(*net));
    net->kind = -1;
    for (int k = 0; k < 3; k++)
        if (strcmp(opt->transport ? opt->transport : "udp", kinds[k]) == 0)
            net->kind = k;
    if (net->kind < 0) {
        fprintf(stderr, "pjregc: --transport: expected udp, tcp or tls, got '%s'\n", opt->transport);
        return 2;
    }
    if (opt->ca_file && net->kind != 2) {
        fprintf(stderr, "pjregc: --ca-file is for --transport tls\n");
        return 2;
    }
    if (option_uint("log-level", opt->log_level, 0, 6, &level) != 0)
        return 2;
    /* Before pj_init, so that set-up messages follow the level too. */
    pj_log_set_level((int)level);
    pj_init();
    pjlib_util_init();
    /* Released pools are kept for reuse (up to 4 MB): each request and
     * response takes one, and handing them back to malloc costs more. */
    pj_caching_pool_init(&net->cp, &pj_pool_factory_default_policy, 4 * 1024 * 1024);
    status = pjsip_endpt_create(&net->cp.factory, "pjregc", &net->endpt);
    if (status != PJ_SUCCESS) {
        print_status("creating the endpoint", status);
        pj_caching_pool_destroy(&net->cp);
        pj_shutdown();
        return 1;
    }
    pjsip_tsx_layer_init_module(net->endpt);
    pjsip_ua_init_module(net->endpt, NULL);

    status = pj_sockaddr_in_init(&addr, &s_local, 0);
    if (status != PJ_SUCCESS) {
        fprintf(stderr, "pjregc: --local: '%s' is not an IPv4 address\n", local);
        net_stop(net);
        return 2;
    }
    if (net->kind == 0) {
        pjsip_transport *tp;
        status = pjsip_udp_transport_start(net->endpt, &addr, NULL, 1, &tp);
        name = status == PJ_SUCCESS ? &tp->local_name : NULL;
    } else {
        pjsip_tpfactory *factory;
        if (net->kind == 1) {
            status = pjsip_tcp_transport_start2(net->endpt, &addr, NULL, 1, &factory);
        } else {
            pjsip_tls_setting ts;
            pjsip_tls_setting_default(&ts);
            if (opt->ca_file) {
                ts.ca_list_file = pj_str((char *)opt->ca_file);
                ts.verify_server = PJ_TRUE;
            }
            status = pjsip_tls_transport_start(net->endpt, &ts, &addr, NULL, 1, &factory);
        }
        name = status == PJ_SUCCESS ? &factory->addr_name : NULL;
    }
    if (status != PJ_SUCCESS) {
        char what[64];
        snprintf(what, sizeof(what), "starting the %s transport on %s", kinds[net->kind], local);
        print_status(what, status);
        net_stop(net);
        return 1;
    }
    snprintf(net->contact_host, sizeof(net->contact_host), "%.*s", (int)name->host.slen, name->host.ptr);
    net->contact_port = name->port;
    return 0;
}

void net_stop(struct net *net)
{
    if (net->endpt)
        pjsip_endpt_destroy(net->endpt);
    net->endpt = NULL;
    pj_caching_pool_destroy(&net->cp);
    pj_shutdown();
}

void concat(char *out, size_t cap, ...)
{
    size_t at = 0;
    const char *s;
    va_list ap;
    va_start(ap, cap);
    while ((s = va_arg(ap, const char *)) != NULL) {
        size_t n = strlen(s);
        if (n > cap - 1 - at)
            n = cap - 1 - at;
        memcpy(out + at, s, n);
        at += n;
    }
    va_end(ap);
    out[at] = '\0';
}

void decimal(unsigned v, char *out)
{
    char digits[11];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *out++ = digits[--n];
    *out = '\0';
}

pj_status_t regc_for_account(struct net *net, const char *registrar, const char *aor, const char *user,
                             const char *password, unsigned expires, void *token, pjsip_regc_cb_fn cb,
                             pjsip_regc **out)
{
    /* The transport parameter goes into the registrar URI (which picks the
     * transport of the REGISTER) and the Contact (how the registrar reaches
     * us back); both stay as given when they already name one. */
    const char *param = net->kind == 0 ? "" : net->kind == 1 ? ";transport=tcp" : ";transport=tls";
    char srv[FIELD_MAX + 32], to[FIELD_MAX + 4], contact[FIELD_MAX + 128];
    pj_str_t s_srv, s_aor, s_contact;
    pj_status_t status;

    char port[16];
    concat(srv, sizeof(srv), registrar, strstr(registrar, "transport=") ? "" : param, (char *)NULL);
    if (aor[0] == '<')
        concat(to, sizeof(to), aor, (char *)NULL);
    else
        concat(to, sizeof(to), "<", aor, ">", (char *)NULL);
    decimal((unsigned)net->contact_port, port);
    concat(contact, sizeof(contact), "<sip:", user, "@", net->contact_host, ":", port, param, ">", (char *)NULL);
    s_srv = pj_str(srv);
    s_aor = pj_str(to);
    s_contact = pj_str(contact);

    *out = NULL;
    status = pjsip_regc_create(net->endpt, token, cb, out);
    if (status == PJ_SUCCESS)
        status = pjsip_regc_init(*out, &s_srv, &s_aor, &s_aor, 1, &s_contact, expires);
    if (status == PJ_SUCCESS && password) {
        pjsip_cred_info cred;
        memset(&cred, 0, sizeof(cred));
        cred.realm = pj_str("*"); /* answer a challenge from any realm */
        cred.scheme = pj_str("digest");
        cred.username = pj_str((char *)user);
        cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
        cred.data = pj_str((char *)password);
        status = pjsip_regc_set_credentials(*out, 1, &cred);
    }
    if (status != PJ_SUCCESS && *out) {
        pjsip_regc_destroy(*out);
        *out = NULL;
    }
    return status;
}

pj_status_t regc_start(pjsip_regc *regc, int unreg, int autoreg)
{
    pjsip_tx_data *tdata;
    pj_status_t status = unreg ? pjsip_regc_unregister(regc, &tdata) : pjsip_regc_register(regc, autoreg, &tdata);
    return status == PJ_SUCCESS ? pjsip_regc_send(regc, tdata) : status;
}

void describe_result(pj_status_t status, int code, const pj_str_t *reason, char *out, size_t cap)
{
    if (status != PJ_SUCCESS) {
        char err[PJ_ERR_MSG_SIZE];
        pj_strerror(status, err, sizeof(err));
        if (code > 0)
            snprintf(out, cap, "%d, %s", code, err);
        else
            snprintf(out, cap, "%s", err);
    } else if (reason && reason->slen > 0) {
        snprintf(out, cap, "%d %.*s", code, (int)reason->slen, reason->ptr);
    } else {
        const pj_str_t *text = pjsip_get_status_text(code);
        snprintf(out, cap, "%d %.*s", code, (int)text->slen, text->ptr);
    }
}

/* ------------------------------------------------------------ time, signals */

double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

const char *clock_text(char buf[16])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%H:%M:%S", &tm);
    return buf;
}

volatile sig_atomic_t stop_requests;

static void on_signal(int sig)
{
    (void)sig;
    stop_requests++;
}

void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ------------------------------------------------------------ output */

int out_tty;
/* The status line currently drawn on the terminal, redrawn after an
 * event line scrolls it away. */
static char shown[512];

void status_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(shown, sizeof(shown), fmt, ap);
    va_end(ap);
    if (out_tty)
        printf("\r\033[K%s", shown);
    else
        printf("%s\n", shown);
    fflush(stdout);
}

void event_line(const char *fmt, ...)
{
    va_list ap;
    if (out_tty && shown[0])
        printf("\r\033[K");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (out_tty && shown[0])
        printf("%s", shown);
    fflush(stdout);
}

void status_end(void)
{
    if (out_tty && shown[0])
        printf("\n");
    shown[0] = '\0';
    fflush(stdout);
}

void code_count(struct code_counts *c, int code)
{
    c->n[code > 0 && code < 700 ? code : 0]++;
}

void code_counts_format(const struct code_counts *c, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int code = 0; code < 700 && len < cap; code++) {
        if (!c->n[code])
            continue;
        if (code == 0) {
            len += (size_t)snprintf(out + len, cap - len, "%sno response (error): %u", len ? ", " : "", c->n[0]);
        } else {
            const pj_str_t *text = pjsip_get_status_text(code);
            len += (size_t)snprintf(out + len, cap - len, "%s%d %.*s: %u", len ? ", " : "", code, (int)text->slen,
                                    text->ptr, c->n[code]);
        }
    }
    if (len == 0)
        snprintf(out, cap, "none");
}
