/*
 * Linked ONLY into oracle builds (scenarios linked against the pjsua2-python
 * wheel's copy of pjproject 2.15.1, see oracle.sh). Never part of our library.
 *
 * 1. The wheel bundles OpenSSL 1.0.2, whose digest table stays empty until
 *    OpenSSL_add_all_digests() runs; pjsip's digest code would then fail with
 *    PJ_ENOTSUP (70012). A constructor looks the function up with dlsym (the
 *    wheel's libcrypto is already loaded as a dependency of the .so) and
 *    calls it before main().
 * 2. Functions our headers declare that the oracle does not export get a
 *    stub here, so that a scenario still links and the difference shows up
 *    as a traced value instead of a link failure. oracle.sh passes
 *    -DORACLE_LACKS_<name> for each one that is really missing (a stub for
 *    a symbol the oracle has would pre-empt the real one).
 *      pjsip_regc_get_module: declared by pjproject 2.15, never defined.
 *      pjsip_regc_set_auth_sess / _get_auth_sess: added after 2.15.1.
 *      pjsip_tls_transport_start2: the pybind11 wheel (2.14.1) has no TLS.
 * 3. The wheel is a debug build (asserts on): pjproject's argument checks
 *    abort where a release build returns PJ_EINVAL. __assert_fail is
 *    interposed (the executable's definition wins over glibc's) to record
 *    the assertion as an "oracle-assert" line in the REGC_TRACE file before
 *    aborting as before, so the difftest can say which check stopped it.
 *
 * Self-contained on purpose (no project headers): the stub types only
 * mirror what a caller may touch.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oracle_init(void) __attribute__((constructor));

static void oracle_init(void)
{
    void (*add_digests)(void);
    *(void **)&add_digests = dlsym(RTLD_DEFAULT, "OpenSSL_add_all_digests");
    if (add_digests)
        add_digests();
    else
        fprintf(stderr, "oracle_init: OpenSSL_add_all_digests not found; digest auth "
                        "will fail with PJ_ENOTSUP\n");
}

#ifdef ORACLE_LACKS_pjsip_regc_get_module
/* Laid out like pjsip_module: prev, next, name (pj_str_t), id, priority,
 * nine callbacks (zeroed; extra room for safety). */
static struct {
    void *prev, *next;
    struct {
        char *ptr;
        long slen;
    } name;
    int id, priority;
    void *callbacks[16];
} oracle_stub_module = {NULL, NULL, {(char *)"(oracle: pjsip_regc_get_module undefined in pjproject)", 54}, -1, 0, {NULL}};

void *pjsip_regc_get_module(void);
void *pjsip_regc_get_module(void)
{
    return &oracle_stub_module;
}
#endif

#ifdef ORACLE_LACKS_pjsip_regc_set_auth_sess
int pjsip_regc_set_auth_sess(void *regc, void *session);
int pjsip_regc_set_auth_sess(void *regc, void *session)
{
    (void)regc;
    (void)session;
    return 70012; /* PJ_ENOTSUP */
}
#endif

#ifdef ORACLE_LACKS_pjsip_regc_get_auth_sess
void *pjsip_regc_get_auth_sess(void *regc);
void *pjsip_regc_get_auth_sess(void *regc)
{
    (void)regc;
    return NULL;
}
#endif

#ifdef ORACLE_LACKS_pjsip_tls_transport_start2
/* A pjproject built without TLS (the pybind11 wheel's): TLS cannot start. */
int pjsip_tls_transport_start2(void *endpt, const void *opt, const void *local, const void *a_name,
                               unsigned async_cnt, void **p_factory);
int pjsip_tls_transport_start2(void *endpt, const void *opt, const void *local, const void *a_name,
                               unsigned async_cnt, void **p_factory)
{
    (void)endpt;
    (void)opt;
    (void)local;
    (void)a_name;
    (void)async_cnt;
    (void)p_factory;
    return 70012; /* PJ_ENOTSUP */
}
#endif

/* Replaces glibc's for the whole process (only in oracle builds). Still
 * aborts: pjproject's code after a failed assert is not meant to run. */
void __assert_fail(const char *assertion, const char *file, unsigned int line,
                   const char *function) __attribute__((noreturn));
void __assert_fail(const char *assertion, const char *file, unsigned int line,
                   const char *function)
{
    char buf[1024];
    const char *path = getenv("REGC_TRACE");
    int n = snprintf(buf, sizeof(buf), "oracle-assert %s:%u %s: %s\n", file ? file : "?", line,
                     function ? function : "?", assertion ? assertion : "?");
    if (n > (int)sizeof(buf) - 1)
        n = (int)sizeof(buf) - 1;
    if (path && *path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd >= 0) {
            if (write(fd, buf, (size_t)n) < 0) {
            }
            close(fd);
        }
    }
    fprintf(stderr, "%s", buf + strlen("oracle-"));
    abort();
}
