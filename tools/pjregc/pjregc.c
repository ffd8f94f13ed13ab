/* pjregc: SIP registration from the command line, on the pjsip_regc API.
 *
 *   pjregc register [options] AOR          one account, kept registered
 *   pjregc monitor [options] accounts.csv  many accounts, a periodic summary
 *   pjregc load --registrar URI [options]  N registrations, W in flight
 *
 * `pjregc COMMAND --help` describes each command. */
#include "pjregc.h"

#include <string.h>

static const char usage[] =
    "usage: pjregc COMMAND [options]\n"
    "\n"
    "SIP registration (RFC 3261 REGISTER, digest authentication) over UDP, TCP or TLS.\n"
    "\n"
    "commands:\n"
    "  register   register one account, keep it registered with a live status line\n"
    "             until Ctrl-C, then unregister\n"
    "  monitor    keep the accounts of a CSV file registered, with a periodic summary\n"
    "  load       register N accounts with W in flight; rate, latency percentiles,\n"
    "             failures by code, CSV rows\n"
    "\n"
    "pjregc COMMAND --help describes a command's options.\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"register", cmd_register}, {"monitor", cmd_monitor}, {"load", cmd_load}};

    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pjregc: unknown command '%s'\n\n%s", argv[1], usage);
    return 2;
}
