#!/usr/bin/env python3
"""End-to-end test of the hosted build (libpjsip_regc_hosted.so, LD_PRELOADed
into a real pjproject process in place of its own pjsip_regc_*).

For each host (the pjsua2-python and pjsua2-pybind11 wheels, installed by
ctests/hosted/install_wheels.sh) and each case (a scenario of
ctests/hosted/pjsua2_scenario.py against a registrar: the project's
ctests/registrar.py or a real Kamailio, ctests/interop/kamailio.sh), the
same pjsua2 program runs twice:

    plain      python3.11 pjsua2_scenario.py ...
    preload    LD_PRELOAD=<--preload> python3.11 pjsua2_scenario.py ...

and the two runs are compared: the onRegState/onRegStarted callbacks (code,
reason, expiration +-1 s, time +-1 s), the account info at checkpoints, the
registrar's wire log normalised (request lines, header names in order and
values with tags, branches, Call-IDs, nonces, cnonces, digests, UUIDs and
ports replaced by labels in order of appearance, CSeq as steps per Call-ID,
retransmissions collapsed with their count +-1), Kamailio's request log
(same normalisation) and its location table at the program's checkpoints.
Every run must also meet the scenario's own expectations and the expected
Kamailio bindings. The preloaded run must have a pjsip log line from the
sender HOSTED_MARKER (the hosted library logs one when it takes over), the
plain run must not.

    python3 ctests/hosted/run_e2e.py [--preload PATH] [--plain-only |
        --compare-plain-twice] [--hosts H,..] [--cases PAT,..] [--jobs N]
        [--events poll|worker] [--no-kamailio] [--workdir DIR] [-v]

--plain-only: only the plain runs (and their own checks); the way to run it
before the hosted library exists. --compare-plain-twice: plain against
plain, which validates that the normalisation is stable. Without either,
the preload file must exist.

Prints one PASS/FAIL line per host and case (with the differences) and
closes with ``hosted-e2e: N passed, M failed``; exit status 1 on failure,
2 on set-up errors. Everything on 127.0.0.1 with OS-chosen ports; every
process it starts is stopped at exit (registrars also exit when their stdin
closes). Artifacts (pjsip logs, wire logs, JSON results) stay in
build/hosted-e2e/<host>/<case>/<run>/. Python 3.11 stdlib only.
"""

import argparse
import difflib
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

# The pjsip log sender the hosted library uses for its take-over line, e.g.
# "regc-hosted  pjsip_regc served by pjsip-regc-rs hosted <ver> (host pjproject 2.15.1)".
HOSTED_MARKER = 'regc-hosted'

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
HERE = os.path.join(ROOT, 'ctests', 'hosted')
SCENARIO = os.path.join(HERE, 'pjsua2_scenario.py')
REGISTRAR = os.path.join(ROOT, 'ctests', 'registrar.py')
KAMAILIO_SH = os.path.join(ROOT, 'ctests', 'interop', 'kamailio.sh')
KAMAILIO_SETUP = os.path.join(ROOT, 'ctests', 'interop', 'setup.sh')
INSTALL_WHEELS = os.path.join(HERE, 'install_wheels.sh')
DEFAULT_PRELOAD = os.path.join(ROOT, 'build', 'hosted', 'libpjsip_regc_hosted.so')
DEFAULT_HOSTS_DIR = os.path.join(ROOT, 'build', 'hosted-hosts')
DEFAULT_WORKDIR = os.path.join(ROOT, 'build', 'hosted-e2e')
HOSTS = ('pjsua2-python', 'pjsua2-pybind11')

REALM = 'hosted.test'
PASSWORD = 'secret'
EXPIRES = 8            # pjsip 2.14/2.15 (and the 2.17 rule) refresh it after 5 s
PROGRAM_LIMIT = 45.0   # the program's own watchdog
TIME_TOL = 1.0         # callback times, s
EXP_TOL = 1            # expirations, s
RETRANS_TOL = 1        # retransmission counts
KAM_SETTLE_MAX = 12.0  # wait for a leftover Kamailio binding to expire

REG_AUTH = {'realm': REALM, 'users': {'alice': PASSWORD, 'bob': PASSWORD},
            'auth': {}, 'max_expires': EXPIRES}

# Kamailio users per host index (its subscriber table: password "secret").
KAM_USERS = [
    {'basic': ['alice'], 'two-accounts': ['bob', 'carol'], 'wrong-password': ['dave']},
    {'basic': ['erin'], 'two-accounts': ['frank', 'grace'], 'wrong-password': ['heidi']},
]

