/* Many accounts from one process: one endpoint, one UDP transport and one
 * pjsip_regc per account, all registered at once, a summary, then all
 * unregistered. Written against the pjproject API only:
 *
 *   cc -o register_many register_many.c $(pkg-config --cflags --libs pjsip-regc)
 *
 *   register_many accounts.csv [local-address]
 *
 * accounts.csv has one account a line, "aor,registrar,user,password", e.g.
 *   sip:alice@example.org,sip:registrar.example.org,alice,secret
 * Blank lines, lines starting with '#' and a first line starting with
 * "aor," are skipped; fields hold no commas. local-address is the address
 * to bind and to put in the Contacts (default: all interfaces, Contacts
 * with the machine's own address).
 * Exits 0 when every account registered. */
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELD 256
/* Per-request timeout of a transaction is 32 s (Timer F); allow it once
 * for the REGISTER and once for its authenticated retry. */
#define WAIT_MS 70000

struct account {
    char aor[MAX_FIELD + 2], registrar[MAX_FIELD], user[MAX_FIELD], password[MAX_FIELD];
    char contact[MAX_FIELD * 2];
    pjsip_regc *regc;
    int done;     /* a final answer came for the current request */
    int code;     /* its SIP status code (or the library's, e.g. 408) */
    char reason[64];
    pj_status_t status;
};

static int pending;

static void on_reg(struct pjsip_regc_cbparam *param)
{
    struct account *acc = (struct account *)param->token;
    acc->status = param->status;
    acc->code = param->code;
    snprintf(acc->reason, sizeof(acc->reason), "%.*s", (int)param->reason.slen, param->reason.ptr);
    if (!acc->done) {
        acc->done = 1;
        pending--;
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

static int read_accounts(const char *path, struct account **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[4 * MAX_FIELD + 8];
    int n = 0, cap = 0, lineno = 0;
    struct account *v = NULL;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#' || (lineno == 1 && strncmp(line, "aor,", 4) == 0))
            continue;
        char *field[4];
        if (!split4(line, field)) {
            fprintf(stderr, "%s:%d: expected aor,registrar,user,password\n", path, lineno);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct account *grown = realloc(v, cap * sizeof(*v));
            if (!grown) {
                fclose(f);
                free(v);
                return -1;
            }
            v = grown;
        }
        memset(&v[n], 0, sizeof(v[n]));
        snprintf(v[n].aor, sizeof(v[n].aor), "<%.*s>", MAX_FIELD - 1, field[0]);
        snprintf(v[n].registrar, sizeof(v[n].registrar), "%s", field[1]);
        snprintf(v[n].user, sizeof(v[n].user), "%s", field[2]);
        snprintf(v[n].password, sizeof(v[n].password), "%s", field[3]);
        n++;
    }
    fclose(f);
    *out = v;
    return n;
}

static void wait_all(pjsip_endpoint *endpt)
{
    pj_time_val tick = {0, 20};
    int waited;
    for (waited = 0; pending > 0 && waited < WAIT_MS; waited += 20)
        pjsip_endpt_handle_events(endpt, &tick);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s accounts.csv [local-address]\n", argv[0]);
        return 2;
    }
    struct account *acc = NULL;
    int n = read_accounts(argv[1], &acc);
    if (n <= 0) {
        fprintf(stderr, "%s: no accounts\n", argv[1]);
        return 1;
    }

    pj_caching_pool cp;
    pjsip_endpoint *endpt;
    pjsip_transport *tp;
    pj_status_t status;
    int i;

    pj_log_set_level(1); /* errors only, from the start */
    pj_init();
    pjlib_util_init();
    pj_caching_pool_init(&cp, &pj_pool_factory_default_policy, 0);
    if (pjsip_endpt_create(&cp.factory, "register-many", &endpt) != PJ_SUCCESS)
        return 1;
    pjsip_tsx_layer_init_module(endpt);
    pjsip_ua_init_module(endpt, NULL);

    pj_sockaddr_in bind_addr;
    pj_str_t s_local = pj_str(argc > 2 ? argv[2] : "0.0.0.0");
    pj_sockaddr_in_init(&bind_addr, &s_local, 0);
    status = pjsip_udp_transport_start(endpt, &bind_addr, NULL, 1, &tp);
    if (status != PJ_SUCCESS) {
        fprintf(stderr, "UDP transport: error %d\n", status);
        return 1;
    }

    /* Set every account up and send its REGISTER; responses are handled
     * as they come, by the polling loop below. */
    pending = 0;
    for (i = 0; i < n; i++) {
        struct account *a = &acc[i];
        snprintf(a->contact, sizeof(a->contact), "<sip:%s@%.*s:%d>", a->user, (int)tp->local_name.host.slen,
                 tp->local_name.host.ptr, tp->local_name.port);
        pj_str_t srv = pj_str(a->registrar), aor = pj_str(a->aor), contact = pj_str(a->contact);
        pjsip_cred_info cred;
        memset(&cred, 0, sizeof(cred));
        cred.realm = pj_str("*");
        cred.scheme = pj_str("digest");
        cred.username = pj_str(a->user);
        cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
        cred.data = pj_str(a->password);

        pjsip_tx_data *tdata;
        status = pjsip_regc_create(endpt, a, &on_reg, &a->regc);
        if (status == PJ_SUCCESS)
            status = pjsip_regc_init(a->regc, &srv, &aor, &aor, 1, &contact, 300);
        if (status == PJ_SUCCESS)
            status = pjsip_regc_set_credentials(a->regc, 1, &cred);
        if (status == PJ_SUCCESS)
            status = pjsip_regc_register(a->regc, PJ_TRUE, &tdata);
        pending++;
        /* A send that fails at once has already called on_reg. */
        if (status == PJ_SUCCESS)
            status = pjsip_regc_send(a->regc, tdata);
        else {
            a->status = status;
            a->done = 1;
            pending--;
        }
    }
    wait_all(endpt);

    int ok = 0;
    for (i = 0; i < n; i++) {
        struct account *a = &acc[i];
        int good = a->done && a->status == PJ_SUCCESS && a->code / 100 == 2;
        ok += good;
        if (!good) {
            char err[PJ_ERR_MSG_SIZE] = "";
            if (a->status != PJ_SUCCESS)
                pj_strerror(a->status, err, sizeof(err));
            printf("%s: %s code=%d %s%s%s\n", a->aor, a->done ? "failed" : "no answer", a->code, a->reason,
                   err[0] ? ", " : "", err);
        }
    }
    printf("registered %d of %d accounts\n", ok, n);

    /* Unregister those that registered, then clean up. */
    pending = 0;
    for (i = 0; i < n; i++) {
        struct account *a = &acc[i];
        pjsip_tx_data *tdata;
        int was_registered = a->done && a->status == PJ_SUCCESS && a->code / 100 == 2;
        a->done = 0;
        if (!was_registered || !a->regc)
            continue;
        pending++;
        if (pjsip_regc_unregister(a->regc, &tdata) != PJ_SUCCESS || pjsip_regc_send(a->regc, tdata) != PJ_SUCCESS) {
            if (!a->done)
                pending--;
            a->done = 1;
        }
    }
    wait_all(endpt);
    int unreg = 0;
    for (i = 0; i < n; i++)
        unreg += acc[i].done && acc[i].status == PJ_SUCCESS && acc[i].code / 100 == 2;
    printf("unregistered %d of %d\n", unreg, ok);

    for (i = 0; i < n; i++)
        if (acc[i].regc)
            pjsip_regc_destroy(acc[i].regc);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    pj_shutdown();
    free(acc);
    return ok == n ? 0 : 1;
}
