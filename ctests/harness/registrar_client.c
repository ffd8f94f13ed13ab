/*
 * registrar_client.c - see registrar_client.h. C99 + POSIX.
 */
#define _POSIX_C_SOURCE 200809L

#include "registrar_client.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 3000
#define END_MARK "\n=== end\n"

struct hdr {
    char *name;   /* as written */
    char *value;  /* unfolded, trimmed */
};

struct rec {
    char *raw;
    size_t len;
    double t;
    char transport[8];
    char peer[64];
    int parsed;
    char *line;
    char *method;
    char *body;
    char *order;
    struct hdr *h;
    int nh;
};

struct loglist {
    char *path;
    long offset;
    struct rec *v;
    int n, cap;
};

struct strnode {
    struct strnode *next;
    char s[];
};

struct registrar {
    pid_t pid;
    int stdin_fd;
    int port, tcp_port, tls_port, tcp6_port, tls6_port, udp6_port;
    struct loglist req, sent;
    struct strnode *arena;
};

/* ------------------------------------------------------------ utilities */

static char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) {
        perror("registrar_client: malloc");
        abort();
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

static const char *keep(registrar *r, const char *s, size_t n)
{
    struct strnode *node = malloc(sizeof(*node) + n + 1);
    if (!node) {
        perror("registrar_client: malloc");
        abort();
    }
    memcpy(node->s, s, n);
    node->s[n] = '\0';
    node->next = r->arena;
    r->arena = node;
    return node->s;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static const char *expand_compact(const char *name)
{
    static const char *const tab[][2] = {
        {"i", "Call-ID"},        {"m", "Contact"},          {"f", "From"},
        {"t", "To"},             {"v", "Via"},              {"l", "Content-Length"},
        {"c", "Content-Type"},   {"e", "Content-Encoding"}, {"k", "Supported"},
        {"s", "Subject"},        {"o", "Event"},            {"u", "Allow-Events"},
        {"r", "Refer-To"},       {"b", "Referred-By"},      {"x", "Session-Expires"},
    };
    size_t k;
    if (strlen(name) != 1)
        return name;
    for (k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
        if (strcasecmp(name, tab[k][0]) == 0)
            return tab[k][1];
    return name;
}

static int name_eq(const char *a, const char *b)
{
    return strcasecmp(expand_compact(a), expand_compact(b)) == 0;
}

static int file_exists(const char *p) { return p && access(p, R_OK) == 0; }

/* ------------------------------------------------------------ log files */

static void rec_free(struct rec *x)
{
    int k;
    free(x->raw);
    free(x->line);
    free(x->method);
    free(x->body);
    free(x->order);
    for (k = 0; k < x->nh; k++) {
        free(x->h[k].name);
        free(x->h[k].value);
    }
    free(x->h);
}

static void loglist_free(struct loglist *l)
{
    int k;
    for (k = 0; k < l->n; k++)
        rec_free(&l->v[k]);
    free(l->v);
    free(l->path);
    memset(l, 0, sizeof(*l));
}

/* Parse all complete records after l->offset. */
static void loglist_refresh(struct loglist *l)
{
    FILE *f;
    char *buf = NULL;
    size_t cap = 0, len = 0, pos = 0;
    if (!l->path)
        return;
    f = fopen(l->path, "rb");
    if (!f)
        return;
    if (fseek(f, l->offset, SEEK_SET) != 0) {
        fclose(f);
        return;
    }
    for (;;) {
        size_t got;
        if (cap - len < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 65536;
            nb = realloc(buf, cap);
            if (!nb) {
                perror("registrar_client: realloc");
                abort();
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);

    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        char head[256];
        size_t hl, mlen = 0, start;
        int seq, consumed = 0;
        double t;
        char tr[8], peer[64];
        struct rec *x;
        if (!nl)
            break;
        hl = (size_t)(nl - (buf + pos));
        if (hl >= sizeof(head))
            break; /* corrupt */
        memcpy(head, buf + pos, hl);
        head[hl] = '\0';
        if (sscanf(head, "=== %d %lf %7s %63s len=%zu%n", &seq, &t, tr, peer, &mlen,
                   &consumed) < 5 || consumed == 0)
            break;
        start = pos + hl + 1;
        if (len - start < mlen + strlen(END_MARK))
            break; /* not completely written yet */
        if (memcmp(buf + start + mlen, END_MARK, strlen(END_MARK)) != 0)
            break; /* corrupt */
        if (l->n == l->cap) {
            struct rec *nv;
            l->cap = l->cap ? l->cap * 2 : 16;
            nv = realloc(l->v, (size_t)l->cap * sizeof(*nv));
            if (!nv) {
                perror("registrar_client: realloc");
                abort();
            }
            l->v = nv;
        }
        x = &l->v[l->n++];
        memset(x, 0, sizeof(*x));
        x->raw = xstrndup(buf + start, mlen);
        x->len = mlen;
        x->t = t;
        snprintf(x->transport, sizeof(x->transport), "%s", tr);
        snprintf(x->peer, sizeof(x->peer), "%s", peer);
        pos = start + mlen + strlen(END_MARK);
    }
    l->offset += (long)pos;
    free(buf);
}

static struct rec *get_rec(struct loglist *l, int i)
{
    if (i < 0)
        return NULL;
    if (i >= l->n)
        loglist_refresh(l);
    return i < l->n ? &l->v[i] : NULL;
}

/* Split the raw message into request line, headers, body (tolerant). */
static void rec_parse(struct rec *x)
{
    const char *p = x->raw, *end = x->raw + x->len;
    size_t order_len = 0;
    int first = 1, k;
    if (x->parsed)
        return;
    x->parsed = 1;
    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        size_t n = (size_t)(le - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (first) {
            x->line = xstrndup(p, n);
            first = 0;
        } else if (n == 0) {
            p = next;
            break; /* end of headers */
        } else if ((*p == ' ' || *p == '\t') && x->nh > 0) {
            /* folded continuation */
            struct hdr *h = &x->h[x->nh - 1];
            const char *s = p, *e = p + n;
            size_t ol;
            char *nv;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            ol = strlen(h->value);
            nv = malloc(ol + 1 + (size_t)(e - s) + 1);
            if (!nv)
                abort();
            memcpy(nv, h->value, ol);
            if (ol > 0 && e > s)
                nv[ol++] = ' ';
            memcpy(nv + ol, s, (size_t)(e - s));
            nv[ol + (size_t)(e - s)] = '\0';
            free(h->value);
            h->value = nv;
        } else {
            const char *colon = memchr(p, ':', n);
            if (colon) {
                const char *ns = p, *ne = colon, *vs = colon + 1, *ve = p + n;
                struct hdr *nh;
                while (ns < ne && isspace((unsigned char)*ns))
                    ns++;
                while (ne > ns && isspace((unsigned char)ne[-1]))
                    ne--;
                while (vs < ve && isspace((unsigned char)*vs))
                    vs++;
                while (ve > vs && isspace((unsigned char)ve[-1]))
                    ve--;
                nh = realloc(x->h, (size_t)(x->nh + 1) * sizeof(*nh));
                if (!nh)
                    abort();
                x->h = nh;
                x->h[x->nh].name = xstrndup(ns, (size_t)(ne - ns));
                x->h[x->nh].value = xstrndup(vs, (size_t)(ve - vs));
                x->nh++;
            }
        }
        p = next;
    }
    if (!x->line)
        x->line = xstrdup("");
    x->body = xstrndup(p, (size_t)(end - p));
    {
        size_t ml = strcspn(x->line, " \t");
        x->method = xstrndup(x->line, ml);
    }
    for (k = 0; k < x->nh; k++)
        order_len += strlen(x->h[k].name) + 1;
    x->order = malloc(order_len + 1);
    if (!x->order)
        abort();
    x->order[0] = '\0';
    for (k = 0; k < x->nh; k++) {
        if (k)
            strcat(x->order, ",");
        strcat(x->order, x->h[k].name);
    }
}

static struct rec *req(registrar *r, int i)
{
    struct rec *x;
    if (!r)
        return NULL;
    x = get_rec(&r->req, i);
    if (x)
        rec_parse(x);
    return x;
}

/* ------------------------------------------------------------ start/stop */

static char *find_script(void)
{
    const char *env = getenv("REGISTRAR_PY");
    static const char *const rel[] = {"/../ctests/registrar.py", "/../../ctests/registrar.py",
                                      "/../registrar.py", "/registrar.py"};
    char exe[4096];
    ssize_t n;
    size_t k;
    if (env && *env)
        return xstrdup(env);
    if (file_exists("ctests/registrar.py"))
        return xstrdup("ctests/registrar.py");
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            for (k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
                char cand[4200];
                snprintf(cand, sizeof(cand), "%s%s", exe, rel[k]);
                if (file_exists(cand))
                    return xstrdup(cand);
            }
        }
    }
    return NULL;
}

static char *find_python(void)
{
    const char *py = getenv("REGISTRAR_PYTHON");
    const char *path = getenv("PATH");
    const char *p;
    int pass;
    if (!py || !*py)
        py = "python3";
    if (strchr(py, '/'))
        return xstrdup(py);
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    /* First pass skips version-manager shim directories (".../shims"): a
     * shim is a shell script that costs ~200 ms per start. */
    for (pass = 0; pass < 2; pass++) {
        p = path;
        while (*p) {
            size_t dl = strcspn(p, ":");
            char cand[4200];
            int shim = dl >= 6 && strncmp(p + dl - 6, "/shims", 6) == 0;
            if (dl > 0 && dl < 4000 && (pass == 1 || !shim)) {
                snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl, p, py);
                if (access(cand, X_OK) == 0)
                    return xstrdup(cand);
            }
            p += dl;
            if (*p == ':')
                p++;
        }
    }
    return NULL;
}

/* Registrars started by this process, for ordered log names. */
static int registrar_seq;

static char *make_temp(const char *tag)
{
    const char *dir = getenv("REGISTRAR_LOG_DIR");
    char tmpl[4200];
    int fd;
    if (dir && *dir) {
        /* <dir>/registrar-<pid>-<nnn>-<tag>-XXXXXX: sortable per process */
        snprintf(tmpl, sizeof(tmpl), "%s/registrar-%ld-%03d-%s-XXXXXX", dir, (long)getpid(),
                 registrar_seq, tag);
    } else {
        dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
        snprintf(tmpl, sizeof(tmpl), "%s/registrar-%s-XXXXXX", dir, tag);
    }
    fd = mkstemp(tmpl);
    if (fd < 0) {
        perror("registrar_client: mkstemp");
        return NULL;
    }
    close(fd);
    return xstrdup(tmpl);
}

/* Make fd close-on-exec and at least 3, so that the child's dup2() onto
 * 0/1 never clobbers the other pipe end (matters if our 0/1 were closed). */
static int lift_fd(int fd)
{
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (nfd < 0) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0)
            fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        return fd;
    }
    close(fd);
    return nfd;
}