# name, scenario, server ('registrar' | 'kamailio'), registrar config,
# extra program arguments, options.
CASES = [
    dict(name='basic@registrar', scenario='basic', server='registrar', config=REG_AUTH),
    dict(name='basic@kamailio', scenario='basic', server='kamailio'),
    dict(name='basic-tcp@registrar', scenario='basic', server='registrar', config=REG_AUTH,
         tcp=True, args=['--no-refresh']),
    dict(name='two-accounts@registrar', scenario='two-accounts', server='registrar', config=REG_AUTH),
    dict(name='two-accounts@kamailio', scenario='two-accounts', server='kamailio'),
    dict(name='wrong-password@registrar', scenario='wrong-password', server='registrar',
         config=REG_AUTH, wrong_password=True),
    dict(name='wrong-password@kamailio', scenario='wrong-password', server='kamailio',
         wrong_password=True),
    # Nothing answers (every transmission dropped): 408 at Timer F, shortened
    # to 64 * 50 ms through pjsip_tsx_set_timers (T2 1 s: no retransmission
    # near Timer F, so the count is stable).
    dict(name='no-answer@registrar', scenario='no-answer', server='registrar',
         config=dict(REG_AUTH, default={'drop': True}), args=['--tsx-timers', '50,1000']),
    # Challenge at once, then 100 Trying and the 200 only 1.5 s later: the
    # account is deleted at 0.6 s with its authenticated REGISTER pending,
    # the late 200 reaches the deleted registration at ~2.1 s, libDestroy at 2.6 s.
    dict(name='delete-pending@registrar', scenario='delete-pending', server='registrar',
         config=dict(REG_AUTH, default={'code': 200, 'delay_ms': 1500, 'trying': True})),
    # Silent registrar: the REGISTER is still being retransmitted (default
    # timers) when the account is deleted and when libDestroy runs.
    dict(name='delete-pending@silent', scenario='delete-pending', server='registrar',
         config=dict(REG_AUTH, default={'drop': True})),
]

# Kamailio location table expected at the checkpoints: account -> bindings.
EXPECT_BINDINGS = {
    'basic': {'after_register': {'a1': 1}, 'after_refresh': {'a1': 1}, 'after_unregister': {'a1': 0},
              'after_reregister': {'a1': 1}, 'after_destroy': {'a1': 0}},
    'two-accounts': {'after_register': {'a1': 1, 'a2': 1}, 'after_unregister_a1': {'a1': 0, 'a2': 1},
                     'after_unregister': {'a1': 0, 'a2': 0}, 'after_destroy': {'a1': 0, 'a2': 0}},
    'wrong-password': {'after_register': {'a1': 0}, 'after_destroy': {'a1': 0}},
}

PRINT_LOCK = threading.Lock()
CHILDREN = set()        # Popen objects to stop at exit
CHILDREN_LOCK = threading.Lock()


def say(*a):
    with PRINT_LOCK:
        print(*a, flush=True)


def track(p):
    with CHILDREN_LOCK:
        CHILDREN.add(p)
    return p


def untrack(p):
    with CHILDREN_LOCK:
        CHILDREN.discard(p)


def signal_proc(p, sig, group):
    try:
        if group:
            os.killpg(p.pid, sig)
        else:
            p.send_signal(sig)
    except ProcessLookupError:
        pass


def stop_proc(p, group=False, grace=3.0):
    if p.poll() is None:
        signal_proc(p, signal.SIGTERM, group)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            signal_proc(p, signal.SIGKILL, group)
            p.wait()
    untrack(p)


# ------------------------------------------------------------------ labels

class Labels:
    """Replaces random values by <kind><n>, n in order of first appearance."""

    def __init__(self, fixed_ports=None):
        self.maps = {}
        self.counts = {}
        self.cseq_base = {}
        if fixed_ports:
            self.maps['port'] = dict(fixed_ports)

    def get(self, kind, value):
        m = self.maps.setdefault(kind, {})
        if value not in m:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            m[value] = '%s%d' % (kind.upper(), self.counts[kind])
        return m[value]

    def cseq(self, callid_label, n):
        base = self.cseq_base.setdefault(callid_label, n)
        return 'cseq%+d' % (n - base)


PORT_RE = re.compile(r'(127\.0\.0\.1|localhost|\[::1\]):(\d+)')


def norm_ports(text, lab):
    return PORT_RE.sub(lambda m: '%s:%s' % (m.group(1), lab.get('port', m.group(2))), text)


def norm_value(text, lab):
    """Normalises the random parts of a header value (any header)."""
    text = re.sub(r'\s+', ' ', text).strip()
    text = re.sub(r'(branch=)([^;,\s>]+)', lambda m: m.group(1) + lab.get('branch', m.group(2)), text)
    text = re.sub(r'(;\s*tag=)([^;,\s>]+)', lambda m: m.group(1) + lab.get('tag', m.group(2)), text)
    text = re.sub(r'(\bcnonce=)("[^"]*"|[^,\s]+)', lambda m: m.group(1) + lab.get('cnonce', m.group(2)), text)
    text = re.sub(r'(\bnonce=)("[^"]*"|[^,\s]+)', lambda m: m.group(1) + lab.get('nonce', m.group(2)), text)
    text = re.sub(r'(\bresponse=)("[^"]*"|[^,\s]+)', r'\1<digest>', text)
    text = re.sub(r'(urn:uuid:)([0-9a-fA-F-]+)', lambda m: m.group(1) + lab.get('uuid', m.group(2)), text)
    text = re.sub(r'(\brport=)(\d+)', lambda m: m.group(1) + lab.get('port', m.group(2)), text)
    text = norm_ports(text, lab)
    return text


