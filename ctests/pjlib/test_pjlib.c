/*
 * test_pjlib.c - the pjlib subset (init, pools, caching pool, strings,
 * errors, logging, lists, threads, time, random, socket addresses) driven
 * through the C API the way a pjproject program calls it.
 *
 * Build (from the repository root):
 *   cc -std=c99 -Wall -Wextra -Werror \
 *      -fsanitize=address,undefined -Iinclude ctests/pjlib/test_pjlib.c \
 *      target/debug/libpjsip_regc.a -lpthread -ldl -lm
 * Ends with "N passed, M failed"; exit status 0 only when nothing failed.
 */
#ifndef _POSIX_C_SOURCE
#  define _POSIX_C_SOURCE 200809L   /* pthreads, gethostname with -std=c99 */
#endif
#include <pjlib.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- layouts (pjproject 2.17, x86_64) ---- */
_Static_assert(sizeof(pj_str_t) == 16, "pj_str_t");
_Static_assert(sizeof(pj_time_val) == 16, "pj_time_val");
_Static_assert(sizeof(pj_list) == 16, "pj_list");
_Static_assert(sizeof(pj_pool_block) == 40, "pj_pool_block");
_Static_assert(offsetof(pj_pool_block, buf) == 16, "block.buf");
_Static_assert(offsetof(pj_pool_block, cur) == 24, "block.cur");
_Static_assert(offsetof(pj_pool_block, end) == 32, "block.end");
_Static_assert(sizeof(pj_pool_t) == 136, "pj_pool_t");
_Static_assert(offsetof(pj_pool_t, obj_name) == 16, "pool.obj_name");
_Static_assert(offsetof(pj_pool_t, factory) == 48, "pool.factory");
_Static_assert(offsetof(pj_pool_t, factory_data) == 56, "pool.factory_data");
_Static_assert(offsetof(pj_pool_t, capacity) == 64, "pool.capacity");
_Static_assert(offsetof(pj_pool_t, increment_size) == 72, "pool.increment_size");
_Static_assert(offsetof(pj_pool_t, block_list) == 80, "pool.block_list");
_Static_assert(offsetof(pj_pool_t, callback) == 120, "pool.callback");
_Static_assert(offsetof(pj_pool_t, alignment) == 128, "pool.alignment");
_Static_assert(sizeof(pj_pool_factory_policy) == 32, "policy");
_Static_assert(offsetof(pj_pool_factory_policy, block_free) == 8, "policy.block_free");
_Static_assert(offsetof(pj_pool_factory_policy, callback) == 16, "policy.callback");
_Static_assert(offsetof(pj_pool_factory_policy, flags) == 24, "policy.flags");
_Static_assert(sizeof(pj_pool_factory) == 72, "factory");
_Static_assert(offsetof(pj_pool_factory, create_pool) == 32, "factory.create_pool");
_Static_assert(offsetof(pj_pool_factory, release_pool) == 40, "factory.release_pool");
_Static_assert(offsetof(pj_pool_factory, dump_status) == 48, "factory.dump_status");
_Static_assert(offsetof(pj_pool_factory, on_block_alloc) == 56, "factory.on_block_alloc");
_Static_assert(offsetof(pj_pool_factory, on_block_free) == 64, "factory.on_block_free");
_Static_assert(sizeof(pj_caching_pool) == 904, "pj_caching_pool");
_Static_assert(offsetof(pj_caching_pool, capacity) == 72, "cp.capacity");
_Static_assert(offsetof(pj_caching_pool, max_capacity) == 80, "cp.max_capacity");
_Static_assert(offsetof(pj_caching_pool, used_count) == 88, "cp.used_count");
_Static_assert(offsetof(pj_caching_pool, free_list) == 112, "cp.free_list");
_Static_assert(offsetof(pj_caching_pool, used_list) == 368, "cp.used_list");
_Static_assert(offsetof(pj_caching_pool, pool_buf) == 384, "cp.pool_buf");
_Static_assert(offsetof(pj_caching_pool, lock) == 896, "cp.lock");
_Static_assert(sizeof(pj_sockaddr_in) == 16, "pj_sockaddr_in");
_Static_assert(offsetof(pj_sockaddr_in, sin_port) == 2, "sin_port");
_Static_assert(offsetof(pj_sockaddr_in, sin_addr) == 4, "sin_addr");
_Static_assert(sizeof(pj_sockaddr_in6) == 28, "pj_sockaddr_in6");
_Static_assert(sizeof(pj_sockaddr) == 28, "pj_sockaddr");
_Static_assert(sizeof(pj_thread_desc) == 512, "pj_thread_desc");

/* ---- tiny test harness ---- */
static int passed, failed;
#define CHECK(cond) do { \
        if (cond) { ++passed; } \
        else { ++failed; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)
#define CHECK_STR(got, want) do { \
        const char *g_ = (got), *w_ = (want); \
        if (g_ && strcmp(g_, w_) == 0) { ++passed; } \
        else { ++failed; fprintf(stderr, "FAIL %s:%d: got \"%s\", want \"%s\"\n", \
                                 __FILE__, __LINE__, g_ ? g_ : "(null)", w_); } \
    } while (0)

static int pstr_eq(const pj_str_t *s, const char *want)
{
    size_t n = strlen(want);
    return s->slen == (pj_ssize_t)n && (n == 0 || memcmp(s->ptr, want, n) == 0);
}

/* ---- log capture ---- */
static char last_line[PJ_LOG_MAX_SIZE + 1];
static int last_level = -1, last_len = -1, log_calls;
static void capture_log(int level, const char *data, int len)
{
    ++log_calls;
    last_level = level;
    last_len = len;
    snprintf(last_line, sizeof(last_line), "%s", data);
}
static void reset_capture(void)
{
    last_line[0] = '\0';
    last_level = last_len = -1;
    log_calls = 0;
}
/* A writer that logs again: the nested call must be dropped. */
static int nested_calls;
static void recursive_log(int level, const char *data, int len)
{
    ++nested_calls;
    capture_log(level, data, len);
    PJ_LOG(1, ("nested", "must not recurse"));
}