static void reap(pid_t pid)
{
    double deadline = now_ms() + STOP_TIMEOUT_MS;
    int st;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            return;
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
            }
            return;
        }
        sleep_ms(5);
    }
}

static void remove_logs(registrar *r)
{
    if (getenv("REGISTRAR_KEEP_LOGS")) {
        fprintf(stderr, "registrar_client: kept logs %s %s\n", r->req.path ? r->req.path : "",
                r->sent.path ? r->sent.path : "");
        return;
    }
    if (r->req.path)
        unlink(r->req.path);
    if (r->sent.path)
        unlink(r->sent.path);
}

static void registrar_free(registrar *r)
{
    while (r->arena) {
        struct strnode *n = r->arena->next;
        free(r->arena);
        r->arena = n;
    }
    loglist_free(&r->req);
    loglist_free(&r->sent);
    free(r);
}

registrar *registrar_start(const char *config_json) { return registrar_start_ex(config_json, 0); }

registrar *registrar_start_ex(const char *config_json, int tcp)
{
    const char *tcp_args[] = {"--tcp", NULL};
    return registrar_start_args(config_json, tcp ? tcp_args : NULL);
}

registrar *registrar_start_args(const char *config_json, const char *const *extra_args)
{
    registrar *r;
    char *script = NULL, *python = NULL;
    int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
    char *argv[32];
    int argc = 0;
    long maxfd;
    pid_t pid;
    char line[256];
    size_t ll = 0;
    double deadline;

    r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->stdin_fd = -1;
    r->pid = -1;
    script = find_script();
    if (!script) {
        fprintf(stderr, "registrar_client: registrar.py not found (set REGISTRAR_PY)\n");
        goto fail;
    }
    python = find_python();
    if (!python) {
        fprintf(stderr, "registrar_client: python3 not found (set REGISTRAR_PYTHON)\n");
        goto fail;
    }
    r->req.path = make_temp("recv");
    r->sent.path = make_temp("sent");
    registrar_seq++;
    if (!r->req.path || !r->sent.path)
        goto fail;
    if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) {
        perror("registrar_client: pipe");
        goto fail;
    }
    in_pipe[0] = lift_fd(in_pipe[0]);
    in_pipe[1] = lift_fd(in_pipe[1]);
    out_pipe[0] = lift_fd(out_pipe[0]);
    out_pipe[1] = lift_fd(out_pipe[1]);

    argv[argc++] = python;
    argv[argc++] = (char *)"-S"; /* stdlib only: skip site, starts faster */
    argv[argc++] = script;
    argv[argc++] = (char *)"--config";
    argv[argc++] = (char *)(config_json && *config_json ? config_json : "{}");
    argv[argc++] = (char *)"--log";
    argv[argc++] = r->req.path;
    argv[argc++] = (char *)"--sent-log";
    argv[argc++] = r->sent.path;
    for (int i = 0; extra_args && extra_args[i] && argc < 31; i++)
        argv[argc++] = (char *)extra_args[i];
    argv[argc] = NULL;

    maxfd = sysconf(_SC_OPEN_MAX);
    if (maxfd < 0 || maxfd > 65536)
        maxfd = 65536;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        perror("registrar_client: fork");
        goto fail;
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls */
        long fd;
        if (dup2(in_pipe[0], 0) < 0 || dup2(out_pipe[1], 1) < 0)
            _exit(127);
        for (fd = 3; fd < maxfd; fd++)
            close((int)fd);
        execv(argv[0], argv);
        _exit(127);
    }
    r->pid = pid;
    close(in_pipe[0]);
    close(out_pipe[1]);
    in_pipe[0] = out_pipe[1] = -1;
    r->stdin_fd = in_pipe[1];
    in_pipe[1] = -1;

    deadline = now_ms() + START_TIMEOUT_MS;
    for (;;) {
        struct pollfd pfd;
        double left = deadline - now_ms();
        int rc;
        ssize_t got;
        if (left <= 0) {
            fprintf(stderr, "registrar_client: no PORT line within %d ms\n", START_TIMEOUT_MS);
            goto fail;
        }
        pfd.fd = out_pipe[0];
        pfd.events = POLLIN;
        pfd.revents = 0;
        rc = poll(&pfd, 1, (int)left + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            continue;
        got = read(out_pipe[0], line + ll, sizeof(line) - 1 - ll);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            fprintf(stderr, "registrar_client: registrar exited before its PORT line\n");
            goto fail;
        }
        ll += (size_t)got;
        line[ll] = '\0';
        if (strchr(line, '\n'))
            break;
        if (ll >= sizeof(line) - 1) {
            fprintf(stderr, "registrar_client: unexpected output from registrar\n");
            goto fail;
        }
    }
    if (sscanf(line, "PORT %d %d %d %d %d %d", &r->port, &r->tcp_port, &r->tls_port, &r->tcp6_port,
               &r->tls6_port, &r->udp6_port) < 1 ||
        r->port <= 0) {
        fprintf(stderr, "registrar_client: bad PORT line: %s", line);
        goto fail;
    }
    close(out_pipe[0]);
    free(script);
    free(python);
    return r;

