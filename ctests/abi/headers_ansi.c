/* The headers must accept -ansi (C89) and being included twice. */
#include <pjlib.h>
#include <pjlib-util.h>
#include <pjsip.h>
#include <pjsip_ua.h>
#include <pjlib.h>
#include <pjsip-ua/sip_regc.h>

int main(void)
{
    pj_str_t s = pj_str("x");
    return s.slen == 1 ? 0 : 1;
}
