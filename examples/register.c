/* Canonical pjsip_regc usage: register one account, let the library
 * refresh it, then unregister cleanly. Written against the pjproject API
 * only, so it builds unchanged against pjproject or this library:
 *
 *   cc -o register register.c $(pkg-config --cflags --libs pjsip-regc)
 *
 *   register sip:host[:port] user password [seconds [local-address]]
 *
 * seconds: how long to stay registered (default 12). local-address: the
 * address to bind and to put in the Contact; by default 127.0.0.1 when
 * the registrar is on loopback (a registrar there can reach nothing else)
 * and otherwise the machine's own address (all interfaces bound).
 * Exits 0 when the last response was a 2xx. */
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int done_count;
static int last_code;
static int registered;

static void on_reg(struct pjsip_regc_cbparam *param)
{
    printf("callback: status=%d code=%d reason=%.*s expiration=%u contacts=%d%s\n",
           param->status, param->code, (int)param->reason.slen, param->reason.ptr,
           param->expiration, param->contact_cnt, param->is_unreg ? " (unregistered)" : "");
    fflush(stdout);
    last_code = param->code;
    registered = param->status == PJ_SUCCESS && param->code / 100 == 2 && !param->is_unreg;
    done_count++;
}

/* Runs the endpoint (timers, sockets, callbacks) until `target` callbacks
 * have come or max_ms has passed. */
static void poll_until(pjsip_endpoint *endpt, int target, int max_ms)
{
    pj_time_val tick = {0, 50};
    int waited;
    for (waited = 0; done_count < target && waited < max_ms; waited += 50)
        pjsip_endpt_handle_events(endpt, &tick);
}

static void print_error(const char *what, pj_status_t status)
{
    char err[PJ_ERR_MSG_SIZE];
    pj_strerror(status, err, sizeof(err));
    fprintf(stderr, "%s: %s\n", what, err);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s sip:host[:port] user password [seconds [local-address]]\n", argv[0]);
        return 2;
    }
    const char *server = argv[1], *user = argv[2], *password = argv[3];
    int seconds = argc > 4 ? atoi(argv[4]) : 12;

    /* The registrar's host, for the AOR's domain: after the scheme, up to
     * a port, parameter or end. */
    char domain[256];
    const char *host = strchr(server, ':') ? strchr(server, ':') + 1 : server;
    snprintf(domain, sizeof(domain), "%s", host);
    domain[strcspn(domain, ":;>")] = '\0';
    const char *local = argc > 5 ? argv[5]
                        : (strncmp(domain, "127.", 4) == 0 || strcmp(domain, "localhost") == 0) ? "127.0.0.1"
                                                                                                 : "0.0.0.0";

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
    if (status != PJ_SUCCESS) {
        print_error("pjsip_endpt_create", status);
        return 1;
    }
    pjsip_tsx_layer_init_module(endpt);
    pjsip_ua_init_module(endpt, NULL);

    pj_sockaddr_in bind_addr;
    pj_str_t s_local = pj_str((char *)local);
    pj_sockaddr_in_init(&bind_addr, &s_local, 0);
    status = pjsip_udp_transport_start(endpt, &bind_addr, NULL, 1, &tp);
    if (status != PJ_SUCCESS) {
        print_error("UDP transport", status);
        return 1;
    }

    /* Contact: where the registrar sends requests for this account, the
     * address and port the transport bound (its published name). */
    char aor[600], contact[300];
    snprintf(aor, sizeof(aor), "<sip:%s@%s>", user, domain);
    snprintf(contact, sizeof(contact), "<sip:%s@%.*s:%d>", user, (int)tp->local_name.host.slen,
             tp->local_name.host.ptr, tp->local_name.port);

    pj_str_t s_srv = pj_str((char *)server), s_aor = pj_str(aor), s_contact = pj_str(contact);
    pjsip_cred_info cred;
    memset(&cred, 0, sizeof(cred));
    cred.realm = pj_str("*"); /* answer a challenge from any realm */
    cred.scheme = pj_str("digest");
    cred.username = pj_str((char *)user);
    cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
    cred.data = pj_str((char *)password);

    status = pjsip_regc_create(endpt, NULL, &on_reg, &regc);
    if (status == PJ_SUCCESS)
        status = pjsip_regc_init(regc, &s_srv, &s_aor, &s_aor, 1, &s_contact, 60);
    if (status == PJ_SUCCESS)
        status = pjsip_regc_set_credentials(regc, 1, &cred);
    if (status != PJ_SUCCESS) {
        print_error("setting up the registration", status);
        return 1;
    }

    printf("registering %s at %s as %s\n", aor, server, contact);
    fflush(stdout);
    status = pjsip_regc_register(regc, PJ_TRUE, &tdata);
    if (status == PJ_SUCCESS)
        status = pjsip_regc_send(regc, tdata);
    if (status != PJ_SUCCESS)
        print_error("pjsip_regc_send", status);
    poll_until(endpt, 1, 40000);

    /* Stay registered for a while: the library refreshes on its own. */
    pj_time_val tick = {0, 100};
    int ms;
    for (ms = 0; registered && ms < seconds * 1000; ms += 100)
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
    return last_code / 100 == 2 ? 0 : 1;
}