fail:
    if (in_pipe[0] >= 0)
        close(in_pipe[0]);
    if (in_pipe[1] >= 0)
        close(in_pipe[1]);
    if (out_pipe[0] >= 0)
        close(out_pipe[0]);
    if (out_pipe[1] >= 0)
        close(out_pipe[1]);
    if (r->stdin_fd >= 0)
        close(r->stdin_fd);
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        reap(r->pid);
    }
    remove_logs(r);
    registrar_free(r);
    free(script);
    free(python);
    return NULL;
}

void registrar_stop(registrar *r)
{
    if (!r)
        return;
    if (r->stdin_fd >= 0)
        close(r->stdin_fd);
    r->stdin_fd = -1;
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        reap(r->pid);
    }
    remove_logs(r);
    registrar_free(r);
}

int registrar_port(const registrar *r) { return r ? r->port : -1; }
int registrar_tcp_port(const registrar *r) { return r ? r->tcp_port : -1; }
int registrar_tls_port(const registrar *r) { return r ? r->tls_port : -1; }
int registrar_tcp6_port(const registrar *r) { return r ? r->tcp6_port : -1; }
int registrar_tls6_port(const registrar *r) { return r ? r->tls6_port : -1; }
int registrar_udp6_port(const registrar *r) { return r ? r->udp6_port : -1; }
pid_t registrar_pid(const registrar *r) { return r ? r->pid : -1; }
const char *registrar_log_path(const registrar *r) { return r ? r->req.path : NULL; }
const char *registrar_sent_log_path(const registrar *r) { return r ? r->sent.path : NULL; }