/* ---- init ---- */
static int atexit_ran;
static void on_exit_1(void) { atexit_ran = atexit_ran * 10 + 1; }
static void on_exit_2(void) { atexit_ran = atexit_ran * 10 + 2; }

static void test_init(void)
{
    CHECK(pj_init() == PJ_SUCCESS);
    CHECK(pj_init() == PJ_SUCCESS);       /* counted */
    CHECK(pjlib_util_init() == PJ_SUCCESS);
    CHECK(pj_thread_is_registered());
    CHECK(pj_thread_this() != NULL);
    CHECK_STR(pj_get_version(), "2.17-dev");
    CHECK_STR(PJ_VERSION, "2.17-dev");
    CHECK(PJ_NO_MEMORY_EXCEPTION != 0);
    CHECK(pj_NO_MEMORY_EXCEPTION() == PJ_NO_MEMORY_EXCEPTION);
    CHECK(pj_atexit(&on_exit_1) == PJ_SUCCESS);
    CHECK(pj_atexit(&on_exit_2) == PJ_SUCCESS);
}

static void test_shutdown(void)
{
    pj_shutdown();
    CHECK(atexit_ran == 0);                 /* one pj_init still open */
    pj_shutdown();
    CHECK(atexit_ran == 21);                /* last registered runs first */
    pj_shutdown();                          /* extra call: harmless */
    CHECK(atexit_ran == 21);
}

/* ---- pools ---- */
static int cb_calls;
static pj_size_t cb_size;
static pj_pool_t *cb_pool;
static void oom_cb(pj_pool_t *pool, pj_size_t size)
{
    ++cb_calls;
    cb_size = size;
    cb_pool = pool;
}

/* A policy that counts its blocks, to prove the caching pool frees
 * everything it allocated. */
static int blocks_alloc, blocks_free;
static void *counting_alloc(pj_pool_factory *f, pj_size_t size)
{
    (void)f;
    ++blocks_alloc;
    return malloc(size);
}
static void counting_free(pj_pool_factory *f, void *mem, pj_size_t size)
{
    (void)f; (void)size;
    ++blocks_free;
    free(mem);
}

