#!/usr/bin/env python3
"""This library against real pjproject, side by side (make bench).

    run_bench.py OURS PJPROJECT [--ns "10000 100000"] [--big-n 1000000]
                 [--cg-ns "500 2500"]

OURS and PJPROJECT are bench/bench_regc.c linked against this library and
against pjproject (the oracle wheel). For each transport (UDP, TCP) and
with and without digest auth it prints:

- registrations/s (the program's wall clock, first create to last 2xx;
  best of 3 runs), CPU microseconds per registration (user + system of
  the whole process from getrusage, best of 3) and bytes per regc (RSS
  over N: idle, at the last 2xx, and once the transactions have ended and
  malloc_trim ran; from the third run), at each N of --ns, and at --big-n
  for this library alone;
- instructions per registration, unregistration and refresh (callgrind):
  the marginal cost between the two N of --cg-ns, so that start-up and
  tear-down cancel out; unregistration and refresh are their program
  modes' figures minus the register-only one.

Every run is capped with timeout(1); a run that fails or times out shows
"n/a" and why, and its remaining repetitions are skipped.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

SETTLE_MS = 5500  # pjsip's Timer K over UDP is 5 s
TRANSPORTS = ("udp", "tcp")
AUTHS = (False, True)


class Failed(Exception):
    pass


def run(cmd, cap_s, env_extra):
    """Runs cmd under timeout(1); returns (stdout, CPU seconds)."""
    env = dict(os.environ, **env_extra)
    proc = subprocess.Popen(["timeout", "-k", "10", str(int(cap_s))] + cmd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    proc.stdout.close()
    # wait4 gives this child's own rusage (timeout's, which includes the
    # program it waited for).
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code in (124, 137):
        raise Failed("timed out after %d s" % cap_s)
    if code < 0 or code > 128:
        raise Failed("killed by signal %d" % (-code if code < 0 else code - 128))
    if code != 0:
        res = result_line(out, required=False)
        if res:
            raise Failed("%d of %d registered, %d second 2xx, %d failed" %
                         (res["registered"], res["n"], res["second"], res["failed"]))
        raise Failed("exit %d: %s" % (code, out.strip().splitlines()[-1:] or "no output"))
    return out, usage.ru_utime + usage.ru_stime


def result_line(out, required=True):
    for line in out.splitlines():
        if line.startswith("result "):
            return {k: float(v) for k, v in (f.split("=") for f in line.split()[1:])}
    if required:
        raise Failed("no result line")
    return None


def args_for(n, transport, auth, mode=None):
    a = [str(n)]
    if transport == "tcp":
        a.append("tcp")
    if auth:
        a.append("auth")
    if mode:
        a.append(mode)
    return a


def cap_for(n):
    """Seconds allowed for one run of n registrations: start, register,
    settle, tear down (pjproject needs about 1 s per 10 000 here)."""
    return 60 + n / 2000 + SETTLE_MS / 1000


def throughput(binary, n, transport, auth):
    """Best reg/s, best CPU us/registration, bytes/regc (idle, last 2xx,
    settled), or Failed."""
    cap = cap_for(n)
    limit = str(int(cap - SETTLE_MS / 1000 - 30))
    rates, cpus = [], []
    # Only the last run waits for the transactions to end: memory comes
    # from it, and waiting in every run would only lengthen make bench.
    for settle in (0, 0, SETTLE_MS):
        out, cpu = run([binary] + args_for(n, transport, auth), cap,
                       {"BENCH_SETTLE_MS": str(settle), "BENCH_LIMIT_S": limit})
        r = result_line(out)
        rates.append(r["registered"] / (r["ms"] / 1000))
        cpus.append(cpu * 1e6 / n)
    mem = [(r[k] - r["rss0_kib"]) * 1024 / n for k in ("idle_kib", "last_kib", "settled_kib")]
    return [max(rates), min(cpus)] + mem


def instructions(binary, counts, transport, auth):
    """Marginal instructions per registration, unregistration, refresh."""
    total = {}
    with tempfile.TemporaryDirectory() as tmp:
        out_file = os.path.join(tmp, "callgrind.out")
        for mode in (None, "unregister", "refresh"):
            for n in counts:
                run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file, binary]
                    + args_for(n, transport, auth, mode), 900, {"BENCH_SETTLE_MS": "0", "BENCH_T1_MS": "5000"})
                with open(out_file) as f:
                    total[mode, n] = next(int(l.split()[1]) for l in f if l.startswith("summary:"))
    n1, n2 = counts
    per = {m: (total[m, n2] - total[m, n1]) / (n2 - n1) for m in (None, "unregister", "refresh")}
    return [per[None], per["unregister"] - per[None], per["refresh"] - per[None]]


def attempt(fn, *a):
    try:
        return fn(*a)
    except Failed as e:
        return "n/a (%s)" % e


def label(transport, auth):
    return "%s, %s" % (transport.upper(), "digest auth" if auth else "no auth")


def fmt(v, decimals):
    if isinstance(v, str):
        return v.split(" (")[0]
    return "{:,.{}f}".format(v, decimals).replace(",", " ")


def group(names, ours, theirs, decimals):
    """One row per figure, both libraries and the ratio; then why a side
    has no figures."""
    for i, name in enumerate(names):
        o = ours if isinstance(ours, str) else ours[i]
        t = theirs if isinstance(theirs, str) else theirs[i]
        ratio = "-" if isinstance(o, str) or isinstance(t, str) or not t else "%.2f" % (o / t)
        print("  %-30s %18s %18s %8s" % (name, fmt(o, decimals[i]), fmt(t, decimals[i]), ratio))
    for who, v in (("this library", ours), ("pjproject", theirs)):
        if isinstance(v, str) and v.startswith("n/a ("):
            print("  %s: %s" % (who, v))
    sys.stdout.flush()


def header(title):
    print("\n== " + title)
    print("  %-30s %18s %18s %8s" % ("", "this library", "pjproject 2.15.1", "ours/pj"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ours")
    p.add_argument("pjproject")
    p.add_argument("--ns", default="10000 100000")
    p.add_argument("--big-n", default="1000000")
    p.add_argument("--cg-ns", default="500 2500")
    a = p.parse_args()
    ns = [int(x) for x in a.ns.split()]
    big = [int(x) for x in a.big_n.split()]
    cg = [int(x) for x in a.cg_ns.split()]
    if len(cg) != 2 or cg[0] >= cg[1]:
        sys.exit("--cg-ns wants two counts, the smaller first")

    names = ["registrations/s", "CPU us/registration", "bytes/regc idle", "bytes/regc at last 2xx",
             "bytes/regc settled"]
    header("Throughput and memory (wall clock and CPU: best of 3 runs; memory: RSS / N)")
    for transport in TRANSPORTS:
        for auth in AUTHS:
            for n in ns + big:
                print("%s, N = %s" % (label(transport, auth), fmt(n, 0)))
                ours = attempt(throughput, a.ours, n, transport, auth)
                theirs = "not run" if n not in ns else attempt(throughput, a.pjproject, n, transport, auth)
                group(names, ours, theirs, [0, 1, 0, 0, 0])

    header("Instructions per operation (callgrind; marginal cost between N = %d and N = %d)" % tuple(cg))
    if not shutil.which("valgrind"):
        print("  n/a: valgrind is not installed")
        return
    # Instruction counts hardly depend on the load, so the two libraries'
    # runs go side by side (each callgrind run is single-threaded).
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [(transport, auth, [pool.submit(attempt, instructions, b, cg, transport, auth)
                                   for b in (a.ours, a.pjproject)])
                for transport in TRANSPORTS for auth in AUTHS]
        for transport, auth, (ours, theirs) in jobs:
            print(label(transport, auth))
            group(["registration", "unregistration", "automatic refresh"], ours.result(), theirs.result(), [0, 0, 0])
    print("\n(The whole process: the in-process UAS answering, the transactions, the transport and")
    print(" the regc. With digest auth the UAS challenges every REGISTER that carries no")
    print(" Authorization, so registration, refresh and unregistration each take two round trips.)")


if __name__ == "__main__":
    main()