/* ------------------------------------------------------------ queries */

int registrar_count(registrar *r)
{
    if (!r)
        return 0;
    loglist_refresh(&r->req);
    return r->req.n;
}

int registrar_wait_count(registrar *r, int count, int timeout_ms)
{
    double deadline = now_ms() + timeout_ms;
    for (;;) {
        if (registrar_count(r) >= count)
            return 1;
        if (now_ms() >= deadline)
            return 0;
        sleep_ms(2);
    }
}

const char *registrar_request(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->req, i) : NULL;
    return x ? x->raw : NULL;
}

int registrar_request_len(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->req, i) : NULL;
    return x ? (int)x->len : -1;
}

double registrar_time_ms(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->req, i) : NULL;
    return x ? x->t : -1.0;
}

const char *registrar_transport(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->req, i) : NULL;
    return x ? x->transport : NULL;
}

const char *registrar_source(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->req, i) : NULL;
    return x ? x->peer : NULL;
}

const char *registrar_request_line(registrar *r, int i)
{
    struct rec *x = req(r, i);
    return x ? x->line : NULL;
}

const char *registrar_method(registrar *r, int i)
{
    struct rec *x = req(r, i);
    return x ? x->method : NULL;
}

const char *registrar_body(registrar *r, int i)
{
    struct rec *x = req(r, i);
    return x ? x->body : NULL;
}