static void test_pools(void)
{
    pj_caching_pool cp;
    pj_pool_t *pool, *p2;
    char expect[64];
    char *a, *b, *c;
    pj_size_t cap;
    unsigned i;
    int all_zero;
    unsigned char *z;

    CHECK(pj_pool_factory_get_default_policy() == &pj_pool_factory_default_policy);
    CHECK(pj_pool_factory_default_policy.block_alloc != NULL);
    CHECK(pj_pool_factory_default_policy.block_free != NULL);
    CHECK(pj_pool_factory_default_policy.callback != NULL);
    CHECK(pj_pool_factory_default_policy.flags == 0);

    pj_caching_pool_init(&cp, NULL, 0);
    CHECK(cp.factory.policy.block_alloc == pj_pool_factory_default_policy.block_alloc);
    CHECK(cp.factory.create_pool != NULL);
    CHECK(cp.factory.release_pool != NULL);
    CHECK(cp.factory.dump_status != NULL);
    CHECK(cp.factory.on_block_alloc == NULL && cp.factory.on_block_free == NULL);
    CHECK(cp.lock != NULL);
    CHECK(cp.used_count == 0 && cp.max_capacity == 0);

    /* Creation: size classes, name with %p, initial used size. */
    pool = pj_pool_create(&cp.factory, "test%p", 1000, 1000, NULL);
    CHECK(pool != NULL);
    CHECK(cp.used_count == 1);
    CHECK(pool->factory == &cp.factory);
    CHECK(pj_pool_get_capacity(pool) == 1024);
    CHECK(pj_pool_get_used_size(pool) == sizeof(pj_pool_t) + sizeof(pj_pool_block));
    CHECK(pool->alignment == PJ_POOL_ALIGNMENT);
    CHECK(pool->increment_size == 1000);
    CHECK(pool->callback == pj_pool_factory_default_policy.callback);
    snprintf(expect, sizeof(expect), "test%p", (void *)pool);
    CHECK_STR(pj_pool_getobjname(pool), expect);

    /* Bump allocation, 8-byte aligned. */
    a = (char *)pj_pool_alloc(pool, 1);
    b = (char *)pj_pool_alloc(pool, 3);
    CHECK(((uintptr_t)a & 7) == 0);
    CHECK(b - a == 8);
    c = (char *)pj_pool_aligned_alloc(pool, 64, 5);
    CHECK(c != NULL && ((uintptr_t)c & 63) == 0);
    CHECK(pj_pool_aligned_alloc(pool, 3, 8) == NULL);   /* not a power of two */
    z = (unsigned char *)pj_pool_calloc(pool, 10, 7);
    all_zero = z != NULL;
    for (i = 0; z && i < 70; ++i)
        all_zero = all_zero && z[i] == 0;
    CHECK(all_zero);
    z = (unsigned char *)pj_pool_zalloc(pool, 33);
    CHECK(z != NULL && z[0] == 0 && z[32] == 0);
    {
        pj_time_val *tv = PJ_POOL_ZALLOC_T(pool, pj_time_val);
        CHECK(tv != NULL && tv->sec == 0 && tv->msec == 0);
    }

    /* Growth: a request bigger than the increment gets a multiple of it
     * (room for the request, the block header and the alignment). */
    cap = pj_pool_get_capacity(pool);
    a = (char *)pj_pool_alloc(pool, 5000);
    CHECK(a != NULL);
    memset(a, 0xAB, 5000);
    CHECK(pj_pool_get_capacity(pool) == cap + 6000);
    CHECK(pj_pool_get_used_size(pool) >= sizeof(pj_pool_t) + 2 * sizeof(pj_pool_block) + 5000);
    /* A small one that still fits in the first block goes there. */
    b = (char *)pj_pool_alloc(pool, 16);
    CHECK(b != NULL);

    /* Reset: back to the first block. */
    pj_pool_reset(pool);
    CHECK(pj_pool_get_capacity(pool) == 1024);
    CHECK(pj_pool_get_used_size(pool) == sizeof(pj_pool_t) + sizeof(pj_pool_block));

    /* Long names are cut to 31 characters. */
    p2 = pj_pool_create(&cp.factory, "0123456789012345678901234567890123456789", 256, 256, NULL);
    CHECK(p2 != NULL && strlen(pj_pool_getobjname(p2)) == 31);
    CHECK(cp.used_count == 2);
    pj_pool_release(p2);
    CHECK(cp.used_count == 1);

    /* No increment: the callback is called and NULL returned. */
    p2 = pj_pool_create(&cp.factory, "fixed", 512, 0, &oom_cb);
    CHECK(p2 != NULL && p2->callback == &oom_cb);
    cb_calls = 0;
    CHECK(pj_pool_alloc(p2, 100) != NULL);
    CHECK(cb_calls == 0);
    CHECK(pj_pool_alloc(p2, 1000) == NULL);
    CHECK(cb_calls == 1 && cb_size == 1000 && cb_pool == p2);
    CHECK(pj_pool_calloc(p2, (pj_size_t)-1 / 2, 4) == NULL);   /* overflow */
    CHECK(cb_calls == 2 && cb_size == (pj_size_t)-1);
    pj_pool_safe_release(&p2);
    CHECK(p2 == NULL);
    pj_pool_safe_release(&p2);              /* NULL: no-op */

    p2 = pj_pool_create(&cp.factory, "secret", 512, 512, NULL);
    strcpy((char *)pj_pool_alloc(p2, 16), "password");
    pj_pool_secure_release(&p2);
    CHECK(p2 == NULL);
    CHECK(cp.used_count == 1);

    /* Aligned pools. */
    p2 = pj_pool_aligned_create(&cp.factory, "al", 1024, 1024, 32, NULL);
    CHECK(p2 != NULL && p2->alignment == 32);
    a = (char *)pj_pool_alloc(p2, 1);
    b = (char *)pj_pool_alloc(p2, 1);
    CHECK(((uintptr_t)a & 31) == 0 && b - a == 32);
    pj_pool_release(p2);

    pj_pool_factory_dump(&cp.factory, PJ_TRUE);
    pj_pool_release(pool);
    CHECK(cp.used_count == 0);
    pj_caching_pool_destroy(&cp);

    /* Caching: released pools are kept (up to max_capacity) and reused. */
    blocks_alloc = blocks_free = 0;
    {
        pj_pool_factory_policy pol = pj_pool_factory_default_policy;
        pol.block_alloc = &counting_alloc;
        pol.block_free = &counting_free;
        pj_caching_pool_init(&cp, &pol, 64 * 1024);
    }
    CHECK(cp.factory.policy.block_alloc == &counting_alloc);
    pool = pj_pool_create(&cp.factory, "c1", 4000, 4000, NULL);
    CHECK(pj_pool_get_capacity(pool) == 4096);
    pj_pool_alloc(pool, 10000);              /* a second block */
    pj_pool_release(pool);
    CHECK(cp.used_count == 0 && cp.capacity == 4096);
    p2 = pj_pool_create(&cp.factory, "c2", 3000, 4000, NULL);
    CHECK(p2 == pool);                        /* same size class: reused */
    CHECK_STR(pj_pool_getobjname(p2), "c2");
    CHECK(cp.capacity == 0 && cp.used_count == 1);
    CHECK(pj_pool_get_used_size(p2) == sizeof(pj_pool_t) + sizeof(pj_pool_block));
    pj_pool_release(p2);
    /* Too big to cache: freed at once. */
    pool = pj_pool_create(&cp.factory, "big", 100000, 1000, NULL);
    CHECK(pool != NULL && pj_pool_get_capacity(pool) == 100000);
    pj_pool_release(pool);
    CHECK(cp.capacity == 4096);
    /* Pools still in use are freed by destroy. */
    pool = pj_pool_create(&cp.factory, "leaked1", 512, 512, NULL);
    pj_pool_alloc(pool, 2000);
    p2 = pj_pool_create(&cp.factory, "leaked2", 20000, 512, NULL);
    CHECK(cp.used_count == 2);
    pj_caching_pool_destroy(&cp);
    CHECK(blocks_alloc > 0 && blocks_alloc == blocks_free);

    /* NULL arguments are harmless. */
    pj_pool_release(NULL);
    CHECK(pj_pool_alloc(NULL, 8) == NULL);
    CHECK(pj_pool_create(NULL, "x", 512, 512, NULL) == NULL);
}

/* Several threads creating and releasing pools of one caching pool. */
#define POOL_THREADS 4
static pj_caching_pool shared_cp;
static void *pool_worker(void *arg)
{
    pj_thread_desc desc;
    pj_thread_t *thr = NULL;
    int i, ok = 1;
    long id = (long)(intptr_t)arg;

    memset(desc, 0, sizeof(desc));
    if (pj_thread_is_registered())
        ok = 0;
    if (pj_thread_register("worker%p", desc, &thr) != PJ_SUCCESS || thr == NULL)
        ok = 0;
    if (!pj_thread_is_registered() || pj_thread_this() != thr)
        ok = 0;
    for (i = 0; i < 300; ++i) {
        pj_pool_t *p = pj_pool_create(&shared_cp.factory, "mt", 512 + (pj_size_t)(i % 5) * 1000,
                                      256, NULL);
        char *m;
        if (!p) { ok = 0; break; }
        m = (char *)pj_pool_alloc(p, 100 + (pj_size_t)i);
        if (!m) { ok = 0; }
        else memset(m, (int)id, 100 + (size_t)i);
        pj_pool_release(p);
    }
    return ok ? (void *)1 : NULL;
}

