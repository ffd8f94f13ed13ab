/* Implementation of interop.h. */
#define _POSIX_C_SOURCE 200809L
#include "interop.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *env_req(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "interop: environment variable %s is not set (run through ctests/interop/run.sh)\n",
                name);
        exit(2);
    }
    return v;
}

int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

/* ------------------------------------------------------------ kamcmd */

/* Runs `kamcmd -s $KAM_CTL <args>` and returns its output (malloc'd, NUL
 * terminated) or NULL. */
static char *kamcmd(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "kamcmd -s '%s' %s 2>&1", env_req("KAM_CTL"), args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 8192, len = 0;
    char *out = malloc(cap);
    size_t n;
    while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) {
            char *bigger = realloc(out, cap * 2);
            if (!bigger) {
                free(out);
                out = NULL;
                break;
            }
            out = bigger;
            cap *= 2;
        }
    }
    int rc = pclose(p);
    if (!out)
        return NULL;
    out[len] = '\0';
    if (rc != 0) {
        fprintf(stderr, "interop: '%s' exited with %d: %s\n", cmd, rc, out);
        free(out);
        return NULL;
    }
    return out;
}

/* "   Key: value" -> copies value when the trimmed line starts with key. */
static int field(const char *line, const char *key, char *out, size_t cap)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0 || line[k] != ':')
        return 0;
    line += k + 1;
    while (*line == ' ')
        line++;
    size_t n = strcspn(line, "\r\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, line, n);
    out[n] = '\0';
    return 1;
}

int kam_lookup(const char *aor, kam_binding *out, int max)
{
    char args[300];
    snprintf(args, sizeof(args), "ul.lookup location '%s'", aor);
    char *text = kamcmd(args);
    if (!text)
        return -1;
    /* "AOR not found": no record; "AOR has no contacts": the record is still
     * there but every binding in it has expired (not yet cleaned up). */
    if (strstr(text, "AOR not found") || strstr(text, "AOR has no contacts")) {
        free(text);
        return 0;
    }
    if (strncmp(text, "error", 5) == 0) {
        fprintf(stderr, "interop: kamcmd ul.lookup %s: %s\n", aor, text);
        free(text);
        return -1;
    }
    int n = -1; /* index of the contact being filled */
    char val[256];
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (field(line, "Address", val, sizeof(val))) {
            n++;
            if (n < max) {
                memset(&out[n], 0, sizeof(out[n]));
                snprintf(out[n].address, sizeof(out[n].address), "%s", val);
                out[n].expires = -1;
            }
        } else if (n >= 0 && n < max) {
            if (field(line, "Expires", val, sizeof(val)))
                out[n].expires = isdigit((unsigned char)val[0]) ? atoi(val) : -1;
            else if (field(line, "Call-ID", val, sizeof(val)))
                snprintf(out[n].callid, sizeof(out[n].callid), "%s", val);
            else if (field(line, "CSeq", val, sizeof(val)))
                out[n].cseq = strtoul(val, NULL, 10);
        }
        line = next;
    }
    free(text);
    n++;
    return n > max ? max : n;
}

int kam_records(void)
{
    char *text = kamcmd("ul.dump");
    if (!text)
        return -1;
    int total = 0;
    char val[64];
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (field(line, "Records", val, sizeof(val)))
            total += atoi(val);
        line = next;
    }
    free(text);
    return total;
}