const char *registrar_header_order(registrar *r, int i)
{
    struct rec *x = req(r, i);
    return x ? x->order : NULL;
}

const char *registrar_header(registrar *r, int i, const char *name, int n)
{
    struct rec *x = req(r, i);
    int k;
    if (!x || !name || n < 0)
        return NULL;
    for (k = 0; k < x->nh; k++)
        if (name_eq(x->h[k].name, name) && n-- == 0)
            return x->h[k].value;
    return NULL;
}

int registrar_header_count(registrar *r, int i, const char *name)
{
    struct rec *x = req(r, i);
    int k, c = 0;
    if (!x || !name)
        return 0;
    for (k = 0; k < x->nh; k++)
        if (name_eq(x->h[k].name, name))
            c++;
    return c;
}

/* Position right after the URI part of a name-addr/addr-spec/Via value:
 * returns pointer to the first ';' of the params (or the end). */
static const char *params_start(const char *v, const char **uri_s, const char **uri_e)
{
    const char *p = v, *lt = NULL;
    int quote = 0;
    for (p = v; *p; p++) {
        if (*p == '"')
            quote = !quote;
        else if (*p == '\\' && quote && p[1])
            p++;
        else if (*p == '<' && !quote) {
            lt = p;
            break;
        }
    }
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt)
            gt = lt + strlen(lt);
        *uri_s = lt + 1;
        *uri_e = gt;
        return *gt ? gt + 1 : gt;
    }
    p = strchr(v, ';');
    if (!p)
        p = v + strlen(v);
    *uri_s = v;
    *uri_e = p;
    return p;
}

const char *registrar_header_uri(registrar *r, int i, const char *name, int n)
{
    const char *v = registrar_header(r, i, name, n), *us, *ue;
    if (!v)
        return NULL;
    params_start(v, &us, &ue);
    while (us < ue && isspace((unsigned char)*us))
        us++;
    while (ue > us && isspace((unsigned char)ue[-1]))
        ue--;
    return keep(r, us, (size_t)(ue - us));
}