static void test_pool_threads(void)
{
    pthread_t th[POOL_THREADS];
    long i;
    int all_ok = 1;

    pj_caching_pool_init(&shared_cp, NULL, 32 * 1024);
    for (i = 0; i < POOL_THREADS; ++i)
        CHECK(pthread_create(&th[i], NULL, &pool_worker, (void *)(intptr_t)i) == 0);
    for (i = 0; i < POOL_THREADS; ++i) {
        void *ret = NULL;
        pthread_join(th[i], &ret);
        all_ok = all_ok && ret != NULL;
    }
    CHECK(all_ok);
    CHECK(shared_cp.used_count == 0);
    CHECK(shared_cp.capacity <= 32 * 1024);
    pj_caching_pool_destroy(&shared_cp);
}

/* ---- strings ---- */
static void test_strings(void)
{
    pj_caching_pool cp;
    pj_pool_t *pool;
    pj_str_t s, d, e;
    char buf[64];
    char hello[] = "hello";

    pj_caching_pool_init(&cp, NULL, 0);
    pool = pj_pool_create(&cp.factory, "str", 512, 512, NULL);

    s = pj_str(hello);
    CHECK(s.ptr == hello && s.slen == 5);
    s = pj_str(NULL);
    CHECK(s.ptr == NULL && s.slen == 0);

    /* pj_strdup2: "" and NULL give {NULL, 0}. */
    d.ptr = buf; d.slen = 3;
    pj_strdup2(pool, &d, "");
    CHECK(d.ptr == NULL && d.slen == 0);
    d.ptr = buf;
    pj_strdup2(pool, &d, NULL);
    CHECK(d.ptr == NULL && d.slen == 0);
    CHECK(pj_strdup2(pool, &d, "hello") == &d);
    CHECK(pstr_eq(&d, "hello") && d.ptr != hello);

    e = pj_strdup3(pool, "world");
    CHECK(pstr_eq(&e, "world"));
    e = pj_strdup3(pool, "");
    CHECK(e.ptr == NULL && e.slen == 0);

    /* pj_strdup: copies, no NUL; empty source leaves ptr untouched. */
    s = pj_str(hello);
    pj_strdup(pool, &d, &s);
    CHECK(pstr_eq(&d, "hello") && d.ptr != s.ptr);
    d.ptr = buf; d.slen = 9;
    s.ptr = NULL; s.slen = 0;
    pj_strdup(pool, &d, &s);
    CHECK(d.ptr == buf && d.slen == 0);
    s = pj_str(hello);
    d = s;
    CHECK(pj_strdup(pool, &d, &d) == &d && d.ptr == hello);

    /* _with_null variants. */
    s = pj_str(hello);
    pj_strdup_with_null(pool, &d, &s);
    CHECK(d.slen == 5 && strcmp(d.ptr, "hello") == 0);
    s.ptr = NULL; s.slen = 0;
    pj_strdup_with_null(pool, &d, &s);
    CHECK(d.ptr != NULL && d.slen == 0 && d.ptr[0] == '\0');
    pj_strdup2_with_null(pool, &d, "abc");
    CHECK(d.slen == 3 && strcmp(d.ptr, "abc") == 0);
    pj_strdup2_with_null(pool, &d, "");
    CHECK(d.ptr != NULL && d.slen == 0 && d.ptr[0] == '\0');

    /* Comparisons. */
    {
        pj_str_t abc = pj_str("abc"), abd = pj_str("abd"), ab = pj_str("ab");
        pj_str_t ABC = pj_str("ABC"), empty = {NULL, 0}, empty2 = pj_str("");
        pj_str_t abcX = pj_str("abcX"), abcY = pj_str("abcY");
        CHECK(pj_strcmp(&abc, &abc) == 0);
        CHECK(pj_strcmp(&abc, &abd) < 0);
        CHECK(pj_strcmp(&abd, &abc) > 0);
        CHECK(pj_strcmp(&ab, &abc) == -1);
        CHECK(pj_strcmp(&abc, &ab) == 1);
        CHECK(pj_strcmp(&empty, &empty2) == 0);
        CHECK(pj_strcmp(&empty, &abc) == -1);
        CHECK(pj_strcmp(&abc, &empty) == 1);
        CHECK(pj_strcmp(&abc, &ABC) > 0);
        CHECK(pj_strcmp2(&abc, "abc") == 0);
        CHECK(pj_strcmp2(&empty, NULL) == 0);
        CHECK(pj_strcmp2(&abc, NULL) == 1);
        CHECK(pj_strcmp2(&empty, "") == 0);
        CHECK(pj_stricmp(&abc, &ABC) == 0);
        CHECK(pj_stricmp(&ab, &ABC) == -1);
        CHECK(pj_stricmp(&abd, &ABC) > 0);
        CHECK(pj_stricmp2(&ABC, "abc") == 0);
        CHECK(pj_stricmp2(&ABC, "abcd") == -1);
        CHECK(pj_stricmp2(&empty, NULL) == 0);
        CHECK(pj_strncmp(&abcX, &abcY, 3) == 0);
        CHECK(pj_strncmp(&abcX, &abcY, 4) < 0);
        CHECK(pj_strncmp(&ab, &abc, 5) == -1);
        CHECK(pj_strnicmp(&ABC, &abcY, 3) == 0);
        CHECK(pj_strncmp2(&abcX, "abcZ", 3) == 0);
        CHECK(pj_strncmp2(&abcX, "abcZ", 4) < 0);
        CHECK(pj_strnicmp2(&abcX, "ABCZ", 3) == 0);
        CHECK(pj_strnicmp2(&abcX, "ABCX", 4) == 0);
        CHECK(pj_strnicmp2(&empty, NULL, 3) == 0);
    }

    /* Copy, assign, concatenate. */
    {
        pj_str_t src = pj_str("sip:"), dst, alias;
        dst.ptr = buf; dst.slen = 0;
        CHECK(pj_strcpy(&dst, &src) == &dst && pstr_eq(&dst, "sip:"));
        pj_strcat2(&dst, "alice");
        CHECK(pstr_eq(&dst, "sip:alice"));
        src = pj_str("@example.com");
        pj_strcat(&dst, &src);
        CHECK(pstr_eq(&dst, "sip:alice@example.com"));
        pj_strcpy2(&dst, "bob");
        CHECK(pstr_eq(&dst, "bob") && dst.ptr == buf);
        CHECK(pj_strassign(&alias, &dst) == &alias && alias.ptr == buf && alias.slen == 3);
    }

    /* Trim and numbers. */
    {
        char text[] = " \t 42 apples \r\n";
        pj_str_t t = pj_str(text), n;
        CHECK(pj_strtrim(&t) == &t);
        CHECK(pstr_eq(&t, "42 apples"));
        CHECK(pj_strtoul(&t) == 42);
        n = pj_str("12345xyz");
        CHECK(pj_strtoul(&n) == 12345);
        n = pj_str("-42");
        CHECK(pj_strtol(&n) == -42);
        n = pj_str("+17");
        CHECK(pj_strtol(&n) == 17);
        n = pj_str("abc");
        CHECK(pj_strtoul(&n) == 0);
        n = pj_str("   ");
        pj_strtrim(&n);
        CHECK(n.slen == 0);
    }

    /* Header inlines built on these. */
    {
        pj_str_t t;
        CHECK(pj_cstr(&t, "xyz") == &t && pstr_eq(&t, "xyz"));
        pj_strset2(&t, hello);
        CHECK(pj_strlen(&t) == 5 && pj_strbuf(&t) == hello);
        CHECK(pj_strchr(&t, 'l') == hello + 2);
    }

    pj_pool_release(pool);
    pj_caching_pool_destroy(&cp);
}

