/*
 * registrar_client.h - start/stop the scriptable test registrar
 * (ctests/registrar.py) and read what it received.
 *
 * Plain C99 + POSIX; no pjsip dependency. The registrar's config reference
 * (JSON) is the docstring at the top of ctests/registrar.py.
 *
 * Locating the registrar: $REGISTRAR_PY if set, else "ctests/registrar.py"
 * relative to the cwd, else (via /proc/self/exe) <exe dir>/../ctests/,
 * <exe dir>/../../ctests/, <exe dir>/../ and <exe dir>/ registrar.py.
 * The interpreter is $REGISTRAR_PYTHON, else "python3" from $PATH (PATH
 * entries ending in "/shims" are tried last); it runs with -S.
 * Logs go to mkstemp files under $TMPDIR (default /tmp) and are removed by
 * registrar_stop() unless $REGISTRAR_KEEP_LOGS is set (then their paths are
 * printed on stderr). With $REGISTRAR_LOG_DIR set they are created in that
 * directory instead, named registrar-<pid>-<nnn>-<recv|sent>-XXXXXX where
 * <nnn> counts the registrars this process started (from 000).
 *
 * The registrar exits when its stdin pipe closes, so a crashed test never
 * leaves it running. All returned strings are owned by the registrar handle
 * and stay valid until registrar_stop().
 *
 * Request indices are 0-based, in arrival order, and include
 * retransmissions. Functions taking an index re-read the log when the index
 * is not loaded yet, and return NULL / -1 / 0 when it does not exist.
 *
 * Header names match case-insensitively and compact forms match their long
 * forms (i m f t v l c e k s o u r b x). "n-th header" means the n-th header
 * LINE of that name (a comma-joined "Contact: a, b" line is one header).
 * Folded lines are unfolded (joined with one space); values are trimmed.
 *
 * Not thread-safe: use a handle from one thread at a time. Times are ms
 * since that registrar started (use differences between requests).
 */
#ifndef REGISTRAR_CLIENT_H
#define REGISTRAR_CLIENT_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct registrar registrar;

/* Start the registrar with this JSON config (NULL or "" = "{}"), UDP only.
 * Waits (at most 10 s) for its PORT line. NULL on failure (reason on
 * stderr). */
registrar *registrar_start(const char *config_json);
/* Same, with `--tcp` when tcp is non-zero. */
registrar *registrar_start_ex(const char *config_json, int tcp);
/* Same, with extra command-line arguments (NULL-terminated array, or NULL),
 * e.g. {"--tcp", "--ipv6", "--tls", cert, key, NULL}. */
registrar *registrar_start_args(const char *config_json, const char *const *extra_args);

int registrar_port(const registrar *r);      /* UDP port */
int registrar_tcp_port(const registrar *r);  /* TCP port, 0 without --tcp */
int registrar_tls_port(const registrar *r);  /* TLS port, 0 without --tls */
int registrar_tcp6_port(const registrar *r); /* TCP on [::1], 0 without --ipv6 */
int registrar_tls6_port(const registrar *r); /* TLS on [::1], 0 without both */
int registrar_udp6_port(const registrar *r); /* UDP on [::1], 0 without --ipv6 */
pid_t registrar_pid(const registrar *r);
const char *registrar_log_path(const registrar *r);
const char *registrar_sent_log_path(const registrar *r);

/* Close its stdin, SIGTERM, wait (SIGKILL after 3 s), remove logs, free.
 * NULL is accepted. */
void registrar_stop(registrar *r);

/* Number of requests received so far (re-reads the log). */
int registrar_count(registrar *r);
/* Poll the log until at least `count` requests arrived: 1, or 0 on timeout.
 * Only where nothing else (e.g. a SIP event loop) needs pumping meanwhile. */
int registrar_wait_count(registrar *r, int count, int timeout_ms);

/* Raw text of request i exactly as received (latin-1 bytes, NUL added). */
const char *registrar_request(registrar *r, int i);
/* Its length in bytes (the text may in theory contain NULs). -1 if absent */
int registrar_request_len(registrar *r, int i);
/* Its arrival time, ms since the registrar started (-1 if absent). */
double registrar_time_ms(registrar *r, int i);
/* "UDP", "TCP" or "TLS"; and "ip:port" of the sender. */
const char *registrar_transport(registrar *r, int i);
const char *registrar_source(registrar *r, int i);

/* First line, without the line ending, e.g. "REGISTER sip:h:p SIP/2.0". */
const char *registrar_request_line(registrar *r, int i);
/* Method of request i, e.g. "REGISTER". */
const char *registrar_method(registrar *r, int i);
/* Value of the n-th (0-based) header named `name`; NULL if absent. */
const char *registrar_header(registrar *r, int i, const char *name, int n);
int registrar_header_count(registrar *r, int i, const char *name);
/* Header names of request i in order, as written on the wire, joined with
 * ",", e.g. "Via,Max-Forwards,From,To,Call-ID,CSeq,Contact,Expires,
 * Content-Length". */
const char *registrar_header_order(registrar *r, int i);
/* Body of request i ("" when none). */
const char *registrar_body(registrar *r, int i);

/* Parameter of a header that looks like name-addr/addr-spec/Via: the
 * ";param" after the URI (after '>' when there are angle brackets, else
 * after the first ';'). E.g. (i, "Via", 0, "branch"), (i, "From", 0, "tag"),
 * (i, "Contact", 1, "expires"). "" for a param without value, NULL if the
 * header or the param is absent. Names match case-insensitively. */
const char *registrar_header_param(registrar *r, int i, const char *name,
                                   int n, const char *param);
/* URI of a name-addr header (inside <> or up to the first ';'). */
const char *registrar_header_uri(registrar *r, int i, const char *name, int n);

/* Digest parameter (unquoted) of the first Authorization or
 * Proxy-Authorization header of request i, e.g. "nc" -> "00000001".
 * The pseudo-parameter "scheme" gives the scheme ("Digest"). */
const char *registrar_auth_param(registrar *r, int i, const char *param);
/* Same for the n-th header named `name`. */
const char *registrar_auth_param_n(registrar *r, int i, const char *name,
                                   int n, const char *param);

/* Responses the registrar sent (from its --sent-log), in order. */
int registrar_response_count(registrar *r);
const char *registrar_response(registrar *r, int i);
double registrar_response_time_ms(registrar *r, int i);

#ifdef __cplusplus
}
#endif

#endif /* REGISTRAR_CLIENT_H */
