#!/usr/bin/env python3
"""Differential test: each C scenario of ctests/regc, built twice from the
same source and our headers (once against our library, once against real
pjproject from the pjsua2-python wheel, see oracle.sh), run against the same
test-registrar configuration; the normalised results are compared.

    python3 ctests/difftest/run.py [options] [SCENARIO ...]

SCENARIO is a name such as test_basic (default: every ctests/regc/test_*.c).
Run from the repository root. Python 3.11, stdlib only.

What is compared (per scenario, ours against the oracle)
  * checks: every CHECK / CHECK_INT / CHECK_STR, by site and occurrence,
    from the harness trace (REGC_TRACE). Values are normalised; a value that
    differs while the check passes on both sides (e.g. a random CSeq base
    compared with its own +1) counts as equal.
  * h_register / h_unregister results (status, callbacks so far).
  * callbacks: every field the harness records (status, code, reason,
    has_rdata, expiration, contact_cnt, contact URIs and expires, is_unreg,
    get_info from inside the callback) and its time (with a tolerance).
  * the wire, from the registrar logs of each h_setup: every request line
    and header line as sent (so header names and their order, Expires,
    Contact parameters, Authorization parameters and their order, Route
    placement, Content-Length spacing), CSeq steps, Call-ID stability, From
    tag and branch changes, the source port, the responses the registrar
    chose, and the arrival times (with a tolerance).
  * how the process ended (exit status, signal, oracle assertion) and
    sanitizer reports of our build.
Random values (tags, branches, Call-IDs, cnonces, nonces, responses, x-uid,
ports) are replaced by their shape (e.g. <uuid>, <hex32>, <port:client>).

A difference matching ctests/difftest/known_differences.txt is reported as
KNOWN and does not fail the scenario. Closing line:
    difftest: N passed, M failed
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import os
import re
import shlex
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))

OURS_CFLAGS = ("-std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L "
               "-fsanitize=address,undefined -g -Iinclude -Ictests/harness")
HARNESS = ["ctests/harness/regc_harness.c", "ctests/harness/registrar_client.c"]
SYSLIBS = "-lpthread -ldl -lm"
# A scenario whose source contains this word starts its own transports and
# is not run again per $REGC_TRANSPORT (see ctests/harness/regc_harness.h).
OWN_TRANSPORTS = "REGC_OWN_TRANSPORTS"


# ------------------------------------------------------------------ building

def newest_mtime(paths):
    m = 0.0
    for p in paths:
        try:
            m = max(m, os.path.getmtime(p))
        except OSError:
            pass
    return m


def build_one(kind, name, src, out, args):
    """Build one binary; returns (ok, message)."""
    inputs = [src] + HARNESS + glob.glob("ctests/harness/*.h") + \
        glob.glob("include/**/*.h", recursive=True)
    if kind == "ours" and args.hosted_static:
        inputs += [args.hosted_static, os.path.join(HERE, "oracle_init.c"), os.path.join(HERE, "oracle.sh")]
        cmd = [os.path.join(HERE, "oracle.sh"), "link", out, src] + HARNESS
    elif kind == "ours" and not args.self_test:
        inputs.append(args.lib)
        cmd = [args.cc] + shlex.split(OURS_CFLAGS) + ["-o", out, src] + HARNESS + \
            [args.lib] + shlex.split(SYSLIBS)
    else:
        inputs += [os.path.join(HERE, "oracle_init.c"), os.path.join(HERE, "oracle.sh")]
        cmd = [os.path.join(HERE, "oracle.sh"), "link", out, src] + HARNESS
    if os.path.exists(out) and os.path.getmtime(out) >= newest_mtime(inputs) and not args.rebuild:
        return True, "up to date"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if os.path.exists(out):
        os.unlink(out)
    env = dict(os.environ, CC=args.cc)
    if kind == "ours" and args.hosted_static:
        env["ORACLE_FIRST"] = args.hosted_static
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        lines = [l for l in (r.stderr + r.stdout).splitlines() if l.strip()]
        errs = [l for l in lines if "error" in l or "undefined reference" in l] or lines
        with open(out + ".build.log", "w") as f:
            f.write(" ".join(shlex.quote(c) for c in cmd) + "\n" + r.stdout + r.stderr)
        return False, "%s build failed (%s.build.log): %s" % (
            kind, out, "; ".join(errs[:3])[:600])
    return True, "built"


# ------------------------------------------------------------------ running

def run_one(binary, rundir, timeout, env_extra):
    os.makedirs(os.path.join(rundir, "logs"), exist_ok=True)
    for f in glob.glob(os.path.join(rundir, "logs", "*")):
        os.unlink(f)
    trace = os.path.join(rundir, "trace.txt")
    if os.path.exists(trace):
        os.unlink(trace)
    env = dict(os.environ)
    env.update(env_extra)
    env["REGC_TRACE"] = trace
    env["REGISTRAR_KEEP_LOGS"] = "1"
    env["REGISTRAR_LOG_DIR"] = os.path.join(rundir, "logs")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    t0 = time.monotonic()
    with open(os.path.join(rundir, "stdout.txt"), "wb") as so, \
            open(os.path.join(rundir, "stderr.txt"), "wb") as se:
        p = subprocess.Popen([os.path.abspath(binary)], stdout=so, stderr=se, stdin=subprocess.DEVNULL,
                             env=env, cwd=ROOT, start_new_session=True)
        timed_out = False
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc = p.wait()
    return {"rc": rc, "timed_out": timed_out, "secs": time.monotonic() - t0, "dir": rundir,
            "trace": trace}


def describe_exit(res):
    if res["timed_out"]:
        return "timed out (killed)"
    rc = res["rc"]
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %d" % rc


# ------------------------------------------------------------------ normalising

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
HEXRUN = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{16,}(?![0-9A-Za-z])")
RANDOM_PARAMS = re.compile(r"(?i)\b(tag|branch|x-uid|cnonce|nonce|response|nextnonce)=(\"?)([^\";,>\s]*)")
ADDR_PORT = re.compile(r"(?<=[:=])(\d{2,5})(?![0-9A-Za-z])")


# pjlib's unique strings (tags, Call-IDs, branch suffixes) are 36-character
# UUIDs with libuuid and 32 random characters ([A-Za-z0-9.-]) without it; the
# wheel's pjproject is built without libuuid. Both are shaped "<guid>" so that
# that build difference is not reported on every line (the lengths are still
# compared wherever a scenario checks them).
PJ_GUID32 = re.compile(r"[A-Za-z0-9.-]{32}")


def is_guid(v):
    # 32 random characters hold no digit once in about 230 draws: mixed
    # case is enough then.
    return bool(UUID.fullmatch(v) or (PJ_GUID32.fullmatch(v) and re.search(r"[A-Za-z]", v)
                                      and (re.search(r"\d", v)
                                           or (re.search(r"[a-z]", v) and re.search(r"[A-Z]", v)))))


def shape(v):
    """The shape of a random token: <guid>, <hexN>, <N:token>, <N:other>."""
    if not v or v.startswith("<"):
        return v
    if v.lower().startswith("z9hg4bk"):
        return v[:7] + shape(v[7:]) if len(v) > 7 else v
    if len(v) >= 8 and re.fullmatch(r"[0-9a-f]+", v):
        return "<hex%d>" % len(v)
    if v.startswith("Pj") and is_guid(v[2:]):
        return "Pj<guid>"
    if is_guid(v):
        return "<guid>"
    if re.fullmatch(r"[A-Za-z0-9._~-]+", v):
        return "<%d:token>" % len(v)  # RFC 3986 unreserved characters
    return "<%d:other>" % len(v)


# The transport of this run (--transport), for Ctx.
TRANSPORT = "udp"


class Ctx:
    """Normalisation context of one h_setup: which port plays which role.
    Ports near a known one (the registrar's "modified" contact mode adds 1)
    keep the offset; other ephemeral ports (32768-60999) become
    <port:ephemeral>; fixed ports (5060, 9) stay."""

    def __init__(self, client_port=0, registrar_port=0, registrar_tcp_port=0, server_port=0):
        self.roles = {}
        for port, role in ((client_port, "client"), (registrar_port, "registrar")):
            if port:
                for off in (-2, -1, 1, 2):
                    self.roles.setdefault(str(port + off), "<port:%s%+d>" % (role, off))
        # The sockets of the transport under test win: over udp6 or tls the
        # registrar's IPv4 UDP and TCP ports are other sockets, whose port
        # numbers the kernel may happen to give the client's or the server's
        # socket too (another family or protocol); naming by that accident
        # made one side say "registrar" where the other said
        # "registrar-server".
        for port, role in ((registrar_port, "registrar"), (registrar_tcp_port, "registrar-tcp"),
                           (client_port, "client")):
            if port:
                self.roles[str(port)] = "<port:%s>" % role
        # the registrar's port of the transport under test ($REGC_TRANSPORT):
        # by design its UDP port over udp and its TCP port over tcp
        by_design = {"udp": registrar_port, "tcp": registrar_tcp_port}.get(TRANSPORT)
        if server_port and server_port != by_design:
            self.roles[str(server_port)] = "<port:registrar-server>"

    def port(self, p):
        if p in self.roles:
            return self.roles[p]
        if 32768 <= int(p) <= 60999:
            return "<port:ephemeral>"
        return p

    @staticmethod
    def _param(m):
        name, q, v = m.group(1), m.group(2), m.group(3)
        if "<" in v:  # already a placeholder (a UUID inside it)
            return m.group(0)
        sh = shape(v)
        if name.lower() == "cnonce" and (sh == "<hex32>" or re.fullmatch(r"[A-Za-z0-9.]{24,32}", v)):
            # pjsip's cnonce is a pjlib unique string with its hyphens
            # removed: 32 hex digits with libuuid, up to 32 random
            # characters without (the wheel): both <guid>
            sh = "<guid>"
        return "%s=%s%s" % (name, q, sh)

    def norm(self, s):
        if s is None:
            return s
        s = UUID.sub("<guid>", s)
        s = RANDOM_PARAMS.sub(self._param, s)
        s = ADDR_PORT.sub(lambda m: self.port(m.group(1)), s)
        s = HEXRUN.sub(lambda m: "<hex%d>" % len(m.group(0)), s)
        return s


# ------------------------------------------------------------------ traces

CHECK_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+) (?P<expr>.*) = (?P<val>.*)\t\[(?P<verdict>ok|FAIL)(?: expected=(?P<exp>.*))?\]$")
CALL_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+) (?P<what>h_register\(autoreg=\d+\)|h_unregister) "
                     r"status=(?P<st>-?\d+) inside=(?P<cb>\d+) t_ms=(?P<t_ms>[\d.]+)$")
KV_RE = re.compile(r"([A-Za-z_][\w.]*)=(\"(?:\\.|[^\"\\])*\"|\S+)")


def parse_trace(path):
    """Returns a list of events (dicts) in trace order."""
    ev = []
    try:
        with open(path, encoding="latin-1") as f:
            lines = f.read().splitlines()
    except OSError:
        return ev
    setup = 0
    for ln in lines:
        if ln.startswith("setup "):
            kv = dict(KV_RE.findall(ln))
            setup = int(ln.split()[1])
            ev.append({"t": "setup", "n": setup, **kv})
            continue
        if ln.startswith("teardown "):
            kv = dict(KV_RE.findall(ln))
            ev.append({"t": "teardown", "n": int(ln.split()[1]), "callbacks": kv.get("callbacks"),
                       "t_ms": float(kv.get("t_ms", "0"))})
            continue
        if ln.startswith("cb "):
            kv = dict(KV_RE.findall(ln))
            ev.append({"t": "cb", "setup": setup, "fields": kv})
            continue
        if ln.startswith("summary "):
            ev.append({"t": "summary", "text": ln})
            continue
        if ln.startswith("oracle-assert "):
            ev.append({"t": "assert", "text": ln[len("oracle-assert "):], "setup": setup})
            continue
        m = CHECK_RE.match(ln)
        if m:
            d = m.groupdict()
            d["t"] = "check"
            d["path"] = d["file"]
            d["file"] = os.path.basename(d["file"])
            d["setup"] = setup
            ev.append(d)
            continue
        m = CALL_RE.match(ln)
        if m:
            d = m.groupdict()
            d["t"] = "call"
            d["path"] = d["file"]
            d["file"] = os.path.basename(d["file"])
            d["setup"] = setup
            ev.append(d)
            continue
        ev.append({"t": "other", "text": ln, "setup": setup})
    annotate_setups(ev)
    return ev


_FUNC_CACHE = {}
FUNC_DEF = re.compile(r"^(?!(?:if|for|while|switch|return|else|do)\b)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;]*$")


def enclosing_function(path, line):
    """Name of the C function whose body contains `line` (1-based)."""
    if path not in _FUNC_CACHE:
        try:
            with open(path, encoding="latin-1") as f:
                _FUNC_CACHE[path] = f.read().splitlines()
        except OSError:
            _FUNC_CACHE[path] = []
    src = _FUNC_CACHE[path]
    for i in range(min(line, len(src)) - 1, -1, -1):
        m = FUNC_DEF.match(src[i])
        if m:
            return m.group(1)
    return None


def annotate_setups(events):
    """Give each setup event a "test": the scenario function it belongs to.
    h_setup's caller when that is a test_* function; else (a helper such as
    run_auth) the first test_* function in which something of that setup is
    checked; else the caller."""
    setups = {e["n"]: e for e in events if e["t"] == "setup"}
    for e in setups.values():
        e["test"] = e.get("func", "?")
    done = {n for n, e in setups.items() if e["test"].startswith("test")}
    for e in events:
        if e["t"] in ("check", "call") and e.get("setup") in setups and e["setup"] not in done:
            fn = enclosing_function(e["path"], int(e["line"]))
            if fn and fn.startswith("test"):
                setups[e["setup"]]["test"] = fn
                done.add(e["setup"])


# ------------------------------------------------------------------ registrar logs

LOGHDR = re.compile(rb"^=== (\d+) ([\d.]+) (\S+) (\S+) len=(\d+)")


def read_log(path):
    recs = []
    if not path or path == "-":
        return recs
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return recs
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        m = LOGHDR.match(data[pos:nl])
        if not m:
            break
        n = int(m.group(5))
        start = nl + 1
        raw = data[start:start + n]
        recs.append({"t": float(m.group(2)), "transport": m.group(3).decode(),
                     "peer": m.group(4).decode(), "raw": raw.decode("latin-1")})
        pos = start + n + len(b"\n=== end\n")
    return recs


def split_msg(raw):
    head = raw.split("\r\n\r\n", 1)[0] if "\r\n\r\n" in raw else raw.split("\n\n", 1)[0]
    lines = re.split(r"\r?\n", head)
    out = []
    for l in lines:
        if l[:1] in (" ", "\t") and out:
            out[-1] += " " + l.strip()
        else:
            out.append(l)
    body = raw[len(head):]
    return out, body


def header_value(lines, name):
    compact = {"call-id": "i", "from": "f", "to": "t", "via": "v", "contact": "m", "cseq": None}
    for l in lines[1:]:
        n, _, v = l.partition(":")
        n = n.strip().lower()
        if n == name.lower() or (compact.get(name.lower()) and n == compact[name.lower()]):
            return v.strip()
    return None


def param_of(v, p):
    if v is None:
        return None
    m = re.search(r"(?i);\s*%s=([^;,>\s]*)" % re.escape(p), v.split(">", 1)[-1] if ">" in v else v)
    return m.group(1) if m else None


def classes(values):
    """['x','x','y'] -> 'A A B' (None -> '-')."""
    seen, out = {}, []
    for v in values:
        if v is None:
            out.append("-")
            continue
        if v not in seen:
            seen[v] = chr(ord("A") + len(seen) % 26)
        out.append(seen[v])
    return " ".join(out)


def ctx_of(setup_ev):
    """The port roles of one h_setup, from its trace line."""
    return Ctx(*(int(setup_ev.get(k, 0) or 0)
                 for k in ("port", "registrar_port", "registrar_tcp_port", "server_port")))


def wire_data(setup_ev):
    """The registrar's view of one h_setup: per request an ordered dict of
    normalised lines, the raw Call-ID / From tag / branch (for relations),
    arrival times relative to the first request, and the responses sent."""
    ctx = ctx_of(setup_ev)
    reqs = read_log(setup_ev.get("recv_log"))
    sent = read_log(setup_ev.get("sent_log"))
    out = []
    cseq0 = {}  # first CSeq number per Call-ID (one regc each)
    for r in reqs:
        lines, body = split_msg(r["raw"])
        cseq = header_value(lines, "CSeq")
        num = None
        if cseq:
            m = re.match(r"\s*(\d+)\s+(\S+)", cseq)
            if m:
                num = int(m.group(1))
                cseq0.setdefault(header_value(lines, "Call-ID"), num)
        # A connection's port is ephemeral in a port space of its own: it may
        # carry the number of another role's UDP port, so it is named first.
        conn = None
        if r["transport"] in ("TCP", "TLS"):
            conn = re.compile(r"(?<=:)%s(?![0-9A-Za-z])" % re.escape(r["peer"].rsplit(":", 1)[-1]))
        norm = (lambda t: ctx.norm(conn.sub("<port:connection>", t))) if conn else ctx.norm
        f = {"source": "%s %s" % (r["transport"], norm(r["peer"]))}
        for j, l in enumerate(lines):
            name = l.split(":", 1)[0].strip() if j else "request-line"
            v = l
            if j and name.lower() == "cseq" and num is not None:
                v = re.sub(r"\d+", "<cseq%+d>" % (num - cseq0[header_value(lines, "Call-ID")]), l, count=1)
            elif j and name.lower() in ("call-id", "i"):
                n, _, val = l.partition(":")
                left, at, host = val.strip().partition("@")
                v = "%s: %s%s%s" % (n, shape(left), at, host)
            f["h%02d %s" % (j, name)] = norm(v)
        if body.strip():
            f["body"] = ctx.norm(body)
        out.append({"f": f, "t": r["t"] - reqs[0]["t"],
                    "callid": header_value(lines, "Call-ID"),
                    "tag": param_of(header_value(lines, "From"), "tag"),
                    "branch": param_of(header_value(lines, "Via"), "branch")})
    resp = []
    for x in sent:
        first = re.split(r"\r?\n", x["raw"], 1)[0]
        resp.append(first.replace("SIP/2.0 ", ""))
    return out, resp


def teardown_rel(events, n):
    """Teardown time of setup n, relative to its first h_register (which is
    about when the first request reached the registrar), or None."""
    td, first = None, None
    for e in events:
        if e["t"] == "teardown" and e["n"] == n:
            td = e["t_ms"]
        elif e["t"] == "call" and e.get("setup") == n and first is None:
            first = float(e["t_ms"])
    if td is None:
        return None
    return td - (first or 0.0)


# ------------------------------------------------------------------ comparing

class Diff:
    def __init__(self, key, ours, oracle, note=""):
        self.key, self.ours, self.oracle, self.note = key, ours, oracle, note
        self.known = None

    def text(self):
        s = "%s: ours %s, oracle %s" % (self.key, self.ours, self.oracle)
        return s + (" (%s)" % self.note if self.note else "")


def within(a, b, tol_ms, tol_pct):
    return abs(a - b) <= max(tol_ms, tol_pct / 100.0 * max(abs(a), abs(b)))


def keyed_checks(events):
    """{(file:line expr, occurrence): event} in order, and per-site counts."""
    out, occ = {}, {}
    for e in events:
        if e["t"] == "check":
            site = "%s:%s %s" % (e["file"], e["line"], e["expr"])
        elif e["t"] == "call":
            site = "%s:%s %s" % (e["file"], e["line"], e["what"])
        else:
            continue
        n = occ.get(site, 0)
        occ[site] = n + 1
        out[(site, n)] = e
    return out


def setup_ctx(events):
    ctxs = {0: Ctx()}
    for e in events:
        if e["t"] == "setup":
            ctxs[e["n"]] = ctx_of(e)
    return ctxs


def norm_value(v, ctx):
    """A traced value: a quoted string that is one random token is shaped."""
    m = re.fullmatch(r'"(.*)"', v or "")
    if m and m.group(1) and not m.group(1).startswith("<") and shape(m.group(1)) in ("<guid>", "Pj<guid>"):
        return '"%s"' % shape(m.group(1))
    return ctx.norm(v)


def fmt_check(e, ctx):
    v = norm_value(e["val"], ctx)
    if e["verdict"] == "ok":
        return "%s [ok]" % v
    return "%s [FAIL expected=%s]" % (v, norm_value(e.get("exp") or "", ctx))


def compare(name, ours, oracle, res_o, res_p, args):
    diffs = []
    stats = {"checks": 0, "callbacks": 0, "requests": 0, "setups": 0}
    co, cp = setup_ctx(ours), setup_ctx(oracle)
    setups_o = {e["n"]: e for e in ours if e["t"] == "setup"}
    setups_p = {e["n"]: e for e in oracle if e["t"] == "setup"}
    last_p = oracle[-1] if oracle else None
    last_o = ours[-1] if ours else None

    def where(e):
        n = e.get("setup")
        s = setups_o.get(n) or setups_p.get(n)
        return (" (setup %d: %s)" % (n, s.get("test"))) if s else ""

    # -- process end
    po, pp = describe_exit(res_o), describe_exit(res_p)
    crash_o = res_o["timed_out"] or res_o["rc"] < 0
    crash_p = res_p["timed_out"] or res_p["rc"] < 0
    asserts = [e for e in oracle if e["t"] == "assert"]
    if crash_o != crash_p or (crash_o and po != pp):
        note = ""
        if asserts:
            note = "pjproject assertion: " + asserts[-1]["text"]
        diffs.append(Diff("%s:process" % name, po, pp, note))
    # -- sanitizers (ours only)
    try:
        err = open(os.path.join(res_o["dir"], "stderr.txt"), encoding="latin-1").read()
    except OSError:
        err = ""
    for pat, what in (("ERROR: AddressSanitizer", "AddressSanitizer error"),
                      ("ERROR: LeakSanitizer", "LeakSanitizer: leaks"),
                      ("runtime error:", "UBSan runtime error")):
        if pat in err:
            line = next((l for l in err.splitlines() if pat in l), "")
            diffs.append(Diff("%s:sanitizer" % name, "%s (%s)" % (what, line.strip()[:200]), "n/a (no sanitizer)",
                              "see %s/stderr.txt" % res_o["dir"]))

    # -- checks and h_register/h_unregister
    ko, kp = keyed_checks(ours), keyed_checks(oracle)
    missing_o, missing_p = [], []
    for key in list(ko) + [k for k in kp if k not in ko]:
        eo, ep = ko.get(key), kp.get(key)
        site, n = key
        label = "%s:%s%s" % (name, site, "" if n == 0 else " [#%d]" % (n + 1))
        if eo is None:
            missing_o.append(label)
            continue
        if ep is None:
            missing_p.append(label)
            continue
        stats["checks"] += 1
        xo, xp = co.get(eo["setup"], Ctx()), cp.get(ep["setup"], Ctx())
        if eo["t"] == "call":
            vo = "status=%s callbacks-inside=%s" % (eo["st"], eo["cb"])
            vp = "status=%s callbacks-inside=%s" % (ep["st"], ep["cb"])
            if vo != vp:
                diffs.append(Diff(label + where(eo), vo, vp))
            continue
        vo, vp = fmt_check(eo, xo), fmt_check(ep, xp)
        if vo == vp:
            continue
        if eo["verdict"] == "ok" and ep["verdict"] == "ok":
            # passed on both sides: the value depends on the run (a random
            # CSeq base compared with its own +1, a port)
            continue
        diffs.append(Diff(label + where(eo), vo, vp))
    if missing_p:
        why = describe_exit(res_p)
        if asserts:
            why += ", pjproject assertion: " + asserts[-1]["text"]
        diffs.append(Diff("%s:not-reached:oracle" % name, "%d trace items" % len(missing_p), "stopped (%s)" % why,
                          "first not reached: %s" % missing_p[0]))
    if missing_o:
        diffs.append(Diff("%s:not-reached:ours" % name, "stopped (%s)" % describe_exit(res_o),
                          "%d trace items" % len(missing_o), "first not reached: %s" % missing_o[0]))

    # -- callbacks, per setup and index
    def cbs(events):
        out, idx = {}, {}
        for e in events:
            if e["t"] == "cb":
                s = e["setup"]
                i = int(e["fields"].get("idx", idx.get(s, 0)))
                idx[s] = i + 1
                out[(s, i)] = e
        return out
    bo, bp = cbs(ours), cbs(oracle)
    reached_p = {e["n"] for e in oracle if e["t"] == "teardown"}
    reached_o = {e["n"] for e in ours if e["t"] == "teardown"}
    for key in sorted(set(bo) | set(bp)):
        s, i = key
        func = (setups_o.get(s) or setups_p.get(s) or {}).get("test", "?")
        label = "%s:setup%d(%s):cb%d" % (name, s, func, i)
        eo, ep = bo.get(key), bp.get(key)
        if eo is None or ep is None:
            # only meaningful when both sides completed that setup
            if s in reached_o and s in reached_p:
                diffs.append(Diff(label, "callback" if eo else "no callback", "callback" if ep else "no callback",
                                  "code=%s" % ((eo or ep)["fields"].get("code"))))
            continue
        stats["callbacks"] += 1
        xo, xp = co.get(s, Ctx()), cp.get(s, Ctx())
        fo, fp = eo["fields"], ep["fields"]
        for f in [k for k in fo] + [k for k in fp if k not in fo]:
            if f in ("setup", "idx"):
                continue
            a, b = fo.get(f), fp.get(f)
            if f == "t_ms":
                if a is not None and b is not None and within(float(a), float(b), args.tol_ms, args.tol_pct):
                    continue
                diffs.append(Diff(label + ".t_ms", a, b, "time since h_setup, tolerance %g ms/%g%%" % (args.tol_ms, args.tol_pct)))
                continue
            if f == "info.next_reg" and a is not None and b is not None and a.isdigit() and b.isdigit() \
                    and abs(int(a) - int(b)) <= 1:
                continue
            na, nb = xo.norm(a), xp.norm(b)
            if na != nb:
                diffs.append(Diff("%s.%s" % (label, f), na, nb))
    # teardown callback counts
    to = {e["n"]: e["callbacks"] for e in ours if e["t"] == "teardown"}
    tp = {e["n"]: e["callbacks"] for e in oracle if e["t"] == "teardown"}
    for s in sorted(set(to) & set(tp)):
        if to[s] != tp[s]:
            func = (setups_o.get(s) or {}).get("test", "?")
            diffs.append(Diff("%s:setup%d(%s):callbacks-at-teardown" % (name, s, func), to[s], tp[s]))

    # -- wire, per setup
    for s in sorted(set(setups_o) & set(setups_p)):
        so, sp = setups_o[s], setups_p[s]
        func = so.get("test", "?")
        label = "%s:setup%d(%s):wire" % (name, s, func)
        if not (s in reached_o and s in reached_p):
            continue  # a side stopped inside this setup: reported above
        stats["setups"] += 1
        ro, resp_o = wire_data(so)
        rp, resp_p = wire_data(sp)
        # Retransmissions that one side has in excess and that arrived just
        # when the other side's scenario tore this setup down (within the
        # time tolerance) race with the scenario's own waits: not compared.
        edge = ""
        if len(ro) != len(rp):
            longer, shorter_ev, who = (ro, oracle, "ours") if len(ro) > len(rp) else (rp, ours, "oracle")
            n_short = min(len(ro), len(rp))
            te = teardown_rel(shorter_ev, s)
            extra = longer[n_short:]
            earlier = {x["branch"] for x in longer[:n_short]}
            if te is not None and all(abs(x["t"] - te) <= args.tol_ms and x["branch"] in earlier
                                      for x in extra):
                edge = "%s has %d more request(s) at %s ms, at the other side's teardown (%.0f ms): timing race, not compared" % (
                    who, len(extra), ",".join("%.0f" % x["t"] for x in extra), te)
                del longer[n_short:]
                if len(resp_o) != len(resp_p):
                    m = min(len(resp_o), len(resp_p))
                    del resp_o[m:], resp_p[m:]
        if edge:
            stats.setdefault("edges", []).append("%s: %s" % (label, edge))
        stats["requests"] += max(len(ro), len(rp))
        common = min(len(ro), len(rp))
        fo, fp = {"requests": str(len(ro))}, {"requests": str(len(rp))}
        for side, reqs in ((fo, ro), (fp, rp)):
            for i, r in enumerate(reqs[:common]):
                for k, v in r["f"].items():
                    side["req%d.%s" % (i, k)] = v
            # requests only one side sent: one line each
            branches = [r["branch"] for r in reqs]
            for i, r in enumerate(reqs[common:], common):
                first = branches.index(r["branch"])
                side["req%d" % i] = "%s (%s, %s, at %.0f ms)" % (
                    r["f"].get("h00 request-line", "?").split(" ")[0],
                    next((v.split(":", 1)[1].strip() for k, v in r["f"].items() if k.endswith(" CSeq")), "?"),
                    "retransmission of req%d" % first if first < i else "new transaction", r["t"])
            if common:
                head = reqs[:common]
                side["relation Call-ID (per request)"] = classes([r["callid"] for r in head])
                side["relation From tag (per request)"] = classes([r["tag"] for r in head])
                side["relation Via branch (per request)"] = classes([r["branch"] for r in head])
        fo["registrar responses"] = ", ".join(resp_o)
        fp["registrar responses"] = ", ".join(resp_p)
        for k in [k for k in fo] + [k for k in fp if k not in fo]:
            a, b = fo.get(k), fp.get(k)
            if a != b:
                diffs.append(Diff("%s:%s" % (label, k), "(absent)" if a is None else repr(a),
                                  "(absent)" if b is None else repr(b)))
        for i in range(min(len(ro), len(rp))):
            if not within(ro[i]["t"], rp[i]["t"], args.tol_ms, args.tol_pct):
                diffs.append(Diff("%s:req%d.time" % (label, i), "%.0f ms" % ro[i]["t"], "%.0f ms" % rp[i]["t"],
                                  "since the first request, tolerance %g ms/%g%%" % (args.tol_ms, args.tol_pct)))
    return diffs, stats


# ------------------------------------------------------------------ known differences

HOSTED_MARK = "pjsip_regc served by pjsip-regc-rs hosted"


def hosted_served(rundir):
    """True when the preloaded run's pjsip log says the hosted library took
    over regc; otherwise what it said instead."""
    try:
        with open(os.path.join(rundir, "stdout.txt"), errors="replace") as f:
            text = f.read()
    except OSError:
        return "no stdout of the preloaded run"
    if HOSTED_MARK in text:
        return True
    for line in text.splitlines():
        if "regc-hosted" in line:
            return "the hosted library did not serve: " + line.strip()
    return "no line from the hosted library in the preloaded run's log"


def load_known(path):
    """Lines: <key glob> :: <reason>, or re:<regex> :: <reason> (matched
    against the whole difference text). '#' starts a comment line."""
    known = []
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if " :: " not in line:
                sys.stderr.write("%s:%d: no ' :: <reason>' (ignored)\n" % (path, n))
                continue
            pat, reason = line.split(" :: ", 1)
            pat = pat.strip()
            if pat.startswith("re:"):
                known.append(("re", re.compile(pat[3:]), reason.strip(), "%s:%d" % (path, n)))
            else:
                known.append(("glob", pat, reason.strip(), "%s:%d" % (path, n)))
    return known


def match_known(d, known):
    t = d.text()
    for kind, pat, reason, where in known:
        if kind == "glob" and (fnmatch.fnmatchcase(d.key, pat) or fnmatch.fnmatchcase(t, pat)):
            return reason, where
        if kind == "re" and pat.search(t):
            return reason, where
    return None


# ------------------------------------------------------------------ main

def load_not_compared(filename="not_compared.txt"):
    """Scenarios excluded from the comparison, with their reasons
    (ctests/difftest/not_compared.txt; hosted_not_compared.txt for --hosted)."""
    out = {}
    path = os.path.join(HERE, filename)
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#") and "::" in line:
                name, reason = line.split("::", 1)
                out[name.strip()] = reason.strip()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--build-dir", default="build/difftest")
    ap.add_argument("--lib", default="target/debug/libpjsip_regc.a")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--known", default=os.path.join(HERE, "known_differences.txt"))
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    ap.add_argument("--tol-ms", type=float, default=120.0, help="timing tolerance (absolute)")
    ap.add_argument("--tol-pct", type=float, default=10.0, help="timing tolerance (relative)")
    ap.add_argument("--serial", action="store_true", help="run ours and the oracle one after the other")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in --build-dir")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--self-test", action="store_true",
                    help="build the 'ours' side against the oracle too: every difference "
                         "then comes from randomness or timing, i.e. the normalisation")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print KNOWN differences in full")
    ap.add_argument("--hosted", metavar="SO",
                    help="compare the oracle binary run with SO (the hosted build) preloaded against the "
                         "oracle binary alone: pjproject's regc replaced inside real pjproject")
    ap.add_argument("--hosted-static", metavar="A",
                    help="like --hosted, with the program linked against A (the hosted build's static "
                         "archive) placed before pjproject instead of a preloaded library")
    ap.add_argument("--transport", default="udp",
                    help="REGC_TRANSPORT for both sides (udp, tcp, udp6, tcp6, ...); scenarios that "
                         "run their own transports (REGC_OWN_TRANSPORTS) are left out unless udp")
    args = ap.parse_args()
    global TRANSPORT
    TRANSPORT = args.transport
    os.chdir(ROOT)

    srcs = sorted(glob.glob("ctests/regc/test_*.c"))
    names = [os.path.splitext(os.path.basename(s))[0] for s in srcs]
    skipped = load_not_compared("hosted_not_compared.txt" if args.hosted or args.hosted_static
                                else "not_compared.txt")
    own_transports = set()
    if args.transport != "udp":
        for s in srcs:
            with open(s) as f:
                if OWN_TRANSPORTS in f.read():
                    own_transports.add(os.path.splitext(os.path.basename(s))[0])
        for n in own_transports:
            skipped[n] = "runs its own transports"
    if not args.scenarios:
        for n in [n for n in names if n in skipped]:
            print("%s: NOT COMPARED (%s)" % (n, skipped[n]))
        names = [n for n in names if n not in skipped]
    if args.scenarios:
        wanted = [s[:-2] if s.endswith(".c") else os.path.basename(s) for s in args.scenarios]
        bad = [w for w in wanted if w not in names]
        if bad:
            sys.exit("difftest: unknown scenario(s): %s" % " ".join(bad))
        # Naming a scenario still does not move one that starts its own
        # transports onto another transport (a not_compared one does run).
        for n in [n for n in wanted if n in own_transports]:
            print("%s: NOT COMPARED (%s)" % (n, skipped[n]))
        names = [n for n in wanted if n not in own_transports]
    if args.self_test:
        args.build_dir = os.path.join(args.build_dir, "self-test")
    if args.hosted_static:
        args.hosted_static = os.path.abspath(args.hosted_static)
        args.build_dir = os.path.join(args.build_dir, "hosted-static")
    hosted_lib = args.hosted or args.hosted_static
    if hosted_lib:
        if args.hosted:
            args.hosted = os.path.abspath(args.hosted)
        if not os.path.exists(hosted_lib):
            print("difftest: %s missing: run make hosted" % hosted_lib)
            print("difftest: 0 passed, %d failed" % len(names))
            return 1
    elif not os.path.exists(args.lib) and not args.no_build and not args.self_test:
        print("difftest: %s missing: build the library first" % args.lib)
        print("difftest: 0 passed, %d failed" % len(names))
        return 1
    if not args.no_build:
        r = subprocess.run([os.path.join(HERE, "oracle.sh"), "install"])
        if r.returncode != 0:
            print("difftest: oracle install failed")
            print("difftest: 0 passed, %d failed" % len(names))
            return 1

    known = load_known(args.known)
    bindir = os.path.join(args.build_dir, "bin")
    rundir = os.path.join(args.build_dir, "runs" if args.transport == "udp" else "runs-" + args.transport)
    env_extra = {"REGC_TRANSPORT": args.transport}
    env_ours = dict(env_extra)
    if args.hosted or args.hosted_static:
        rundir = os.path.join(args.build_dir, "runs-hosted" + ("" if args.transport == "udp" else "-" + args.transport))
        # The hosted library says at level 4 that it serves the process.
        env_extra["REGC_LOG_LEVEL"] = "4"
        env_ours = dict(env_extra, LD_PRELOAD=args.hosted) if args.hosted else dict(env_extra)
    t_start = time.monotonic()

    # build (two at a time)
    build = {}
    if not args.no_build:
        jobs = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            for n in names:
                src = "ctests/regc/%s.c" % n
                for kind in (("oracle",) if args.hosted else ("ours", "oracle")):
                    out = os.path.join(bindir, kind, n)
                    jobs.append((n, kind, ex.submit(build_one, kind, n, src, out, args)))
            for n, kind, fut in jobs:
                build[(n, kind)] = fut.result()
    passed = failed = 0
    for n in names:
        bp = os.path.join(bindir, "oracle", n)
        bo = bp if args.hosted else os.path.join(bindir, "ours", n)
        problems = []
        for kind, b in (("ours", bo), ("oracle", bp)):
            ok, msg = build.get((n, kind), (os.path.exists(b), "%s binary %s missing" % (kind, b)))
            if not ok or not os.path.exists(b):
                problems.append(msg)
        if problems:
            print("== %s" % n)
            diffs = [Diff("%s:build" % n, "", "", p) for p in problems]
            for d in diffs:
                d.known = match_known(d, known)
            for d in diffs:
                print("  %s %s:build: %s" % ("KNOWN" if d.known else "FAIL ", n, d.note))
                if d.known:
                    print("        reason: %s" % d.known[0])
            if all(d.known for d in diffs):
                print("%s: SKIPPED (build problem listed in known differences)" % n)
                passed += 1
            else:
                print("%s: FAIL (not built)" % n)
                failed += 1
            continue
        ro, rp = os.path.join(rundir, n, "ours"), os.path.join(rundir, n, "oracle")
        if args.serial:
            res_o = run_one(bo, ro, args.timeout, env_ours)
            res_p = run_one(bp, rp, args.timeout, env_extra)
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
                fo = ex.submit(run_one, bo, ro, args.timeout, env_ours)
                fp = ex.submit(run_one, bp, rp, args.timeout, env_extra)
                res_o, res_p = fo.result(), fp.result()
        ev_o, ev_p = parse_trace(res_o["trace"]), parse_trace(res_p["trace"])
        diffs, st = compare(n, ev_o, ev_p, res_o, res_p, args)
        if args.hosted or args.hosted_static:
            served = hosted_served(ro)
            if served is not True:
                diffs.append(Diff("%s:hosted" % n, "", "", served))
        for d in diffs:
            d.known = match_known(d, known)
        unknown = [d for d in diffs if not d.known]
        print("== %s: ours %s (%.1fs), oracle %s (%.1fs); compared %d checks/calls, %d callbacks, "
              "%d setups' wire (%d requests)" % (
                  n, describe_exit(res_o), res_o["secs"], describe_exit(res_p), res_p["secs"],
                  st["checks"], st["callbacks"], st["setups"], st["requests"]))
        for d in diffs:
            if d.known:
                if args.verbose:
                    print("  KNOWN %s" % d.text())
                    print("        reason: %s (%s)" % d.known)
                else:
                    print("  KNOWN %s -- %s" % (d.key, d.known[0]))
            else:
                print("  DIFF  %s" % d.text())
        if not ev_o and not ev_p:
            print("  (no trace from either side: is the harness built with REGC_TRACE support?)")
            unknown.append(Diff("%s:trace" % n, "none", "none"))
        for e in st.get("edges", []):
            print("  edge  %s" % e)
        own = sorted({"%s:%s" % (e["file"], e["line"]) for e in ev_p if e["t"] == "check" and e["verdict"] == "FAIL"})
        if own:
            print("  info: checks pjproject itself fails (scenario expectations it does not meet): %s" % " ".join(own))
        own = sorted({"%s:%s" % (e["file"], e["line"]) for e in ev_o if e["t"] == "check" and e["verdict"] == "FAIL"})
        if own:
            print("  info: checks our build fails: %s" % " ".join(own))
        print("%s: %s (%d differences, %d known)  traces: %s" % (
            n, "FAIL" if unknown else "PASS", len(unknown), len(diffs) - len(unknown),
            os.path.join(rundir, n)))
        if unknown:
            failed += 1
        else:
            passed += 1
    label = "difftest" if args.transport == "udp" else "difftest over %s" % args.transport
    if args.hosted:
        label = "hosted " + label
    elif args.hosted_static:
        label = "hosted-static " + label
    print("%s: %.0fs" % (label, time.monotonic() - t_start))
    print("%s: %d passed, %d failed" % (label, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