/* ---- errors ---- */
static pj_str_t my_strerror(pj_status_t e, char *msg, pj_size_t max)
{
    pj_str_t s;
    int n = snprintf(msg, max, "my error %d", (int)e);
    s.ptr = msg;
    s.slen = (n < 0) ? 0 : ((pj_size_t)n >= max ? (pj_ssize_t)max - 1 : n);
    return s;
}

static void test_errors(void)
{
    char buf[PJ_ERR_MSG_SIZE];
    pj_str_t s;

    s = pj_strerror(PJ_SUCCESS, buf, sizeof(buf));
    CHECK(s.ptr == buf && s.slen == 7);
    CHECK_STR(buf, "Success");
    s = pj_strerror(PJ_EINVAL, buf, sizeof(buf));
    CHECK_STR(buf, "Invalid value or argument (PJ_EINVAL)");
    CHECK(s.slen == (pj_ssize_t)strlen(buf));
    pj_strerror(PJ_ERESOLVE, buf, sizeof(buf));
    CHECK_STR(buf, "gethostbyname() has returned error (PJ_ERESOLVE)");
    pj_strerror(PJ_ETIMEDOUT, buf, sizeof(buf));
    CHECK_STR(buf, "Operation timed out (PJ_ETIMEDOUT)");
    pj_strerror(PJSIP_EBUSY, buf, sizeof(buf));
    CHECK_STR(buf, "Object is busy (PJSIP_EBUSY)");
    pj_strerror(PJSIP_ENOCREDENTIAL, buf, sizeof(buf));
    CHECK_STR(buf, "No suitable credential (PJSIP_ENOCREDENTIAL)");
    pj_strerror(PJSIP_ERRNO_FROM_SIP_STATUS(401), buf, sizeof(buf));
    CHECK_STR(buf, "Unauthorized");
    pj_strerror(PJSIP_ERRNO_FROM_SIP_STATUS(408), buf, sizeof(buf));
    CHECK_STR(buf, "Request Timeout");
    pj_strerror(PJSIP_ERRNO_FROM_SIP_STATUS(599), buf, sizeof(buf));
    CHECK_STR(buf, "Default status message");
    pj_strerror(PJ_STATUS_FROM_OS(ECONNREFUSED), buf, sizeof(buf));
    CHECK_STR(buf, "Connection refused");
    pj_strerror(PJLIB_UTIL_EDNS_NXDOMAIN, buf, sizeof(buf));
    CHECK_STR(buf, "DNS \"Name Error\" (PJLIB_UTIL_EDNS_NXDOMAIN)");
    pj_strerror(1219999, buf, sizeof(buf));
    CHECK_STR(buf, "Unknown error 1219999");
    pj_strerror(171999, buf, sizeof(buf));
    CHECK_STR(buf, "Unknown pjsip error 171999");
    pj_strerror(70999, buf, sizeof(buf));
    CHECK_STR(buf, "Unknown pjlib error 70999");

    /* Truncation keeps the NUL. */
    s = pj_strerror(PJ_EINVAL, buf, 8);
    CHECK(s.slen == 7);
    CHECK_STR(buf, "Invalid");
    s = pj_strerror(PJ_EINVAL, buf, 1);
    CHECK(s.slen == 0 && buf[0] == '\0');

    /* An application's own error range. */
    CHECK(pj_register_strerror(500000, 1000, &my_strerror) == PJ_SUCCESS);
    CHECK(pj_register_strerror(500000, 1000, &my_strerror) == PJ_SUCCESS);
    CHECK(pj_register_strerror(500500, 1000, &my_strerror) == PJ_EEXISTS);
    CHECK(pj_register_strerror(PJSIP_ERRNO_START, 100, &my_strerror) == PJ_EEXISTS);
    CHECK(pj_register_strerror(500000, 1000, NULL) == PJ_EINVAL);
    pj_strerror(500007, buf, sizeof(buf));
    CHECK_STR(buf, "my error 500007");

    CHECK(PJSIP_ERRNO_TO_SIP_STATUS(PJSIP_ERRNO_FROM_SIP_STATUS(408)) == 408);
    CHECK(PJSIP_ERRNO_TO_SIP_STATUS(PJSIP_EBUSY) == 599);
}

/* ---- logging ---- */
static void vlog_helper(const char *sender, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pj_log(sender, level, fmt, ap);
    va_end(ap);
}

