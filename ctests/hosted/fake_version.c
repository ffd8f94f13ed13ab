/* A pj_get_version() that names a pjproject the hosted library does not
 * know. Preloaded before the host (shared case) or linked into the program
 * (static case), it wins over the host's own. FAKE_PJ_VERSION picks the
 * text (default "2.17-dev", a snapshot whose layout no release pins). */
#include <stdlib.h>

const char *pj_get_version(void);

const char *pj_get_version(void)
{
    const char *v = getenv("FAKE_PJ_VERSION");
    return v ? v : "2.17-dev";
}