const char *registrar_header_param(registrar *r, int i, const char *name, int n,
                                   const char *param)
{
    const char *v = registrar_header(r, i, name, n), *us, *ue, *p;
    size_t pl;
    if (!v || !param)
        return NULL;
    pl = strlen(param);
    p = params_start(v, &us, &ue);
    while (*p) {
        const char *s, *e, *eq, *ns, *ne;
        int quote = 0;
        if (*p == ';')
            p++;
        s = p;
        for (e = s; *e; e++) {
            if (*e == '"')
                quote = !quote;
            else if (*e == ';' && !quote)
                break;
        }
        p = e;
        eq = memchr(s, '=', (size_t)(e - s));
        ns = s;
        ne = eq ? eq : e;
        while (ns < ne && isspace((unsigned char)*ns))
            ns++;
        while (ne > ns && isspace((unsigned char)ne[-1]))
            ne--;
        if ((size_t)(ne - ns) == pl && strncasecmp(ns, param, pl) == 0) {
            const char *vs = eq ? eq + 1 : e, *ve = e;
            while (vs < ve && isspace((unsigned char)*vs))
                vs++;
            while (ve > vs && isspace((unsigned char)ve[-1]))
                ve--;
            return keep(r, vs, (size_t)(ve - vs));
        }
    }
    return NULL;
}

static const char *digest_param(registrar *r, const char *v, const char *param)
{
    const char *p = v;
    size_t pl = strlen(param);
    if (!v)
        return NULL;
    while (*p && isspace((unsigned char)*p))
        p++;
    {
        const char *se = p;
        while (*se && !isspace((unsigned char)*se))
            se++;
        if (strcasecmp(param, "scheme") == 0)
            return keep(r, p, (size_t)(se - p));
        p = se;
    }
    while (*p) {
        const char *ns, *ne, *vs, *ve;
        char *out;
        size_t ol = 0;
        while (*p && (isspace((unsigned char)*p) || *p == ','))
            p++;
        if (!*p)
            break;
        ns = p;
        while (*p && *p != '=' && *p != ',')
            p++;
        ne = p;
        while (ne > ns && isspace((unsigned char)ne[-1]))
            ne--;
        if (*p != '=') {
            continue; /* token without value */
        }
        p++;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '"') {
            p++;
            vs = p;
            out = malloc(strlen(vs) + 1);
            if (!out)
                abort();
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                out[ol++] = *p++;
            }
            out[ol] = '\0';
            if (*p == '"')
                p++;
        } else {
            vs = p;
            while (*p && *p != ',' && !isspace((unsigned char)*p))
                p++;
            ve = p;
            out = xstrndup(vs, (size_t)(ve - vs));
            ol = strlen(out);
        }
        if ((size_t)(ne - ns) == pl && strncasecmp(ns, param, pl) == 0) {
            const char *res = keep(r, out, ol);
            free(out);
            return res;
        }
        free(out);
    }
    return NULL;
}

const char *registrar_auth_param_n(registrar *r, int i, const char *name, int n,
                                   const char *param)
{
    if (!param)
        return NULL;
    return digest_param(r, registrar_header(r, i, name, n), param);
}

const char *registrar_auth_param(registrar *r, int i, const char *param)
{
    struct rec *x = req(r, i);
    int k;
    if (!x || !param)
        return NULL;
    for (k = 0; k < x->nh; k++)
        if (strcasecmp(x->h[k].name, "Authorization") == 0 ||
            strcasecmp(x->h[k].name, "Proxy-Authorization") == 0)
            return digest_param(r, x->h[k].value, param);
    return NULL;
}

int registrar_response_count(registrar *r)
{
    if (!r)
        return 0;
    loglist_refresh(&r->sent);
    return r->sent.n;
}

const char *registrar_response(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->sent, i) : NULL;
    return x ? x->raw : NULL;
}

double registrar_response_time_ms(registrar *r, int i)
{
    struct rec *x = r ? get_rec(&r->sent, i) : NULL;
    return x ? x->t : -1.0;
}