def norm_header(name, value, lab):
    lname = name.lower()
    if lname in ('call-id', 'i'):
        return '%s: %s' % (name, lab.get('callid', value.strip()))
    if lname == 'cseq':
        m = re.match(r'\s*(\d+)\s+(\S+)', value)
        if m:
            return '%s: <cseq> %s' % (name, m.group(2))
    return '%s: %s' % (name, norm_value(value, lab))


def norm_sip(raw, lab):
    """A received request -> list of normalised lines (request line first)."""
    text = raw.decode('utf-8', 'replace')
    head = text.split('\r\n\r\n', 1)[0] if '\r\n\r\n' in text else text.split('\n\n', 1)[0]
    lines = [l for l in re.split(r'\r?\n', head) if l != '']
    if not lines:
        return []
    out = [norm_ports(re.sub(r'\s+', ' ', lines[0]).strip(), lab)]
    callid = None
    cseq = None
    for l in lines[1:]:
        if ':' not in l:
            out.append('?? ' + norm_value(l, lab))
            continue
        name, value = l.split(':', 1)
        name = name.strip()
        out.append(norm_header(name, value, lab))
        if name.lower() in ('call-id', 'i'):
            callid = lab.get('callid', value.strip())
        elif name.lower() == 'cseq':
            m = re.match(r'\s*(\d+)', value)
            cseq = int(m.group(1)) if m else None
    # CSeq as a step from the first CSeq of the Call-ID.
    if callid is not None and cseq is not None:
        step = lab.cseq(callid, cseq)
        out = [re.sub(r'^(CSeq: )<cseq>', lambda m: m.group(1) + step, l, flags=re.I) for l in out]
    return out


REC_RE = re.compile(rb'=== (\d+) ([\d.]+) (UDP|TCP|TLS) (\S+):(\d+) len=(\d+)( sent)?\n')


def parse_registrar_log(path):
    """The registrar's --log file -> [(ms, proto, src_port, raw bytes)]."""
    try:
        data = open(path, 'rb').read()
    except OSError:
        return []
    out = []
    pos = 0
    while True:
        m = REC_RE.search(data, pos)
        if not m:
            break
        n = int(m.group(6))
        body = data[m.end():m.end() + n]
        out.append((float(m.group(2)), m.group(3).decode(), m.group(5).decode(), body))
        pos = m.end() + n
    return out


def normalise_wire(records, lab):
    """Collapses consecutive identical normalised requests (retransmissions)."""
    out = []
    for ms, proto, port, raw in records:
        lines = ['%s from %s' % (proto, lab.get('port', port))] + norm_sip(raw, lab)
        if out and out[-1]['lines'] == lines:
            out[-1]['count'] += 1
        else:
            out.append({'lines': lines, 'count': 1, 'ms': ms})
    return out


# ------------------------------------------------------------------ Kamailio