static void test_logging(void)
{
    char expect[256];

    CHECK(pj_log_get_level() == 5);
    CHECK(pj_log_get_decor() == 25328);
    CHECK(pj_log_get_decor() == (PJ_LOG_HAS_TIME | PJ_LOG_HAS_MICRO_SEC | PJ_LOG_HAS_SENDER |
                                 PJ_LOG_HAS_NEWLINE | PJ_LOG_HAS_SPACE | PJ_LOG_HAS_THREAD_SWC |
                                 PJ_LOG_HAS_INDENT));
    CHECK(pj_log_get_log_func() == &pj_log_write);

    pj_log_set_log_func(&capture_log);
    CHECK(pj_log_get_log_func() == &capture_log);

    /* Default decoration: "HH:MM:SS.mmm <sender, 22 wide> <marker>msg\n". */
    reset_capture();
    PJ_LOG(3, ("tst", "value=%d %s %.1f", 42, "str", 2.5));
    CHECK(log_calls == 1 && last_level == 3);
    CHECK(last_len == (int)strlen(last_line));
    CHECK(last_len > 13 && last_line[2] == ':' && last_line[5] == ':' && last_line[8] == '.');
    snprintf(expect, sizeof(expect), " %22s ", "tst");
    CHECK(strncmp(last_line + 12, expect, 24) == 0);
    CHECK(last_line[36] == '!' || last_line[36] == ' ');
    CHECK(strcmp(last_line + 37, "value=42 str 2.5\n") == 0);

    /* No decoration at all: the bare message. */
    pj_log_set_decor(0);
    reset_capture();
    PJ_LOG(2, ("tst", "plain %s", "text"));
    CHECK_STR(last_line, "plain text");
    CHECK(last_len == 10 && last_level == 2);

    /* Sender and newline only. */
    pj_log_set_decor(PJ_LOG_HAS_SENDER | PJ_LOG_HAS_NEWLINE);
    reset_capture();
    PJ_LOG_(4, "mod.c", "x=%d", 7);
    snprintf(expect, sizeof(expect), "%22s x=7\n", "mod.c");
    CHECK_STR(last_line, expect);

    /* Level text (indexed by level: 0 FATAL, 1 ERROR, ... 3 INFO) and
     * newline. */
    pj_log_set_decor(PJ_LOG_HAS_LEVEL_TEXT | PJ_LOG_HAS_NEWLINE);
    reset_capture();
    pj_log_1("s", "boom");
    CHECK_STR(last_line, "ERROR: boom\n");
    pj_log_3("s", "fyi");
    CHECK_STR(last_line, " INFO: fyi\n");

    /* Many arguments: integers and doubles beyond the argument registers. */
    pj_log_set_decor(0);
    reset_capture();
    pj_log_5("s", "%d %d %d %d %d %d %d %d|%.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f|%s %ld",
             1, 2, 3, 4, 5, 6, 7, 8, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5,
             "end", 123456789012L);
    CHECK_STR(last_line, "1 2 3 4 5 6 7 8|1.5 2.5 3.5 4.5 5.5 6.5 7.5 8.5 9.5 10.5|end 123456789012");

    /* pj_log with a va_list. */
    reset_capture();
    vlog_helper("s", 3, "via %s %d", "va_list", 99);
    CHECK_STR(last_line, "via va_list 99");

    /* pj_perror and PJ_PERROR: "<title>: <error text>". */
    reset_capture();
    PJ_PERROR(1, ("tst", PJ_EINVAL, "op %s failed", "foo"));
    CHECK_STR(last_line, "op foo failed: Invalid value or argument (PJ_EINVAL)");
    CHECK(last_level == 1);
    reset_capture();
    pj_perror(2, "tst", PJSIP_EBUSY, "title %d", 7);
    CHECK_STR(last_line, "title 7: Object is busy (PJSIP_EBUSY)");
    reset_capture();
    PJ_PERROR_(3, "tst", PJSIP_ERRNO_FROM_SIP_STATUS(503), "%s", "register");
    CHECK_STR(last_line, "register: Service Unavailable");
    reset_capture();
    pj_perror_5("tst", PJ_SUCCESS, "ok");
    CHECK_STR(last_line, "ok: Success");
    {
        /* A title of 120+ characters becomes "Error". */
        char longtitle[200];
        memset(longtitle, 't', sizeof(longtitle) - 1);
        longtitle[sizeof(longtitle) - 1] = '\0';
        reset_capture();
        pj_perror_2("tst", PJ_EINVAL, "%s", longtitle);
        CHECK_STR(last_line, "Error: Invalid value or argument (PJ_EINVAL)");
    }

    /* Level filtering. */
    pj_log_set_level(2);
    CHECK(pj_log_get_level() == 2);
    reset_capture();
    PJ_LOG(3, ("tst", "hidden"));
    pj_log_3("tst", "hidden too");
    pj_perror_4("tst", PJ_EINVAL, "hidden");
    pj_perror(5, "tst", PJ_EINVAL, "hidden");
    CHECK(log_calls == 0);
    PJ_LOG(2, ("tst", "shown"));
    pj_log_1("tst", "shown");
    pj_perror(1, "tst", PJ_EINVAL, "shown");
    CHECK(log_calls == 3);
    PJ_LOG(6, ("tst", "level 6 compiles away"));
    pj_log_set_level(5);

    /* Long messages are cut to fit the 4000-byte line buffer. */
    {
        char *big = (char *)malloc(5001);
        memset(big, 'x', 5000);
        big[5000] = '\0';
        reset_capture();
        pj_log_3("s", "%s", big);
        CHECK(log_calls == 1 && last_len > 3900 && last_len < PJ_LOG_MAX_SIZE);
        CHECK((int)strlen(last_line) >= last_len);
        free(big);
    }

    /* A writer that logs again does not recurse. */
    pj_log_set_log_func(&recursive_log);
    nested_calls = 0;
    PJ_LOG(3, ("tst", "outer"));
    CHECK(nested_calls == 1);
    CHECK_STR(last_line, "outer");

    /* NULL writer: silent. */
    pj_log_set_log_func(NULL);
    CHECK(pj_log_get_log_func() == NULL);
    PJ_LOG(1, ("tst", "nowhere"));

    /* Back to the default writer (stdout). */
    pj_log_set_decor(25328);
    pj_log_set_log_func(&pj_log_write);
    CHECK(pj_log_get_log_func() == &pj_log_write);
    pj_log_write(3, "pj_log_write: direct line\n", 26);
    PJ_LOG(4, ("test_pjlib.c", "default writer line"));
    fflush(stdout);
}

