/*
 * Link check for the oracle (built by `oracle.sh smoke`): a program that
 * brings up pjlib and a pjsip endpoint with a UDP transport, creates and
 * destroys a regc, and checks that the OpenSSL digests are available (see
 * oracle_init.c). Self-contained prototypes, so it does not depend on the
 * state of our headers. Prints "oracle smoke: ok" and exits 0 on success.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef int pj_status_t;
typedef struct {
    char *ptr;
    long slen;
} pj_str_t;

extern char pj_pool_factory_default_policy[];
pj_status_t pj_init(void);
void pj_shutdown(void);
pj_status_t pjlib_util_init(void);
void pj_log_set_level(int level);
void pj_caching_pool_init(void *cp, const void *policy, size_t max_capacity);
void pj_caching_pool_destroy(void *cp);
pj_status_t pjsip_endpt_create(void *factory, const char *name, void **p_endpt);
void pjsip_endpt_destroy(void *endpt);
pj_status_t pjsip_tsx_layer_init_module(void *endpt);
pj_status_t pjsip_ua_init_module(void *endpt, const void *prm);
pj_status_t pj_sockaddr_in_init(void *addr, const pj_str_t *cp, unsigned short port);
pj_status_t pjsip_udp_transport_start(void *endpt, const void *local, const void *a_name,
                                      unsigned async_cnt, void **p_transport);
pj_status_t pjsip_regc_create(void *endpt, void *token, void (*cb)(void *), void **p_regc);
pj_status_t pjsip_regc_destroy(void *regc);
pj_str_t pj_strerror(pj_status_t statcode, char *buf, size_t bufsize);

static void on_reg(void *param) { (void)param; }

int main(void)
{
    /* pj_caching_pool is ~1.2 KB in every version: oversize and align. */
    static union {
        long double align_;
        char bytes[16384];
    } cp;
    void *endpt = NULL, *tp = NULL, *regc = NULL;
    char sa[64];
    pj_str_t lo = {(char *)"127.0.0.1", 9};
    char ebuf[128];
    pj_str_t es;
    int fails = 0;

    if (pj_init() != 0) {
        printf("oracle smoke: pj_init failed\n");
        return 1;
    }
    pjlib_util_init();
    pj_log_set_level(1);
    pj_caching_pool_init(&cp, pj_pool_factory_default_policy, 0);
    /* the caching pool's factory is its first member */
    if (pjsip_endpt_create(&cp, NULL, &endpt) != 0 || !endpt) {
        printf("oracle smoke: pjsip_endpt_create failed\n");
        return 1;
    }
    if (pjsip_tsx_layer_init_module(endpt) != 0 || pjsip_ua_init_module(endpt, NULL) != 0) {
        printf("oracle smoke: module init failed\n");
        fails++;
    }
    memset(sa, 0, sizeof(sa));
    pj_sockaddr_in_init(sa, &lo, 0);
    if (pjsip_udp_transport_start(endpt, sa, NULL, 1, &tp) != 0 || !tp) {
        printf("oracle smoke: pjsip_udp_transport_start failed\n");
        fails++;
    }
    if (pjsip_regc_create(endpt, NULL, on_reg, &regc) != 0 || !regc) {
        printf("oracle smoke: pjsip_regc_create failed\n");
        fails++;
    } else if (pjsip_regc_destroy(regc) != 0) {
        printf("oracle smoke: pjsip_regc_destroy failed\n");
        fails++;
    }
    es = pj_strerror(171001, ebuf, sizeof(ebuf));
    printf("oracle smoke: strerror(171001) = %.*s\n", (int)es.slen, es.ptr);
    {
        void *(*bydigest)(const char *);
        *(void **)&bydigest = dlsym(RTLD_DEFAULT, "EVP_get_digestbyname");
        if (!bydigest || !bydigest("md5") || !bydigest("sha256")) {
            printf("oracle smoke: OpenSSL digests missing (oracle_init.c not linked?)\n");
            fails++;
        }
    }
    pjsip_endpt_destroy(endpt);
    pj_caching_pool_destroy(&cp);
    pj_shutdown();
    printf("oracle smoke: %s\n", fails ? "FAILED" : "ok");
    return fails ? 1 : 0;
}
