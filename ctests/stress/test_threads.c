/* Thread stress: worker threads create, register, unregister, update the
 * contacts and credentials of, add_ref/dec_ref, destroy and destroy2 a set
 * of shared regcs while two other threads poll the endpoint. Built under
 * AddressSanitizer like every C test (a use after free, a double free or a
 * leak fails it); `make stress-tsan` runs it under ThreadSanitizer, the
 * library and Rust's std built with it.
 *
 * How the workers share a regc, as a pjsip program must: a slot's pointer
 * is read and add_ref'ed under the slot's mutex, so a regc cannot go while
 * a worker uses it; a destroyer empties the slot under the same mutex
 * first, so nobody can take a new reference afterwards, and the memory goes
 * with the last dec_ref or the end of the pending transaction.
 *
 * Accounting: every send that returned PJ_SUCCESS gets exactly one
 * callback unless its regc was destroyed while it was pending (then none,
 * or the one already under way, as with pjproject): no regc gets more
 * callbacks than sends, and one still alive at the end gets exactly one
 * per send. At the end some registrations are
 * left pending with a slow registrar and the endpoint is destroyed under
 * them. */
#include "regc_harness.h"

#include <pthread.h>
#include <stdatomic.h>

#define SLOTS 12
#define WORKERS 4
#define OPS_PER_WORKER 600
#define MAX_REGCS (SLOTS + WORKERS * OPS_PER_WORKER)

typedef struct account {
    atomic_int sends_ok;     /* sends that returned PJ_SUCCESS */
    atomic_int callbacks;    /* callbacks received */
} account;

static account accounts[MAX_REGCS];
static atomic_int next_account;

static struct slot {
    pthread_mutex_t lock;
    pjsip_regc *regc;
    account *acct;
} slots[SLOTS];

static atomic_int stop_polling;
static atomic_int total_ops, busy_refusals;
/* Checks made on worker threads: the harness's CHECK counters are not
 * thread-safe, so workers count here and main checks the total. */
static atomic_int worker_failures;
#define WORKER_EXPECT(cond)                                                    \
    do {                                                                       \
        if (!(cond)) {                                                         \
            atomic_fetch_add(&worker_failures, 1);                             \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                      \
    } while (0)

static void on_reg(struct pjsip_regc_cbparam *param)
{
    account *a = param->token;
    atomic_fetch_add(&a->callbacks, 1);
}

static pjsip_regc *new_regc(account **acct, unsigned seed)
{
    int idx = atomic_fetch_add(&next_account, 1);
    if (idx >= MAX_REGCS)
        return NULL;
    account *a = &accounts[idx];
    pjsip_regc *regc = NULL;
    char contact[128];
    snprintf(contact, sizeof(contact), "<sip:alice-%u@%s:%d%s>", seed % 4, H.host, H.port, H.tp_param);
    pj_str_t srv = pj_str(H.server), aor = pj_str("<sip:alice@example.com>"), c = pj_str(contact);
    if (pjsip_regc_create(H.endpt, a, &on_reg, &regc) != PJ_SUCCESS)
        return NULL;
    if (pjsip_regc_init(regc, &srv, &aor, &aor, 1, &c, 60) != PJ_SUCCESS) {
        pjsip_regc_destroy(regc);
        return NULL;
    }
    pjsip_cred_info cred = h_cred("*", "alice", "secret");
    pjsip_regc_set_credentials(regc, 1, &cred);
    *acct = a;
    return regc;
}

static void *poller(void *arg)
{
    (void)arg;
    pj_thread_desc desc;
    pj_thread_t *t;
    memset(desc, 0, sizeof(desc));
    pj_thread_register("poller", desc, &t);
    pj_time_val tick = {0, 5};
    while (!atomic_load(&stop_polling))
        pjsip_endpt_handle_events(H.endpt, &tick);
    return NULL;
}

static void send_request(pjsip_regc *regc, account *a, int unregister)
{
    pjsip_tx_data *tdata = NULL;
    pj_status_t st = unregister ? pjsip_regc_unregister(regc, &tdata) : pjsip_regc_register(regc, PJ_FALSE, &tdata);
    if (st != PJ_SUCCESS)
        return;
    /* Counted before the send: the callback may run inside it. */
    atomic_fetch_add(&a->sends_ok, 1);
    st = pjsip_regc_send(regc, tdata);
    if (st != PJ_SUCCESS) {
        atomic_fetch_sub(&a->sends_ok, 1);
        if (st == PJSIP_EBUSY)
            atomic_fetch_add(&busy_refusals, 1);
    }
}

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(long)arg * 7919u + 1;
    pj_thread_desc desc;
    pj_thread_t *t;
    memset(desc, 0, sizeof(desc));
    pj_thread_register("worker", desc, &t);
    for (int i = 0; i < OPS_PER_WORKER; i++) {
        struct slot *s = &slots[rand_r(&seed) % SLOTS];
        int op = rand_r(&seed) % 100;
        pthread_mutex_lock(&s->lock);
        pjsip_regc *regc = s->regc;
        account *a = s->acct;
        if (!regc) {
            account *na = NULL;
            pjsip_regc *nr = new_regc(&na, seed);
            if (nr) {
                s->regc = nr;
                s->acct = na;
            }
            pthread_mutex_unlock(&s->lock);
            continue;
        }
        if (op < 12) {
            /* Destroy: the slot forgets it first. */
            s->regc = NULL;
            s->acct = NULL;
            pthread_mutex_unlock(&s->lock);
            pj_bool_t force = op < 8;
            if (force) {
                WORKER_EXPECT(pjsip_regc_destroy(regc) == PJ_SUCCESS);
            } else {
                /* destroy2 without force refuses while a request is
                 * pending; then fall back to a forced one. */
                if (pjsip_regc_destroy2(regc, PJ_FALSE) != PJ_SUCCESS)
                    WORKER_EXPECT(pjsip_regc_destroy(regc) == PJ_SUCCESS);
            }
            atomic_fetch_add(&total_ops, 1);
            continue;
        }
        pjsip_regc_add_ref(regc);
        pthread_mutex_unlock(&s->lock);
        if (op < 50) {
            send_request(regc, a, 0);
        } else if (op < 62) {
            send_request(regc, a, 1);
        } else if (op < 72) {
            char contact[128];
            snprintf(contact, sizeof(contact), "<sip:alice-%u@%s:%d%s>", rand_r(&seed) % 4, H.host, H.port,
                     H.tp_param);
            pj_str_t c = pj_str(contact);
            pjsip_regc_update_contact(regc, 1, &c);
        } else if (op < 80) {
            pjsip_cred_info cred = h_cred("*", "alice", "secret");
            pjsip_regc_set_credentials(regc, 1, &cred);
        } else if (op < 90) {
            pjsip_regc_info info;
            WORKER_EXPECT(pjsip_regc_get_info(regc, &info) == PJ_SUCCESS);
        } else {
            pjsip_regc_add_ref(regc);
            pjsip_regc_dec_ref(regc);
        }
        pjsip_regc_dec_ref(regc);
        atomic_fetch_add(&total_ops, 1);
    }
    return NULL;
}