/* ---- lists ---- */
struct node {
    PJ_DECL_LIST_MEMBER(struct node);
    int v;
};

static int node_cmp(void *value, const pj_list_type *n)
{
    return ((const struct node *)n)->v != *(int *)value;
}

static int list_values(struct node *head, char *out, size_t cap)
{
    struct node *n;
    size_t len = 0;
    out[0] = '\0';
    for (n = head->next; n != head && len + 4 < cap; n = n->next)
        len += (size_t)snprintf(out + len, cap - len, "%d", n->v);
    return (int)len;
}

static void test_lists(void)
{
    struct node head, head2, ring, nodes[6];
    char vals[64];
    int i, key;

    for (i = 0; i < 6; ++i)
        nodes[i].v = i;
    pj_list_init(&head);
    CHECK(pj_list_empty(&head));
    CHECK(pj_list_size(&head) == 0);
    pj_list_push_back(&head, &nodes[1]);
    pj_list_push_back(&head, &nodes[2]);
    pj_list_push_front(&head, &nodes[0]);
    CHECK(!pj_list_empty(&head));
    CHECK(pj_list_size(&head) == 3);
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "012");
    pj_list_insert_after(&nodes[0], &nodes[3]);
    pj_list_insert_before(&nodes[2], &nodes[4]);
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "03142");

    CHECK(pj_list_find_node(&head, &nodes[4]) == &nodes[4]);
    CHECK(pj_list_find_node(&head, &nodes[5]) == NULL);
    key = 1;
    CHECK(pj_list_search(&head, &key, &node_cmp) == &nodes[1]);
    key = 9;
    CHECK(pj_list_search(&head, &key, &node_cmp) == NULL);

    pj_list_erase(&nodes[3]);
    CHECK(nodes[3].next == &nodes[3] && nodes[3].prev == &nodes[3]);
    pj_list_erase(&nodes[3]);                /* again: harmless */
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "0142");

    /* Merging leaves the second list empty. */
    pj_list_init(&head2);
    pj_list_push_back(&head2, &nodes[3]);
    pj_list_push_back(&head2, &nodes[5]);
    pj_list_merge_last(&head, &head2);
    CHECK(pj_list_empty(&head2));
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "014235");
    pj_list_erase(&nodes[3]);
    pj_list_erase(&nodes[5]);
    pj_list_push_back(&head2, &nodes[3]);
    pj_list_push_back(&head2, &nodes[5]);
    pj_list_merge_first(&head, &head2);
    CHECK(pj_list_empty(&head2));
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "350142");
    pj_list_merge_last(&head, &head2);       /* empty: no change */
    CHECK(pj_list_size(&head) == 6);

    /* A ring of nodes without a sentinel. */
    pj_list_erase(&nodes[3]);
    pj_list_erase(&nodes[5]);
    ring.v = 9;
    pj_list_init(&ring);
    pj_list_insert_after(&ring, &nodes[3]);   /* ring: 9 3 */
    pj_list_insert_nodes_after(&nodes[0], &ring);
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "093142");
    pj_list_erase(&ring);
    pj_list_erase(&nodes[3]);
    pj_list_init(&nodes[5]);
    pj_list_insert_nodes_before(&head, &nodes[5]);
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "01425");

    /* Moving a whole list. */
    pj_list_erase(&nodes[5]);
    pj_list_push_back(&head2, &nodes[5]);
    pj_list_push_back(&head2, &nodes[3]);
    pj_list_insert_list_after(&nodes[1], &head2);
    CHECK(pj_list_empty(&head2));
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "015342");
    pj_list_erase(&nodes[5]);
    pj_list_erase(&nodes[3]);
    pj_list_push_back(&head2, &nodes[5]);
    pj_list_insert_list_before(&head, &head2);
    list_values(&head, vals, sizeof(vals));
    CHECK_STR(vals, "01425");
    CHECK(pj_list_size(&head) == 5);
}

