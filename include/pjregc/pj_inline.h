/* pjsip-regc-rs: the static inline helpers and macros of pjproject's
 * headers, written against the generated declarations. Hand-written;
 * included last by the generated pjregc/pjregc.h. */
#ifndef PJREGC_PJ_INLINE_H
#define PJREGC_PJ_INLINE_H

PJ_BEGIN_DECL

/* ---- assertions ---- */
#ifndef pj_assert
#  if PJ_DEBUG
#    define pj_assert(expr) assert(expr)
#  else
#    define pj_assert(expr) \
        do { if (!(expr) && pj_thread_is_registered()) \
                 pj_log_1("assert", "Assert failed: %s", #expr); } while (0)
#  endif
#endif
#define PJ_ASSERT_RETURN(expr, retval) \
    do { if (!(expr)) { pj_assert(expr); return retval; } } while (0)
#define PJ_ASSERT_ON_FAIL(expr, exec_on_fail) \
    { pj_assert(expr); if (!(expr)) exec_on_fail; }
#define PJ_UNUSED_ARG(arg) (void)arg
#define PJ_ARRAY_SIZE(a) (sizeof(a) / sizeof(a[0]))
#define PJ_MAX(a, b) (((a) > (b)) ? (a) : (b))
#define PJ_MIN(a, b) (((a) < (b)) ? (a) : (b))

/* ---- logging ---- */
#define PJ_LOG(level, arg) \
    do { if (level <= PJ_LOG_MAX_LEVEL && level <= pj_log_get_level()) { \
            pj_log_wrapper_##level(arg); } } while (0)
#define pj_log_wrapper_1(arg) pj_log_1 arg
#define pj_log_wrapper_2(arg) pj_log_2 arg
#define pj_log_wrapper_3(arg) pj_log_3 arg
#define pj_log_wrapper_4(arg) pj_log_4 arg
#define pj_log_wrapper_5(arg) pj_log_5 arg
#define pj_log_wrapper_6(arg)
#define PJ_LOG_(level, sender, ...) PJ_LOG(level, (sender, __VA_ARGS__))
#define PJ_PERROR(level, arg) do { pj_perror_wrapper_##level(arg); } while (0)
#define pj_perror_wrapper_1(arg) pj_perror_1 arg
#define pj_perror_wrapper_2(arg) pj_perror_2 arg
#define pj_perror_wrapper_3(arg) pj_perror_3 arg
#define pj_perror_wrapper_4(arg) pj_perror_4 arg
#define pj_perror_wrapper_5(arg) pj_perror_5 arg
#define pj_perror_wrapper_6(arg)
#define PJ_PERROR_(level, sender, status, ...) PJ_PERROR(level, (sender, status, __VA_ARGS__))

/* ---- pools ---- */
#define PJ_POOL_SIZE (sizeof(struct pj_pool_t))
#define PJ_POOL_ALLOC_T(pool, type) ((type *)pj_pool_alloc(pool, sizeof(type)))
#define PJ_POOL_ZALLOC_T(pool, type) ((type *)pj_pool_zalloc(pool, sizeof(type)))
PJ_INLINE(void *) pj_pool_zalloc(pj_pool_t *pool, pj_size_t size)
{
    return pj_pool_calloc(pool, 1, size);
}
PJ_INLINE(void) pj_pool_factory_dump(pj_pool_factory *pf, pj_bool_t detail)
{
    (*pf->dump_status)(pf, detail);
}

/* ---- memory and strings ---- */
PJ_INLINE(void) pj_bzero(void *dst, pj_size_t size) { memset(dst, 0, size); }
PJ_INLINE(void *) pj_memset(void *dst, int c, pj_size_t size) { return memset(dst, c, size); }
PJ_INLINE(void *) pj_memcpy(void *dst, const void *src, pj_size_t size) { return memcpy(dst, src, size); }
PJ_INLINE(void *) pj_memmove(void *dst, const void *src, pj_size_t size) { return memmove(dst, src, size); }
PJ_INLINE(int) pj_memcmp(const void *buf1, const void *buf2, pj_size_t size) { return memcmp(buf1, buf2, size); }
PJ_INLINE(void *) pj_memchr(const void *buf, int c, pj_size_t size) { return (void *)memchr((void *)buf, c, size); }
PJ_INLINE(const pj_str_t *) pj_cstr(pj_str_t *str, const char *s)
{
    str->ptr = (char *)s;
    str->slen = s ? (pj_ssize_t)strlen(s) : 0;
    return str;
}
PJ_INLINE(pj_str_t *) pj_strset(pj_str_t *str, char *ptr, pj_size_t length)
{
    str->ptr = ptr;
    str->slen = (pj_ssize_t)length;
    return str;
}
PJ_INLINE(pj_str_t *) pj_strset2(pj_str_t *str, char *src)
{
    str->ptr = src;
    str->slen = src ? (pj_ssize_t)strlen(src) : 0;
    return str;
}
PJ_INLINE(pj_str_t *) pj_strset3(pj_str_t *str, char *begin, char *end)
{
    str->ptr = begin;
    str->slen = (pj_ssize_t)(end - begin);
    return str;
}
PJ_INLINE(pj_size_t) pj_strlen(const pj_str_t *str) { return (pj_size_t)str->slen; }
PJ_INLINE(const char *) pj_strbuf(const pj_str_t *str) { return str->ptr; }
PJ_INLINE(char *) pj_strchr(const pj_str_t *str, int chr)
{
    if (str->slen == 0)
        return NULL;
    return (char *)memchr((char *)str->ptr, chr, (size_t)str->slen);
}
#define pj_ansi_strcmp strcmp
#define pj_ansi_strncmp strncmp
#define pj_ansi_strlen strlen
#define pj_ansi_strcpy strcpy
#define pj_ansi_strncpy strncpy
#define pj_ansi_strcat strcat
#define pj_ansi_strstr strstr
#define pj_ansi_strchr strchr
#define pj_ansi_strcasecmp strcasecmp
#define pj_ansi_stricmp strcasecmp
#define pj_ansi_strnicmp strncasecmp
#define pj_ansi_sprintf sprintf
#define pj_ansi_snprintf snprintf
#define pj_ansi_vsprintf vsprintf
#define pj_ansi_vsnprintf vsnprintf

/* ---- lists ---- */
PJ_INLINE(void) pj_list_init(pj_list_type *node)
{
    ((pj_list *)node)->next = ((pj_list *)node)->prev = node;
}
PJ_INLINE(int) pj_list_empty(const pj_list_type *node)
{
    return ((pj_list *)node)->next == node;
}
PJ_INLINE(void) pj_list_push_back(pj_list_type *list, pj_list_type *node)
{
    pj_list_insert_before(list, node);
}
PJ_INLINE(void) pj_list_push_front(pj_list_type *list, pj_list_type *node)
{
    pj_list_insert_after(list, node);
}
#define PJ_DECL_LIST_MEMBER(type) type *prev; type *next

/* ---- time ---- */
#define PJ_TIME_VAL_MSEC(t) ((t).sec * 1000 + (t).msec)
#define PJ_TIME_VAL_EQ(t1, t2) ((t1).sec == (t2).sec && (t1).msec == (t2).msec)
#define PJ_TIME_VAL_GT(t1, t2) ((t1).sec > (t2).sec || ((t1).sec == (t2).sec && (t1).msec > (t2).msec))
#define PJ_TIME_VAL_GTE(a, b) (PJ_TIME_VAL_GT(a, b) || PJ_TIME_VAL_EQ(a, b))
#define PJ_TIME_VAL_LT(t1, t2) (!(PJ_TIME_VAL_GTE(t1, t2)))
#define PJ_TIME_VAL_LTE(t1, t2) (!PJ_TIME_VAL_GT(t1, t2))
#define PJ_TIME_VAL_ADD(t1, t2) do { (t1).sec += (t2).sec; (t1).msec += (t2).msec; pj_time_val_normalize(&(t1)); } while (0)
#define PJ_TIME_VAL_SUB(t1, t2) do { (t1).sec -= (t2).sec; (t1).msec -= (t2).msec; pj_time_val_normalize(&(t1)); } while (0)

/* ---- sockets ---- */
#define pj_AF_UNSPEC() PJ_AF_UNSPEC
#define pj_AF_INET() PJ_AF_INET
#define pj_AF_INET6() PJ_AF_INET6
#define pj_SOCK_STREAM() PJ_SOCK_STREAM
#define pj_SOCK_DGRAM() PJ_SOCK_DGRAM
#define PJ_INADDR_ANY ((pj_uint32_t)0)
#define PJ_INADDR_NONE ((pj_uint32_t)0xffffffff)
#define PJ_INADDR_BROADCAST ((pj_uint32_t)0xffffffff)
#define PJ_INVALID_SOCKET (-1)

/* ---- timers (pjproject's default PJ_TIMER_DEBUG=1: the _dbg symbols) ---- */
#define pjsip_endpt_schedule_timer(ept, ent, d) \
    pjsip_endpt_schedule_timer_dbg(ept, ent, d, __FILE__, __LINE__)

/* ---- pjsip configuration ---- */
PJ_INLINE(pjsip_cfg_t *) pjsip_cfg(void) { return &pjsip_sip_cfg_var; }

/* ---- URIs ---- */
PJ_INLINE(const pj_str_t *) pjsip_uri_get_scheme(const void *uri)
{
    return (*((pjsip_uri *)uri)->vptr->p_get_scheme)(uri);
}
PJ_INLINE(void *) pjsip_uri_get_uri(const void *uri)
{
    PJ_ASSERT_RETURN(uri, NULL);
    return (*((pjsip_uri *)uri)->vptr->p_get_uri)((void *)uri);
}
PJ_INLINE(pj_status_t) pjsip_uri_cmp(pjsip_uri_context_e context, const void *uri1, const void *uri2)
{
    return (*((const pjsip_uri *)uri1)->vptr->p_compare)(context, uri1, uri2);
}
PJ_INLINE(int) pjsip_uri_print(pjsip_uri_context_e context, const void *uri, char *buf, pj_size_t size)
{
    return (int)(*((const pjsip_uri *)uri)->vptr->p_print)(context, uri, buf, size);
}
PJ_INLINE(void *) pjsip_uri_clone(pj_pool_t *pool, const void *uri)
{
    return (*((const pjsip_uri *)uri)->vptr->p_clone)(pool, uri);
}
#define PJSIP_URI_SCHEME_IS_SIP(url) (pj_stricmp2(pjsip_uri_get_scheme(url), "sip") == 0)
#define PJSIP_URI_SCHEME_IS_SIPS(url) (pj_stricmp2(pjsip_uri_get_scheme(url), "sips") == 0)
#define PJSIP_URI_SCHEME_IS_TEL(url) (pj_stricmp2(pjsip_uri_get_scheme(url), "tel") == 0)
PJ_INLINE(pjsip_param *) pjsip_param_cfind(const pjsip_param *param_list, const pj_str_t *name)
{
    return (pjsip_param *)pjsip_param_find(param_list, name);
}

/* ---- messages and headers ---- */
#define PJSIP_DECL_HDR_MEMBER(hdr) \
    PJ_DECL_LIST_MEMBER(hdr); pjsip_hdr_e type; pj_str_t name; pj_str_t sname; pjsip_hdr_vptr *vptr
PJ_INLINE(void) pjsip_msg_add_hdr(pjsip_msg *msg, pjsip_hdr *hdr)
{
    pj_list_insert_before(&msg->hdr, hdr);
}
PJ_INLINE(void) pjsip_msg_insert_first_hdr(pjsip_msg *msg, pjsip_hdr *hdr)
{
    pj_list_insert_after(&msg->hdr, hdr);
}
#define PJSIP_MSG_FROM_HDR(msg) ((pjsip_from_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_FROM, NULL))
#define PJSIP_MSG_TO_HDR(msg) ((pjsip_to_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_TO, NULL))
#define PJSIP_MSG_CID_HDR(msg) ((pjsip_cid_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_CALL_ID, NULL))
#define PJSIP_MSG_CSEQ_HDR(msg) ((pjsip_cseq_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_CSEQ, NULL))
#define PJSIP_IS_STATUS_IN_CLASS(code, code_class) (code / 100 == code_class / 100)
#define PJSIP_TRANSPORT_IS_RELIABLE(tp) ((tp)->flag & PJSIP_TRANSPORT_RELIABLE)
#define PJSIP_TRANSPORT_IS_SECURE(tp) ((tp)->flag & PJSIP_TRANSPORT_SECURE)

/* Header types that pjsip defines as other names of a shared layout (the
 * ones used in our prototypes are typedefs in the generated part). */
typedef pjsip_authorization_hdr pjsip_proxy_authorization_hdr;
typedef pjsip_www_authenticate_hdr pjsip_proxy_authenticate_hdr;
typedef pjsip_generic_string_hdr pjsip_accept_encoding_hdr;
typedef pjsip_generic_string_hdr pjsip_accept_lang_hdr;
typedef pjsip_generic_string_hdr pjsip_alert_info_hdr;
typedef pjsip_generic_string_hdr pjsip_auth_info_hdr;
typedef pjsip_generic_string_hdr pjsip_call_info_hdr;
typedef pjsip_generic_string_hdr pjsip_content_disposition_hdr;
typedef pjsip_generic_string_hdr pjsip_content_encoding_hdr;
typedef pjsip_generic_string_hdr pjsip_content_lang_hdr;
typedef pjsip_generic_string_hdr pjsip_date_hdr;
typedef pjsip_generic_string_hdr pjsip_err_info_hdr;
typedef pjsip_generic_string_hdr pjsip_in_reply_to_hdr;
typedef pjsip_generic_string_hdr pjsip_mime_version_hdr;
typedef pjsip_generic_string_hdr pjsip_organization_hdr;
typedef pjsip_generic_string_hdr pjsip_priority_hdr;
typedef pjsip_generic_string_hdr pjsip_proxy_require_hdr;
typedef pjsip_generic_string_hdr pjsip_reply_to_hdr;
typedef pjsip_generic_string_hdr pjsip_server_hdr;
typedef pjsip_generic_string_hdr pjsip_subject_hdr;
typedef pjsip_generic_string_hdr pjsip_timestamp_hdr;
typedef pjsip_generic_string_hdr pjsip_user_agent_hdr;
typedef pjsip_generic_string_hdr pjsip_warning_hdr;

/* The UA layer is a module; pjsip_ua_instance() returns it. */
typedef pjsip_module pjsip_user_agent;

/* Header creators that pjsip maps onto the generic string header. */
#define pjsip_user_agent_hdr_create pjsip_generic_string_hdr_create
#define pjsip_server_hdr_create pjsip_generic_string_hdr_create
#define pjsip_subject_hdr_create pjsip_generic_string_hdr_create
#define pjsip_warning_hdr_create pjsip_generic_string_hdr_create
#define pjsip_date_hdr_create pjsip_generic_string_hdr_create

/* ---- TLS settings (pjsip/sip_transport_tls.h) ---- */
PJ_INLINE(void) pjsip_tls_setting_default(pjsip_tls_setting *tls_opt)
{
    memset(tls_opt, 0, sizeof(*tls_opt));
    tls_opt->reuse_addr = PJ_TRUE;
    tls_opt->qos_type = PJ_QOS_TYPE_BEST_EFFORT;
    tls_opt->qos_ignore_error = PJ_TRUE;
    tls_opt->sockopt_ignore_error = PJ_TRUE;
    tls_opt->proto = PJSIP_SSL_DEFAULT_PROTO;
    tls_opt->enable_renegotiation = PJ_TRUE;
    tls_opt->initial_timeout = 0;
}
/* Deep copy into pool memory: strings (NUL-terminated ones where pjsip
 * keeps them so), the cipher and curve arrays and the socket options. */
PJ_INLINE(void) pjsip_tls_setting_copy(pj_pool_t *pool, pjsip_tls_setting *dst,
                                       const pjsip_tls_setting *src)
{
    memcpy(dst, src, sizeof(*dst));
    pj_strdup_with_null(pool, &dst->ca_list_file, &src->ca_list_file);
    pj_strdup_with_null(pool, &dst->ca_list_path, &src->ca_list_path);
    pj_strdup_with_null(pool, &dst->cert_file, &src->cert_file);
    pj_strdup_with_null(pool, &dst->privkey_file, &src->privkey_file);
    pj_strdup_with_null(pool, &dst->password, &src->password);
    pj_strdup_with_null(pool, &dst->sigalgs, &src->sigalgs);
    pj_strdup_with_null(pool, &dst->entropy_path, &src->entropy_path);
    pj_strdup(pool, &dst->ca_buf, &src->ca_buf);
    pj_strdup(pool, &dst->cert_buf, &src->cert_buf);
    pj_strdup(pool, &dst->privkey_buf, &src->privkey_buf);
    if (src->ciphers_num) {
        unsigned i;
        dst->ciphers = (pj_ssl_cipher *)pj_pool_calloc(pool, src->ciphers_num, sizeof(pj_ssl_cipher));
        for (i = 0; i < src->ciphers_num; ++i)
            dst->ciphers[i] = src->ciphers[i];
    }
    if (src->curves_num) {
        unsigned i;
        dst->curves = (pj_ssl_curve *)pj_pool_calloc(pool, src->curves_num, sizeof(pj_ssl_curve));
        for (i = 0; i < src->curves_num; ++i)
            dst->curves[i] = src->curves[i];
    }
    pj_sockopt_params_clone(pool, &dst->sockopt_params, &src->sockopt_params);
}

PJ_END_DECL

#endif