class Kamailio:
    def __init__(self, rundir):
        self.rundir = rundir
        self.env = {}
        self.lock = threading.Lock()
        self.started = False

    def start(self):
        r = subprocess.run([KAMAILIO_SH, 'start', self.rundir], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError('kamailio.sh start failed: %s%s' % (r.stdout, r.stderr))
        self.started = True
        for line in open(os.path.join(self.rundir, 'env')):
            m = re.match(r'export (\w+)=(.*)', line.strip())
            if m:
                self.env[m.group(1)] = m.group(2)
        return r.stdout.strip()

    def stop(self):
        if self.started:
            subprocess.run([KAMAILIO_SH, 'stop', self.rundir], capture_output=True, timeout=30)
            self.started = False

    def alive(self):
        try:
            os.kill(int(self.env['KAM_PID']), 0)
            return True
        except (OSError, KeyError, ValueError):
            return False

    @property
    def server(self):
        return self.env['KAM_SERVER']

    @property
    def realm(self):
        return self.env['KAM_REALM']

    def lookup(self, user):
        """Bindings of sip:user@realm (usrloc use_domain 0: the AoR is the
        user name): [{'address', 'expires', 'callid', 'cseq'}], None on error."""
        r = subprocess.run(['kamcmd', '-s', self.env['KAM_CTL'], 'ul.lookup', 'location', user],
                           capture_output=True, text=True, timeout=10)
        text = r.stdout + r.stderr
        if 'AOR not found' in text or 'AOR has no contacts' in text:
            return []
        if r.returncode != 0:
            return None
        out = []
        for line in text.splitlines():
            m = re.match(r'\s*(Address|Expires|Call-ID|CSeq):\s*(.*)', line)
            if not m:
                continue
            k, v = m.group(1), m.group(2).strip()
            if k == 'Address':
                out.append({'address': v})
            elif out:
                out[-1][{'Expires': 'expires', 'Call-ID': 'callid', 'CSeq': 'cseq'}[k]] = v
        return out

    def wait_empty(self, users, limit=KAM_SETTLE_MAX):
        end = time.monotonic() + limit
        while True:
            left = [u for u in users if self.lookup(u)]
            if not left or time.monotonic() > end:
                return left
            time.sleep(0.25)

    def log_size(self):
        try:
            return os.path.getsize(self.env['KAM_LOG'])
        except OSError:
            return 0

    def log_since(self, offset):
        with open(self.env['KAM_LOG'], 'rb') as f:
            f.seek(offset)
            return f.read().decode('utf-8', 'replace')


def kam_auth(value, lab):
    """Kamailio's nonces carry a timestamp (one per second): which
    challenges share a nonce, and so the nonce-count a client sends, depend
    on the second boundaries, not on the client. Both are masked."""
    v = norm_value(value, lab)
    v = re.sub(r'\bnonce=NONCE\d+', 'nonce=<nonce>', v)
    return re.sub(r'\bnc=[0-9a-fA-F]+', 'nc=<nc>', v)


def kam_rx(text, users, lab):
    """Kamailio's INTEROP lines for the run's users -> normalised lines."""
    lines = [l for l in text.splitlines() if 'INTEROP ' in l]
    callids = set()
    for l in lines:
        m = re.search(r'INTEROP RX\|.*\|ci=([^|]*)\|.*\|tu=([^|]*)\|', l)
        if m and m.group(2) in users:
            callids.add(m.group(1))
    out = []
    for l in lines:
        m = re.search(r'INTEROP (\w+)\|(.*)$', l)
        if not m:
            continue
        fields = {}
        body = m.group(2)
        # auth=... is last and may contain '|'-free commas: split on '|'
        for part in body.rstrip('|').split('|'):
            if '=' in part:
                k, v = part.split('=', 1)
                fields[k] = v
        ci = fields.get('ci')
        if ci not in callids:
            continue
        cil = lab.get('callid', ci)
        cs = lab.cseq(cil, int(fields['cs'])) if fields.get('cs', '').isdigit() else fields.get('cs')
        if m.group(1) == 'RX':
            out.append('RX %s %s src=%s ci=%s %s tu=%s exp=%s ct=%s auth=%s' % (
                fields.get('m'), fields.get('proto'), norm_ports(fields.get('src', ''), lab), cil, cs,
                fields.get('tu'), fields.get('exp'), norm_value(fields.get('ct', ''), lab),
                kam_auth(fields.get('auth', ''), lab)))
        else:
            rest = ' '.join('%s=%s' % (k, v) for k, v in fields.items() if k not in ('ci', 'cs'))
            out.append('%s ci=%s %s %s' % (m.group(1), cil, cs, rest))
    return out


# ------------------------------------------------------------------ one run

class Run:
    """One execution of pjsua2_scenario.py (plain or preloaded)."""

    def __init__(self, host, case, label, preload, opts, kam, kam_users, outdir):
        self.host, self.case, self.label = host, case, label
        self.preload, self.opts, self.kam, self.kam_users = preload, opts, kam, kam_users
        self.dir = outdir
        self.result = None
        self.rc = None
        self.problems = []          # the run's own failures
        self.wire = []
        self.kam_lines = []
        self.bindings = {}          # checkpoint -> acc -> [binding]
        self.marker = False
        self.wall = 0.0

    def registrar_start(self, config, tcp):
        args = [sys.executable, REGISTRAR, '--config', json.dumps(config),
                '--log', os.path.join(self.dir, 'registrar.log'),
                '--sent-log', os.path.join(self.dir, 'registrar.sent.log')]
        if tcp:
            args.append('--tcp')
        err = open(os.path.join(self.dir, 'registrar.stderr'), 'w')
        p = track(subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                   start_new_session=True))
        err.close()
        ready, _, _ = select.select([p.stdout], [], [], 10)
        line = p.stdout.readline().decode() if ready else ''
        m = re.match(r'PORT (\d+)(?: (\d+))?', line)
        if not m:
            stop_proc(p, group=True)
            raise RuntimeError('registrar did not start: %r' % line)
        return p, int(m.group(1)), int(m.group(2) or 0)

    def execute(self):
        os.makedirs(self.dir, exist_ok=True)
        case, host_dir = self.case, os.path.join(self.opts.hosts_dir, self.host)
        reg = None
        fixed_ports = {}
        users = self.kam_users if case['server'] == 'kamailio' else (
            ['alice', 'bob'] if case['scenario'] == 'two-accounts' else ['alice'])
        password = 'wrong-' + PASSWORD if case.get('wrong_password') else PASSWORD
        try:
            if case['server'] == 'kamailio':
                if not self.kam.alive():
                    raise RuntimeError('Kamailio is not running any more (killed from outside?)')
                left = self.kam.wait_empty(users)
                if left:
                    self.problems.append('Kamailio still has bindings for %s before the run' % left)
                uri = self.kam.server
                domain = self.kam.realm
                kam_offset = self.kam.log_size()
                fixed_ports[str(self.kam.env['KAM_UDP_PORT'])] = 'KAM'
            else:
                reg, udp, tcp = self.registrar_start(case['config'], case.get('tcp'))
                port = tcp if case.get('tcp') else udp
                uri = 'sip:127.0.0.1:%d' % port
                domain = REALM
                fixed_ports[str(udp)] = 'REG'
                if tcp:
                    fixed_ports[str(tcp)] = 'REGTCP'
            pj_log = os.path.join(self.dir, 'pj.log')
            cmd = [self.opts.python, SCENARIO, host_dir, uri, users[0], password,
                   '--scenario', case['scenario'], '--domain', domain, '--expires', str(EXPIRES),
                   '--pj-log', pj_log, '--log-level', str(self.opts.log_level),
                   '--events', self.opts.events, '--limit', str(PROGRAM_LIMIT)]
            if len(users) > 1:
                cmd += ['--user2', users[1], '--password2', password]
            if case.get('tcp'):
                cmd.append('--tcp')
            cmd += case.get('args', [])
            self.spawn(cmd, pj_log)
        finally:
            if reg is not None:
                if reg.poll() is not None:
                    self.problems.append('the registrar exited during the run (status %s): killed from outside?'
                                         % reg.returncode)
                try:
                    reg.stdin.close()          # the registrar exits on stdin EOF
                    reg.wait(3)
                except (subprocess.TimeoutExpired, OSError):
                    pass
                stop_proc(reg, group=True)
        lab = Labels(fixed_ports)
        if case['server'] == 'kamailio':
            self.kam_lines = kam_rx(self.kam.log_since(kam_offset), users, lab)
            self.bindings = {cp: {acc: [self.norm_binding(b, lab) for b in bl] for acc, bl in m.items()}
                             for cp, m in self.raw_bindings.items()}
            self.check_bindings()
        else:
            self.wire = normalise_wire(parse_registrar_log(os.path.join(self.dir, 'registrar.log')), lab)
        with open(os.path.join(self.dir, 'normalised.json'), 'w') as f:
            json.dump({'wire': self.wire, 'kamailio': self.kam_lines, 'bindings': self.bindings}, f, indent=1)

    def spawn(self, cmd, pj_log):
        env = dict(os.environ)
        env.pop('LD_PRELOAD', None)
        env.pop('PYTHONPATH', None)
        if self.preload:
            env['LD_PRELOAD'] = self.preload
        with open(os.path.join(self.dir, 'cmd.txt'), 'w') as f:
            f.write(('LD_PRELOAD=%s ' % self.preload if self.preload else '') + ' '.join(cmd) + '\n')
        r_fd, w_fd = os.pipe()
        cmd = cmd + ['--sync-fd', str(w_fd)]
        err = open(os.path.join(self.dir, 'stderr.txt'), 'w')
        t0 = time.monotonic()
        p = track(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                   pass_fds=(w_fd,), env=env, cwd=ROOT, start_new_session=True))
        err.close()
        os.close(w_fd)
        out = []
        reader = threading.Thread(target=lambda: out.append(p.stdout.read()), daemon=True)
        reader.start()
        self.raw_bindings = {}
        deadline = t0 + PROGRAM_LIMIT + 15
        buf = b''
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.problems.append('program still running after %.0f s: killed' % (PROGRAM_LIMIT + 15))
                    break
                ready, _, _ = select.select([r_fd], [], [], min(left, 1.0))
                if not ready:
                    continue
                chunk = os.read(r_fd, 4096)
                if not chunk:
                    break
                buf += chunk
                while b'\n' in buf:
                    line, buf = buf.split(b'\n', 1)
                    m = re.match(rb'CHECKPOINT (\S+)', line)
                    if m:
                        self.at_checkpoint(m.group(1).decode())
                    try:
                        p.stdin.write(b'go\n')
                        p.stdin.flush()
                    except OSError:
                        pass
        finally:
            os.close(r_fd)
            try:
                p.stdin.close()
            except OSError:
                pass
            try:
                p.wait(max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            stop_proc(p, group=True)
            reader.join(5)
        self.wall = time.monotonic() - t0
        self.rc = p.returncode
        text = (out[0] if out else b'').decode('utf-8', 'replace').strip()
        with open(os.path.join(self.dir, 'result.json'), 'w') as f:
            f.write(text + '\n')
        try:
            self.result = json.loads(text.splitlines()[-1]) if text else None
        except ValueError:
            self.result = None
        if self.rc != 0:
            self.problems.append('program exit status %s (see %s)' % (self.rc, os.path.join(self.dir, 'stderr.txt')))
        if self.result is None:
            self.problems.append('no JSON result on stdout')
        else:
            for e in self.result.get('errors', []):
                self.problems.append('program error: ' + e)
            for c in self.result.get('checks', []):
                self.problems.append('program check: ' + c)
        self.marker = marker_in(pj_log)

    def at_checkpoint(self, name):
        if self.case['server'] != 'kamailio':
            return
        snap = {}
        for acc, user in zip(('a1', 'a2'), self.kam_users):
            snap[acc] = self.kam.lookup(user)
        self.raw_bindings[name] = snap

    @staticmethod
    def norm_binding(b, lab):
        if b is None:
            return None
        cil = lab.get('callid', b.get('callid', ''))
        cseq = b.get('cseq', '')
        return {'address': norm_value(b.get('address', ''), lab), 'callid': cil,
                'cseq': lab.cseq(cil, int(cseq)) if cseq.isdigit() else cseq,
                'expires': int(b['expires']) if b.get('expires', '').lstrip('-').isdigit() else b.get('expires')}

    def check_bindings(self):
        exp = EXPECT_BINDINGS.get(self.case['scenario'], {})
        for cp, accs in exp.items():
            got = self.bindings.get(cp)
            if got is None:
                self.problems.append('Kamailio: checkpoint %s not reached' % cp)
                continue
            for acc, n in accs.items():
                bl = got.get(acc)
                if bl is None:
                    self.problems.append('Kamailio %s: ul.lookup for %s failed' % (cp, acc))
                elif len(bl) != n:
                    self.problems.append('Kamailio %s: %s has %d binding(s), expected %d: %s'
                                         % (cp, acc, len(bl), n, bl))
                elif n and not all(isinstance(b['expires'], int) and EXPIRES - 2 <= b['expires'] <= EXPIRES
                                   for b in bl):
                    self.problems.append('Kamailio %s: %s binding expiry not in %d..%d: %s'
                                         % (cp, acc, EXPIRES - 2, EXPIRES, bl))


def marker_in(path):
    pat = re.compile(r'(^|\s)%s(\s|$)' % re.escape(HOSTED_MARKER))
    try:
        with open(path, errors='replace') as f:
            return any(pat.search(l) for l in f)
    except OSError:
        return False


# ------------------------------------------------------------------ comparison

def events_of(run):
    return run.result.get('events', []) if run.result else []


def render_event(e):
    if e['kind'] == 'state':
        return '%s onRegState code=%s reason=%r expiration=%s' % (e['acc'], e['code'], e['reason'], e['expiration'])
    return '%s onRegStarted renew=%s' % (e['acc'], e['renew'])


# --events of this run (see main).
EVENTS_MODE = 'poll'


def comparable(events):
    """With a worker thread polling, pjsua's onRegStarted races the
    response: pjsua reports it after pjsip_regc_send returns and only while
    the account still has its regc, so the response's onRegState can come
    first, or (an unregistration already complete) onRegStarted not at all;
    both seen in plain pjsua2 runs. Worker runs compare onRegState only;
    poll runs, where nothing races, compare both."""
    return [e for e in events if EVENTS_MODE != 'worker' or e['kind'] == 'state']


def compare_events(a, b, diffs):
    ea, eb = comparable(events_of(a)), comparable(events_of(b))
    same_shape = len(ea) == len(eb) and all(
        x['kind'] == y['kind'] and x['acc'] == y['acc'] and
        (x['kind'] != 'state' or (x['code'], x['reason']) == (y['code'], y['reason'])) and
        (x['kind'] != 'started' or x['renew'] == y['renew'])
        for x, y in zip(ea, eb))
    if not same_shape:
        diffs.append('callbacks differ:\n' + udiff([render_event(e) for e in ea], [render_event(e) for e in eb],
                                                   a.label, b.label))
        return
    for i, (x, y) in enumerate(zip(ea, eb)):
        if x['kind'] == 'state' and abs(x['expiration'] - y['expiration']) > EXP_TOL:
            diffs.append('callback %d (%s): expiration %s vs %s' % (i, render_event(x), x['expiration'], y['expiration']))
        (sx, dx), (sy, dy) = since_step(a, x), since_step(b, y)
        if sx != sy or abs(dx - dy) > TIME_TOL:
            diffs.append('callback %d (%s): %.3f s after %s vs %.3f s after %s' % (i, render_event(x), dx, sx, dy, sy))


def since_step(run, ev):
    """(last main-thread step before the event, seconds since it): a late
    refresh shows once, not in every later callback."""
    last = ('start', 0.0)
    for st in run.result.get('steps', []):
        if st['t'] <= ev['t']:
            last = ('%s(%s)' % (st['step'], st.get('acc', '')), st['t'])
    return last[0], round(ev['t'] - last[1], 3)


def compare_checkpoints(a, b, diffs):
    ca = {c['name']: c['acc_info'] for c in (a.result or {}).get('checkpoints', [])}
    cb = {c['name']: c['acc_info'] for c in (b.result or {}).get('checkpoints', [])}
    if list(ca) != list(cb):
        diffs.append('checkpoints differ: %s vs %s' % (list(ca), list(cb)))
        return
    for name in ca:
        for acc in sorted(set(ca[name]) | set(cb[name])):
            x, y = ca[name].get(acc), cb[name].get(acc)
            if x is None or y is None or set(x) != set(y):
                diffs.append('account info %s/%s: %s vs %s' % (name, acc, x, y))
                continue
            for k in x:
                vx, vy = x[k], y[k]
                if k == 'regExpiresSec' and isinstance(vx, int) and isinstance(vy, int) and \
                        vx < 1 << 30 and vy < 1 << 30:
                    ok = abs(vx - vy) <= EXP_TOL
                else:
                    ok = vx == vy
                if not ok:
                    diffs.append('account info %s/%s %s: %s vs %s' % (name, acc, k, vx, vy))


def compare_wire(a, b, diffs):
    ta = [l for r in a.wire for l in r['lines'] + ['']]
    tb = [l for r in b.wire for l in r['lines'] + ['']]
    if ta != tb:
        diffs.append('registrar wire log differs (normalised):\n' + udiff(ta, tb, a.label, b.label))
        return
    for i, (x, y) in enumerate(zip(a.wire, b.wire)):
        if abs(x['count'] - y['count']) > RETRANS_TOL:
            diffs.append('request %d (%s): sent %d times vs %d' % (i, x['lines'][1], x['count'], y['count']))


def compare_kamailio(a, b, diffs):
    if a.kam_lines != b.kam_lines:
        diffs.append('Kamailio request log differs (normalised):\n' + udiff(a.kam_lines, b.kam_lines, a.label, b.label))
    if list(a.bindings) != list(b.bindings):
        diffs.append('Kamailio checkpoints differ: %s vs %s' % (list(a.bindings), list(b.bindings)))
        return
    for cp in a.bindings:
        for acc in sorted(set(a.bindings[cp]) | set(b.bindings[cp])):
            x, y = a.bindings[cp].get(acc), b.bindings[cp].get(acc)
            if x is None or y is None or len(x) != len(y):
                diffs.append('Kamailio bindings %s/%s: %s vs %s' % (cp, acc, x, y))
                continue
            for bx, by in zip(x, y):
                ex, ey = bx.get('expires'), by.get('expires')
                tol = isinstance(ex, int) and isinstance(ey, int) and abs(ex - ey) <= EXP_TOL
                if {k: v for k, v in bx.items() if k != 'expires'} != \
                        {k: v for k, v in by.items() if k != 'expires'} or not (tol or ex == ey):
                    diffs.append('Kamailio binding %s/%s: %s vs %s' % (cp, acc, bx, by))


def udiff(a, b, la, lb, limit=60):
    d = list(difflib.unified_diff(a, b, la, lb, lineterm='', n=2))
    if len(d) > limit:
        d = d[:limit] + ['... (%d more lines)' % (len(d) - limit)]
    return '\n'.join('      ' + l for l in d)


def compare(a, b):
    diffs = []
    if a.result and b.result:
        compare_events(a, b, diffs)
        compare_checkpoints(a, b, diffs)
    if a.case['server'] == 'kamailio':
        compare_kamailio(a, b, diffs)
    else:
        compare_wire(a, b, diffs)
    return diffs


# ------------------------------------------------------------------ driver

def run_case(host, hidx, case, opts, kam):
    base = os.path.join(opts.workdir, host, case['name'].replace('@', '_at_'))
    kam_users = KAM_USERS[hidx][case['scenario']] if case['server'] == 'kamailio' else []
    if opts.mode == 'plain-only':
        labels = [('plain', None)]
    elif opts.mode == 'plain-twice':
        labels = [('plain', None), ('plain2', None)]
    else:
        labels = [('plain', None), ('preload', opts.preload)]
    runs = []
    problems = []
    for label, preload in labels:
        r = Run(host, case, label, preload, opts, kam, kam_users, os.path.join(base, label))
        try:
            r.execute()
        except Exception as e:  # set-up failure of this run
            r.problems.append('%s: %s' % (type(e).__name__, e))
        runs.append(r)
        for p in r.problems:
            problems.append('%s run: %s' % (label, p))
        want_marker = preload is not None
        if r.marker != want_marker:
            problems.append('%s run: pjsip log %s (%s)' % (
                label, 'has a line from "%s" (hosted library active)' % HOSTED_MARKER if r.marker else
                'has no line from "%s" (hosted library not active)' % HOSTED_MARKER, os.path.join(r.dir, 'pj.log')))
    diffs = compare(runs[0], runs[1]) if len(runs) == 2 and all(r.result for r in runs) else []
    ok = not problems and not diffs
    times = ', '.join('%s %.1f s' % (r.label, r.wall) for r in runs)
    lines = ['%s %s %s (%s)' % ('PASS' if ok else 'FAIL', host, case['name'], times)]
    for p in problems:
        lines.append('    ' + p)
    for d in diffs:
        lines.append('    ' + d)
    if opts.verbose and runs[0].result:
        for e in events_of(runs[0]):
            lines.append('      %7.3f %s' % (e['t'], render_event(e)))
        if runs[0].wire:
            lines.append('      wire: ' + '; '.join('%s%s' % (w['lines'][1].split(' sip:')[0] + ' ' +
                                                           next((l for l in w['lines'] if l.startswith('Expires')), ''),
                                                           ' x%d' % w['count'] if w['count'] > 1 else '')
                                                    for w in runs[0].wire))
    say('\n'.join(lines))
    return ok


def parse_args(argv):
    p = argparse.ArgumentParser(description='Hosted build end-to-end test (see the module docstring).')
    p.add_argument('--preload', default=DEFAULT_PRELOAD, help='the hosted library (%(default)s)')
    g = p.add_mutually_exclusive_group()
    g.add_argument('--plain-only', action='store_true', help='only the plain runs')
    g.add_argument('--compare-plain-twice', action='store_true', help='plain vs plain (normalisation check)')
    p.add_argument('--hosts', default=','.join(HOSTS), help='comma-separated (%(default)s)')
    p.add_argument('--cases', default='', help='comma-separated substrings of case names (default all)')
    p.add_argument('--jobs', type=int, default=2, help='hosts run in parallel (%(default)s)')
    p.add_argument('--events', choices=('poll', 'worker'), default='poll', help='see pjsua2_scenario.py')
    p.add_argument('--no-kamailio', action='store_true', help='skip the Kamailio cases')
    p.add_argument('--python', default='python3.11', help='interpreter of the program (cp311 wheels)')
    p.add_argument('--log-level', type=int, default=4)
    p.add_argument('--hosts-dir', default=DEFAULT_HOSTS_DIR)
    p.add_argument('--workdir', default=DEFAULT_WORKDIR)
    p.add_argument('--list', action='store_true', help='list the cases and exit')
    p.add_argument('-v', '--verbose', action='store_true')
    o = p.parse_args(argv)
    o.mode = 'plain-only' if o.plain_only else 'plain-twice' if o.compare_plain_twice else 'preload'
    o.hosts = [h for h in o.hosts.split(',') if h]
    for h in o.hosts:
        if h not in HOSTS:
            p.error('unknown host %s (%s)' % (h, ', '.join(HOSTS)))
    o.preload = os.path.abspath(o.preload)
    o.hosts_dir = os.path.abspath(o.hosts_dir)
    o.workdir = os.path.abspath(o.workdir)
    return o


def main(argv):
    global EVENTS_MODE
    opts = parse_args(argv)
    EVENTS_MODE = opts.events
    pats = [c for c in opts.cases.split(',') if c]
    cases = [c for c in CASES if (not pats or any(pt in c['name'] for pt in pats))
             and not (opts.no_kamailio and c['server'] == 'kamailio')]
    if opts.list:
        for c in CASES:
            print(c['name'])
        return 0
    if not cases:
        print('run_e2e: no case selected', file=sys.stderr)
        return 2
    if opts.mode == 'preload' and not os.path.isfile(opts.preload):
        print('run_e2e: %s does not exist (build the hosted library, or use --plain-only / '
              '--compare-plain-twice)' % opts.preload, file=sys.stderr)
        return 2
    r = subprocess.run([INSTALL_WHEELS] + opts.hosts, env=dict(os.environ, HOSTED_HOSTS_DIR=opts.hosts_dir))
    if r.returncode != 0:
        print('run_e2e: installing the hosts failed', file=sys.stderr)
        return 2

    def on_signal(signum, frame):
        raise KeyboardInterrupt('signal %d' % signum)
    signal.signal(signal.SIGTERM, on_signal)

    t0 = time.monotonic()
    kam = None
    passed = failed = 0
    try:
        os.makedirs(opts.workdir, exist_ok=True)
        for h in opts.hosts:
            subprocess.run(['rm', '-rf', os.path.join(opts.workdir, h)])
        if any(c['server'] == 'kamailio' for c in cases):
            kam_cases = [c for c in cases if c['server'] == 'kamailio']
            try:
                s = subprocess.run([KAMAILIO_SETUP], capture_output=True, text=True, timeout=600)
                if s.returncode != 0:
                    raise RuntimeError('ctests/interop/setup.sh failed: ' + (s.stdout + s.stderr)[-500:])
                kam = Kamailio(os.path.join(opts.workdir, 'kamailio'))
                say('hosted-e2e: ' + kam.start())
            except Exception as e:
                say('hosted-e2e: Kamailio unavailable (%s): its %d case(s) fail' % (e, len(kam_cases)))
                cases = [c for c in cases if c['server'] != 'kamailio']
                failed += len(kam_cases) * len(opts.hosts)
                kam = None
        say('hosted-e2e: mode %s, hosts %s, %d cases%s' % (
            opts.mode, ' '.join(opts.hosts), len(cases),
            ', preload %s' % opts.preload if opts.mode == 'preload' else ''))
        results = []
        res_lock = threading.Lock()

        def worker(hidx, host):
            for c in cases:
                ok = run_case(host, hidx, c, opts, kam)
                with res_lock:
                    results.append(ok)

        jobs = [threading.Thread(target=worker, args=(HOSTS.index(h), h), daemon=True) for h in opts.hosts]
        active = []
        for j in jobs:
            j.start()
            active.append(j)
            if len(active) >= max(1, opts.jobs):
                active.pop(0).join()
        for j in active:
            j.join()
        passed += sum(1 for x in results if x)
        failed += sum(1 for x in results if not x)
    except KeyboardInterrupt as e:
        say('hosted-e2e: interrupted (%s)' % (e or 'SIGINT'))
        failed += 1
    finally:
        with CHILDREN_LOCK:
            left = list(CHILDREN)
        for p in left:
            stop_proc(p, group=True)
        if kam is not None:
            kam.stop()
    say('hosted-e2e: %.1f s' % (time.monotonic() - t0))
    say('hosted-e2e: %d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
