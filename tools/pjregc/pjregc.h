/* pjregc: a command-line registration tool built on the pjsip_regc API.
 * Declarations shared by the commands (pjregc.c, cmd_*.c) and their
 * helpers (common.c). Everything here uses the pjproject API only, so the
 * tool would build against pjproject too. */
#ifndef PJREGC_TOOL_H
#define PJREGC_TOOL_H

#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <signal.h>
#include <stdio.h>

/* Field sizes: SIP URIs and credentials from the command line or a CSV
 * file; longer values are refused rather than cut. */
#define FIELD_MAX 256

/* Transaction timeout (Timer F, 32 s) once for the REGISTER and once for
 * its authenticated resend: the longest a REGISTER can stay in flight. */
#define REGISTER_WAIT_MS 70000

/* ---- command-line options ---- */

/* One option: --name (or -c) takes a value when `value` is set, else it
 * is a switch that sets `*flag`. */
struct option_spec {
    const char *name;
    char short_name;
    const char **value;
    int *flag;
};

enum parse_result { PARSE_OK, PARSE_HELP, PARSE_ERROR };

/* Parses argv[1..] of a command: options anywhere (--name VALUE,
 * --name=VALUE, -c VALUE), "--" ends them, other words go to `positional`
 * (at most max_pos). --help/-h gives PARSE_HELP; an unknown option, a
 * missing value or too many words print a message and give PARSE_ERROR. */
enum parse_result parse_options(const char *cmd, int argc, char **argv, const struct option_spec *spec,
                                const char **positional, int max_pos, int *n_pos);

/* Converts an option's value to a number in [min, max]; prints a message
 * naming the option and returns -1 when it is not one. */
int option_uint(const char *name, const char *value, unsigned min, unsigned max, unsigned *out);

/* ---- the endpoint ---- */

/* Options every command shares. */
struct net_options {
    const char *transport; /* udp, tcp, tls */
    const char *local;     /* address to bind; NULL: chosen from the registrar */
    const char *ca_file;   /* TLS: the registrar's certificate must chain to it */
    const char *log_level;
};

#define NET_OPTION_SPECS(o)                                                                                  \
    {"transport", 0, &(o).transport, NULL}, {"local", 0, &(o).local, NULL}, {"ca-file", 0, &(o).ca_file, NULL}, \
        {"log-level", 0, &(o).log_level, NULL}

#define NET_OPTION_HELP                                                                                        \
    "  --transport udp|tcp|tls  transport to the registrar (default udp); the registrar URI gets\n"          \
    "                           ;transport=tcp|tls when it names none\n"                                     \
    "  --ca-file FILE           TLS: verify the registrar's certificate against these CAs\n"                 \
    "                           (without it the certificate is not verified)\n"                              \
    "  --local ADDR             IPv4 address to bind and to put in Contacts (default 127.0.0.1\n"            \
    "                           for a loopback registrar, else all interfaces)\n"                             \
    "  --log-level N            pjsip log level on stderr, 0-6 (default 1: errors)\n"

struct net {
    pj_caching_pool cp;
    pjsip_endpoint *endpt;
    int kind;                /* 0 udp, 1 tcp, 2 tls */
    char contact_host[64];   /* the Contact's host and port: the bound transport's published name */
    int contact_port;
};

/* Starts pjlib, an endpoint and the transport `opt` names. `loopback`
 * says every registrar is on loopback (the default local address then is
 * 127.0.0.1). Returns 0, or prints a message and returns the exit status:
 * 2 for a bad option value, 1 when the endpoint or transport fails. */
int net_start(struct net *net, const struct net_options *opt, int loopback);
void net_stop(struct net *net);

/* True when the host of a SIP URI is 127.x.x.x or localhost. */
int uri_is_loopback(const char *uri);

/* The host[:port] of a SIP URI (after the scheme and any user part, up to
 * parameters or headers) into out; -1 when it does not fit or is empty. */
int uri_hostport(const char *uri, char *out, size_t cap, int with_port);

/* The strings up to a (char *)NULL, joined into out (cap bytes, always
 * terminated), and v in decimal (out of at least 11 bytes): for what is
 * built per account, where snprintf's format parsing cost more than the
 * rest of building a regc. */
void concat(char *out, size_t cap, ...);
void decimal(unsigned v, char *out);

/* A pjsip_regc for one account: AOR as From and To, one Contact
 * (user@contact_host:port on this transport), digest credentials for any
 * realm when password is not NULL, `expires` asked for. */
pj_status_t regc_for_account(struct net *net, const char *registrar, const char *aor, const char *user,
                             const char *password, unsigned expires, void *token, pjsip_regc_cb_fn cb,
                             pjsip_regc **out);

/* pjsip_regc_register (or unregister when unreg) + pjsip_regc_send. A
 * send that fails at once may or may not have run the callback (it has
 * not for PJSIP_EBUSY); the caller looks at its own in-flight flag. */
pj_status_t regc_start(pjsip_regc *regc, int unreg, int autoreg);

/* "403 Forbidden" or, for a library error, its pj_strerror text. */
void describe_result(pj_status_t status, int code, const pj_str_t *reason, char *out, size_t cap);

/* ---- time, signals, output ---- */

double now_ms(void); /* monotonic */
/* The wall-clock time of day, "HH:MM:SS", for event lines. */
const char *clock_text(char buf[16]);

/* SIGINT/SIGTERM count: the first asks a command to stop cleanly
 * (unregister), the second to give up waiting. */
extern volatile sig_atomic_t stop_requests;
void install_signal_handlers(void);

/* Whether stdout is a terminal: status lines are then redrawn in place
 * (carriage return), otherwise printed one per line. */
extern int out_tty;
void status_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends the status line (a newline on a terminal). */
void status_end(void);

/* Failures counted by final status code (0..699); library errors without
 * a SIP code count under 0. */
struct code_counts {
    unsigned n[700];
};
void code_count(struct code_counts *c, int code);
/* "403 Forbidden: 3, 408 Request Timeout: 1" or "none". */
void code_counts_format(const struct code_counts *c, char *out, size_t cap);

/* ---- commands ---- */
int cmd_register(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_load(int argc, char **argv);

#endif