static void test_workers_and_pollers(void)
{
    h_setup("{\"realm\":\"test.local\",\"users\":{\"alice\":\"secret\"},\"auth\":{\"every_request\":false},"
            "\"default\":{\"code\":200,\"contact\":\"request\"}}");
    for (int i = 0; i < SLOTS; i++) {
        pthread_mutex_init(&slots[i].lock, NULL);
        slots[i].regc = NULL;
    }
    pthread_t pollers[2], workers[WORKERS];
    for (int i = 0; i < 2; i++)
        pthread_create(&pollers[i], NULL, poller, NULL);
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&workers[i], NULL, worker, (void *)i);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    /* Let every pending transaction end (answers come at once; a lost one
     * would take Timer F). */
    for (int waited = 0; waited < 5000; waited += 50) {
        int pending = 0;
        for (int i = 0; i < SLOTS; i++) {
            pthread_mutex_lock(&slots[i].lock);
            if (slots[i].regc) {
                pjsip_regc_info info;
                pjsip_regc_get_info(slots[i].regc, &info);
                pending += info.is_busy;
            }
            pthread_mutex_unlock(&slots[i].lock);
        }
        if (!pending)
            break;
        pj_thread_sleep(50);
    }
    int live = 0, exact = 0;
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].regc) {
            account *a = slots[i].acct;
            CHECK_INT(atomic_load(&a->callbacks), atomic_load(&a->sends_ok));
            exact++;
            CHECK_INT(pjsip_regc_destroy(slots[i].regc), PJ_SUCCESS);
            slots[i].regc = NULL;
            live++;
        }
    }
    int n = atomic_load(&next_account), over = 0, sends = 0, cbs = 0;
    if (n > MAX_REGCS)
        n = MAX_REGCS;
    for (int i = 0; i < n; i++) {
        over += atomic_load(&accounts[i].callbacks) > atomic_load(&accounts[i].sends_ok);
        sends += atomic_load(&accounts[i].sends_ok);
        cbs += atomic_load(&accounts[i].callbacks);
    }
    CHECK_INT(atomic_load(&worker_failures), 0);
    CHECK_INT(over, 0);
    CHECK(atomic_load(&total_ops) >= WORKERS * OPS_PER_WORKER / 2);
    CHECK(sends > 100);
    printf("threads: %d ops, %d regcs, %d sends, %d callbacks, %d busy refusals, %d checked exactly\n",
           atomic_load(&total_ops), n, sends, cbs, atomic_load(&busy_refusals), exact);
    (void)live;
    atomic_store(&stop_polling, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(pollers[i], NULL);
    h_teardown();
}

/* The endpoint goes while registrations are pending: half of their regcs
 * were destroyed by the application (so only marked for deletion), half
 * are still live, as in a program that shuts pjsip down without
 * destroying its accounts first: those go with the endpoint, as
 * pjproject's go with their pools. Nothing may be used after it is freed,
 * and nothing may leak. */
static void test_endpoint_destroyed_under_pending(void)
{
    h_setup("{\"default\":{\"delay_ms\":2000,\"code\":200,\"contact\":\"request\"}}");
    memset(accounts, 0, sizeof(accounts));
    atomic_store(&next_account, 0);
    for (int i = 0; i < 16; i++) {
        account *a = NULL;
        pjsip_regc *regc = new_regc(&a, (unsigned)i);
        CHECK(regc != NULL);
        if (!regc)
            continue;
        send_request(regc, a, 0);
        if (i % 2)
            CHECK_INT(pjsip_regc_destroy(regc), PJ_SUCCESS);
    }
    h_poll(100);
    CHECK(registrar_count(H.reg) >= 16);
    h_teardown();
    int cbs = 0;
    for (int i = 0; i < 16; i++)
        cbs += atomic_load(&accounts[i].callbacks);
    printf("threads: %d callbacks while the endpoint went\n", cbs);
}

int main(void)
{
    test_workers_and_pollers();
    test_endpoint_destroyed_under_pending();
    return h_summary("threads");
}