int kam_find(const kam_binding *b, int n, const char *uri)
{
    for (int i = 0; i < n; i++)
        if (strcmp(b[i].address, uri) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------ Kamailio log */

/* Copies the value of "|key=" up to the next '|' (the last field, auth, is
 * taken up to the final '|'). */
static int log_field(const char *line, const char *key, char *out, size_t cap, int last)
{
    char pat[32];
    snprintf(pat, sizeof(pat), "|%s=", key);
    const char *p = strstr(line, pat);
    if (!p)
        return 0;
    p += strlen(pat);
    const char *end = last ? strrchr(p, '|') : strchr(p, '|');
    if (!end)
        end = p + strcspn(p, "\r\n");
    size_t n = (size_t)(end - p);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

static int kam_rx_read(const char *callid, kam_rx *out, int max)
{
    FILE *f = fopen(env_req("KAM_LOG"), "r");
    if (!f)
        return -1;
    static char line[8192];
    char ci[256], cs[32], buf[64];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        if (!strstr(line, "INTEROP ") && !strstr(line, "sl_reply_error()"))
            continue;
        if (strstr(line, "sl_reply_error()")) {
            /* log_prefix "{$mt $cs $ci} " */
            const char *b = strchr(line, '{');
            if (!b || sscanf(b, "{%*s %31s %255[^}]}", cs, ci) != 2 || strcmp(ci, callid) != 0)
                continue;
        } else if (!log_field(line, "ci", ci, sizeof(ci), 0) || strcmp(ci, callid) != 0 ||
                   !log_field(line, "cs", cs, sizeof(cs), 0)) {
            continue;
        }
        unsigned long cseq = strtoul(cs, NULL, 10);
        if (strstr(line, "INTEROP RX|")) {
            if (n >= max)
                continue;
            kam_rx *r = &out[n++];
            memset(r, 0, sizeof(*r));
            r->cseq = cseq;
            log_field(line, "proto", r->proto, sizeof(r->proto), 0);
            log_field(line, "exp", r->expires, sizeof(r->expires), 0);
            log_field(line, "ct", r->contacts, sizeof(r->contacts), 0);
            log_field(line, "auth", r->auth, sizeof(r->auth), 1);
            continue;
        }
        /* Outcome lines refer to the latest RX with the same CSeq. */
        if (strstr(line, "sl_reply_error()")) {
            for (int i = n - 1; i >= 0; i--)
                if (out[i].cseq == cseq) {
                    out[i].error_reply = 1;
                    break;
                }
            continue;
        }
        for (int i = n - 1; i >= 0; i--) {
            if (out[i].cseq != cseq)
                continue;
            if (strstr(line, "INTEROP AUTH|") && log_field(line, "rc", buf, sizeof(buf), 0))
                out[i].auth_rc = atoi(buf);
            else if (strstr(line, "INTEROP SAVED|"))
                out[i].saved = 1;
            else if (strstr(line, "INTEROP NOTSAVED|"))
                out[i].saved = -1;
            break;
        }
    }
    fclose(f);
    return n;
}

int kam_rx_log(const char *callid, kam_rx *out, int max)
{
    /* Kamailio logs the outcome (SAVED) after it sent the reply, so the
     * client can be faster than the log: wait up to 1 s for it. */
    int n = 0;
    for (int tries = 0; tries < 50; tries++) {
        n = kam_rx_read(callid, out, max);
        if (n <= 0 || out[n - 1].auth_rc != 0 || out[n - 1].saved != 0)
            break;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return n;
}

const char *auth_param(const char *auth, const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t k = strlen(name);
    const char *p = auth;
    if (strncmp(p, "Digest ", 7) == 0)
        p += 7;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (strncmp(p, name, k) == 0 && p[k] == '=') {
            p += k + 1;
            size_t n;
            if (*p == '"') {
                p++;
                n = strcspn(p, "\"");
            } else {
                n = strcspn(p, ", ");
            }
            if (n >= cap)
                n = cap - 1;
            memcpy(buf, p, n);
            buf[n] = '\0';
            return buf;
        }
        /* skip this parameter (quoted strings may hold commas) */
        int quoted = 0;
        while (*p && (quoted || *p != ',')) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
    }
    return buf;
}

/* ------------------------------------------------------------ regc helpers */

static pj_status_t send_it(pjsip_regc *regc, pjsip_tx_data *tdata, char *callid, size_t cap)
{
    if (callid && cap) {
        callid[0] = '\0';
        pjsip_cid_hdr *cid = (pjsip_cid_hdr *)pjsip_msg_find_hdr(tdata->msg, PJSIP_H_CALL_ID, NULL);
        if (cid)
            snprintf(callid, cap, "%.*s", (int)cid->id.slen, cid->id.ptr);
    }
    return pjsip_regc_send(regc, tdata);
}

pj_status_t ir_register(pjsip_regc *regc, pj_bool_t autoreg, char *callid, size_t cap)
{
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = pjsip_regc_register(regc, autoreg, &tdata);
    if (st != PJ_SUCCESS)
        return st;
    return send_it(regc, tdata, callid, cap);
}

pj_status_t ir_unregister(pjsip_regc *regc)
{
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = pjsip_regc_unregister(regc, &tdata);
    if (st != PJ_SUCCESS)
        return st;
    return send_it(regc, tdata, NULL, 0);
}

pj_status_t ir_unregister_all(pjsip_regc *regc)
{
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = pjsip_regc_unregister_all(regc, &tdata);
    if (st != PJ_SUCCESS)
        return st;
    return send_it(regc, tdata, NULL, 0);
}

pjsip_regc *ir_regc(const char *user, const char *realm, const char *password, int ccnt,
                    const char *const *contacts, unsigned expires)
{
    char aor[256];
    pj_str_t c[10];
    snprintf(aor, sizeof(aor), "<sip:%s@%s>", user, realm);
    if (ccnt > 10)
        ccnt = 10;
    /* Create with the harness's recorder (h_regc inits with H.contact), then
     * init again with our URIs. The first contact is the same both times:
     * init moves the previous contacts to the "to remove" list unless they
     * come again, and a stray ;expires=0 contact would go to the server. */
    snprintf(H.contact, sizeof(H.contact), "%s", ccnt > 0 ? contacts[0] : "<sip:nobody@127.0.0.1>");
    pjsip_regc *regc = h_regc(expires);
    if (!regc)
        return NULL;
    for (int i = 0; i < ccnt; i++)
        c[i] = pj_str((char *)contacts[i]);
    pj_str_t srv = pj_str(H.server), a = pj_str(aor);
    if (pjsip_regc_init(regc, &srv, &a, &a, ccnt, c, expires) != PJ_SUCCESS) {
        pjsip_regc_destroy(regc);
        return NULL;
    }
    if (password) {
        pjsip_cred_info cred;
        memset(&cred, 0, sizeof(cred));
        cred.realm = pj_str("*");
        cred.scheme = pj_str("digest");
        cred.username = pj_str((char *)user);
        cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
        cred.data = pj_str((char *)password);
        if (pjsip_regc_set_credentials(regc, 1, &cred) != PJ_SUCCESS) {
            pjsip_regc_destroy(regc);
            return NULL;
        }
    }
    return regc;
}

void ir_setup(void)
{
    h_setup(NULL);
    pj_time_val now;
    pj_gettimeofday(&now);
    pj_srand((unsigned)(now.sec * 1000 + now.msec) ^ ((unsigned)getpid() << 16));
}

int ir_wait(int n, int max_ms)
{
    return h_wait_callbacks(n, max_ms);
}

const char *msg_hdr_value(const pjsip_msg *msg, const char *name, char *buf, size_t cap)
{
    char tmp[1024];
    buf[0] = '\0';
    if (!msg)
        return buf;
    pj_str_t n = pj_str((char *)name);
    void *hdr = pjsip_msg_find_hdr_by_name(msg, &n, NULL);
    if (!hdr)
        return buf;
    int len = pjsip_hdr_print_on(hdr, tmp, sizeof(tmp) - 1);
    if (len < 0)
        return buf;
    tmp[len] = '\0';
    const char *v = strchr(tmp, ':');
    v = v ? v + 1 : tmp;
    while (*v == ' ')
        v++;
    snprintf(buf, cap, "%s", v);
    return buf;
}

int ir_pjsip_exact(const char *what, const char *got, const char *pjsip)
{
    const char *strict = getenv("INTEROP_STRICT_PJSIP");
    if (strict && strcmp(strict, "1") == 0) {
        CHECK_STR(got, pjsip);
    } else if (strcmp(got, pjsip) != 0) {
        printf("note: known difference from pjproject: %s is \"%s\", pjproject gives \"%s\" "
               "(INTEROP_STRICT_PJSIP=1 makes this a failure)\n", what, got, pjsip);
    }
    return strcmp(got, pjsip) == 0;
}
