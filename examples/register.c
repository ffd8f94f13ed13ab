/* Canonical pjsip_regc usage: register an account, let the library refresh
 * it, then unregister cleanly. Written against the pjproject API only, so it
 * builds unchanged against pjproject or this library.
 *
 *   register                         against the embedded test registrar
 *   register sip:host[:port] user password [seconds]
 *                                    against a real registrar
 *
 * The environment can give the same: REG_SERVER, REG_USER, REG_PASSWORD,
 * REG_SECONDS (how long to stay registered; default 12). */
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registrar_client.h"

static int done_count;
static int last_code;
static int registered;

static void on_reg(struct pjsip_regc_cbparam *param)
{
    printf("callback: status=%d code=%d reason=%.*s expiration=%u contacts=%d%s\n",
           param->status, param->code, (int)param->reason.slen, param->reason.ptr,
           param->expiration, param->contact_cnt, param->is_unreg ? " (unregistered)" : "");
    last_code = param->code;
    registered = param->status == PJ_SUCCESS && param->code / 100 == 2 && !param->is_unreg;
    done_count++;
}

static void poll_until(pjsip_endpoint *endpt, int target, int max_ms)
{
    pj_time_val tick = {0, 50};
    for (int waited = 0; done_count < target && waited < max_ms; waited += 50)
        pjsip_endpt_handle_events(endpt, &tick);
}

static const char *arg_or_env(int argc, char **argv, int i, const char *env, const char *dflt)
{
    if (argc > i)
        return argv[i];
    return getenv(env) ? getenv(env) : dflt;
}

int main(int argc, char **argv)
{
    const char *server = arg_or_env(argc, argv, 1, "REG_SERVER", NULL);
    const char *user = arg_or_env(argc, argv, 2, "REG_USER", "alice");
    const char *password = arg_or_env(argc, argv, 3, "REG_PASSWORD", "secret");
    int seconds = atoi(arg_or_env(argc, argv, 4, "REG_SECONDS", "12"));
    registrar *embedded = NULL;
    char srv[256], aor[600], contact[300];

    if (!server) {
        /* Digest auth on, 6-second bindings so that refreshes show quickly. */
        char cfg[256];
        snprintf(cfg, sizeof(cfg),
                 "{\"realm\":\"example.org\",\"users\":{\"%s\":\"%s\"},\"auth\":{},\"max_expires\":6}",
                 user, password);
        embedded = registrar_start(cfg);
        if (!embedded) {
            fprintf(stderr, "could not start the embedded registrar\n");
            return 1;
        }
        snprintf(srv, sizeof(srv), "sip:127.0.0.1:%d", registrar_port(embedded));
        server = srv;
        printf("embedded registrar on %s\n", server);
    }

    pj_caching_pool cp;
    pjsip_endpoint *endpt;
    pjsip_transport *tp;
    pjsip_regc *regc;
    pjsip_tx_data *tdata;
    pj_status_t status;

    pj_init();
    pjlib_util_init();
    pj_log_set_level(3);
    pj_caching_pool_init(&cp, &pj_pool_factory_default_policy, 0);
    status = pjsip_endpt_create(&cp.factory, "register-example", &endpt);
    if (status != PJ_SUCCESS)
        return 1;
    pjsip_tsx_layer_init_module(endpt);
    pjsip_ua_init_module(endpt, NULL);

    pj_sockaddr_in local;
    pj_str_t any = pj_str(embedded ? "127.0.0.1" : "0.0.0.0");
    pj_sockaddr_in_init(&local, &any, 0);
    status = pjsip_udp_transport_start(endpt, &local, NULL, 1, &tp);
    if (status != PJ_SUCCESS) {
        char err[PJ_ERR_MSG_SIZE];
        pj_strerror(status, err, sizeof(err));
        fprintf(stderr, "UDP transport: %s\n", err);
        return 1;
    }

    const char *host = strstr(server, ":") ? strchr(server, ':') + 1 : server;
    char domain[256];
    snprintf(domain, sizeof(domain), "%s", host);
    char *colon = strchr(domain, ':');
    if (colon)
        *colon = '\0';
    snprintf(aor, sizeof(aor), "<sip:%s@%s>", user, domain);
    snprintf(contact, sizeof(contact), "<sip:%s@%.*s:%d>", user, (int)tp->local_name.host.slen,
             tp->local_name.host.ptr, tp->local_name.port);

    pj_str_t s_srv = pj_str((char *)server), s_aor = pj_str(aor), s_contact = pj_str(contact);
    pjsip_cred_info cred;
    memset(&cred, 0, sizeof(cred));
    cred.realm = pj_str("*");
    cred.scheme = pj_str("digest");
    cred.username = pj_str((char *)user);
    cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
    cred.data = pj_str((char *)password);

    pjsip_regc_create(endpt, NULL, &on_reg, &regc);
    status = pjsip_regc_init(regc, &s_srv, &s_aor, &s_aor, 1, &s_contact, 60);
    if (status != PJ_SUCCESS) {
        fprintf(stderr, "pjsip_regc_init failed: %d\n", status);
        return 1;
    }
    pjsip_regc_set_credentials(regc, 1, &cred);

    printf("registering %s at %s as %s\n", aor, server, contact);
    pjsip_regc_register(regc, PJ_TRUE, &tdata);
    pjsip_regc_send(regc, tdata);
    poll_until(endpt, 1, 40000);

    /* Stay registered for a while: the library refreshes on its own. */
    pj_time_val tick = {0, 100};
    for (int ms = 0; registered && ms < seconds * 1000; ms += 100)
        pjsip_endpt_handle_events(endpt, &tick);

    pjsip_regc_info info;
    pjsip_regc_get_info(regc, &info);
    printf("interval=%u next_reg=%u auto_reg=%d\n", info.interval, info.next_reg, info.auto_reg);

    int before = done_count;
    if (pjsip_regc_unregister(regc, &tdata) == PJ_SUCCESS && pjsip_regc_send(regc, tdata) == PJ_SUCCESS)
        poll_until(endpt, before + 1, 40000);

    pjsip_regc_destroy(regc);
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    pj_shutdown();
    if (embedded) {
        printf("registrar received %d requests\n", registrar_count(embedded));
        registrar_stop(embedded);
    }
    return last_code / 100 == 2 ? 0 : 1;
}