/* ---- sockets ---- */
static void test_sockets(void)
{
    pj_sockaddr_in a;
    pj_sockaddr sa;
    pj_str_t s;
    pj_status_t st;
    char longname[300];
    char host[256];

    CHECK(PJ_AF_INET == 2 && PJ_AF_INET6 == 10 && PJ_AF_UNSPEC == 0);
    CHECK(pj_AF_INET() == AF_INET && pj_AF_INET6() == AF_INET6 && pj_AF_UNSPEC() == AF_UNSPEC);
    CHECK(pj_SOCK_STREAM() == SOCK_STREAM && pj_SOCK_DGRAM() == SOCK_DGRAM);

    CHECK(pj_htons(0x1234) == htons(0x1234));
    CHECK(pj_ntohs(pj_htons(5060)) == 5060);

    s = pj_str("127.0.0.1");
    CHECK(pj_sockaddr_in_init(&a, &s, 5060) == PJ_SUCCESS);
    CHECK(a.sin_family == PJ_AF_INET);
    CHECK(a.sin_port == pj_htons(5060));
    CHECK(a.sin_addr.s_addr == htonl(0x7f000001));
    CHECK(pj_sockaddr_get_port(&a) == 5060);
    pj_sockaddr_in_set_port(&a, 5070);
    CHECK(pj_sockaddr_get_port(&a) == 5070);

    CHECK(pj_sockaddr_in_init(&a, NULL, 1234) == PJ_SUCCESS);
    CHECK(a.sin_addr.s_addr == PJ_INADDR_ANY && pj_sockaddr_get_port(&a) == 1234);
    s = pj_str("");
    CHECK(pj_sockaddr_in_init(&a, &s, 0) == PJ_SUCCESS && a.sin_addr.s_addr == 0);

    s = pj_str("localhost");
    CHECK(pj_sockaddr_in_init(&a, &s, 80) == PJ_SUCCESS);
    CHECK((ntohl(a.sin_addr.s_addr) >> 24) == 127);

    s = pj_str("no-such-host.invalid");
    st = pj_sockaddr_in_init(&a, &s, 80);
    CHECK(st == PJ_ERESOLVE);
    s = pj_str("bad host name!");
    CHECK(pj_sockaddr_in_init(&a, &s, 80) == PJ_ERESOLVE);
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    s = pj_str(longname);
    CHECK(pj_sockaddr_in_init(&a, &s, 80) == PJ_EINVAL);

    s = pj_str("10.0.0.7");
    CHECK(pj_sockaddr_init(pj_AF_INET(), &sa, &s, 5061) == PJ_SUCCESS);
    CHECK(sa.addr.sa_family == PJ_AF_INET && sa.ipv4.sin_addr.s_addr == inet_addr("10.0.0.7"));
    CHECK(pj_sockaddr_get_port(&sa) == 5061);
    s = pj_str("::1");
    CHECK(pj_sockaddr_init(pj_AF_INET6(), &sa, &s, 5062) == PJ_SUCCESS);
    CHECK(sa.addr.sa_family == PJ_AF_INET6);
    CHECK(((const unsigned char *)&sa.ipv6.sin6_addr)[15] == 1 && ((const unsigned char *)&sa.ipv6.sin6_addr)[0] == 0);
    CHECK(pj_sockaddr_get_port(&sa) == 5062);
    CHECK(pj_sockaddr_set_port(&sa, 7000) == PJ_SUCCESS && pj_sockaddr_get_port(&sa) == 7000);
    CHECK(pj_sockaddr_init(99, &sa, NULL, 1) == PJ_EAFNOTSUP);
    sa.addr.sa_family = 99;
    CHECK(pj_sockaddr_set_port(&sa, 1) == PJ_EINVAL);
    CHECK(pj_sockaddr_get_port(&sa) == 0xFFFF);

    CHECK(pj_inet_addr2("192.168.1.2").s_addr == inet_addr("192.168.1.2"));
    s = pj_str("10.1");
    CHECK(pj_inet_addr(&s).s_addr == inet_addr("10.0.0.1"));
    s = pj_str("bogus");
    CHECK(pj_inet_addr(&s).s_addr == PJ_INADDR_NONE);
    CHECK(pj_inet_addr2("").s_addr == PJ_INADDR_NONE);

    CHECK(gethostname(host, sizeof(host)) == 0);
    CHECK(pj_gethostname() != NULL && pstr_eq(pj_gethostname(), host));
    CHECK(pj_gethostname() == pj_gethostname());
}

/* ---- time, threads, random ---- */
struct reg_result { int before, after, same_handle, this_ok, name_ok; };
static void *register_thread(void *arg)
{
    struct reg_result *r = (struct reg_result *)arg;
    pj_thread_desc desc;
    pj_thread_t *thr = NULL;
    memset(desc, 0, sizeof(desc));
    r->before = pj_thread_is_registered();
    r->same_handle = pj_thread_register("ext", desc, &thr) == PJ_SUCCESS &&
                     thr == (pj_thread_t *)desc;
    r->after = pj_thread_is_registered();
    r->this_ok = pj_thread_this() == thr;
    /* Logging from a registered foreign thread works. */
    PJ_LOG(5, ("ext", "hello from a registered thread"));
    r->name_ok = pj_thread_register(NULL, NULL, &thr) == PJ_EINVAL;
    return NULL;
}

static void test_time_threads_random(void)
{
    pj_time_val tv, t0, t1;
    time_t now = time(NULL);
    pthread_t th;
    struct reg_result r;
    int x, y;

    CHECK(pj_gettimeofday(&tv) == PJ_SUCCESS);
    CHECK(tv.sec >= now - 2 && tv.sec <= now + 2);
    CHECK(tv.msec >= 0 && tv.msec < 1000);

    tv.sec = 1; tv.msec = 2500;
    pj_time_val_normalize(&tv);
    CHECK(tv.sec == 3 && tv.msec == 500);
    tv.sec = 5; tv.msec = -200;
    pj_time_val_normalize(&tv);
    CHECK(tv.sec == 4 && tv.msec == 800);
    tv.sec = 0; tv.msec = -2500;
    pj_time_val_normalize(&tv);
    CHECK(tv.sec == -2 && tv.msec == -500);
    tv.sec = -1; tv.msec = 500;
    pj_time_val_normalize(&tv);
    CHECK(tv.sec == 0 && tv.msec == -500);
    t0.sec = 10; t0.msec = 900;
    t1.sec = 0; t1.msec = 200;
    PJ_TIME_VAL_ADD(t0, t1);
    CHECK(t0.sec == 11 && t0.msec == 100);
    PJ_TIME_VAL_SUB(t0, t1);
    CHECK(t0.sec == 10 && t0.msec == 900);
    CHECK(PJ_TIME_VAL_MSEC(t0) == 10900);
    CHECK(PJ_TIME_VAL_GT(t0, t1) && PJ_TIME_VAL_LT(t1, t0));

    pj_gettimeofday(&t0);
    CHECK(pj_thread_sleep(30) == PJ_SUCCESS);
    pj_gettimeofday(&t1);
    PJ_TIME_VAL_SUB(t1, t0);
    CHECK(PJ_TIME_VAL_MSEC(t1) >= 29);

    memset(&r, 0, sizeof(r));
    CHECK(pthread_create(&th, NULL, &register_thread, &r) == 0);
    pthread_join(th, NULL);
    CHECK(r.before == 0);
    CHECK(r.same_handle);
    CHECK(r.after == 1);
    CHECK(r.this_ok);
    CHECK(r.name_ok);

    pj_srand(1234);
    x = pj_rand();
    pj_srand(1234);
    y = pj_rand();
    CHECK(x == y && x >= 0);
    srand(1234);
    CHECK(rand() == x);
}

int main(void)
{
    test_init();
    test_pools();
    test_pool_threads();
    test_strings();
    test_errors();
    test_logging();
    test_lists();
    test_sockets();
    test_time_threads_random();
    test_shutdown();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
