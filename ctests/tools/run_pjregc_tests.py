#!/usr/bin/env python3
"""Tests of the pjregc command-line tool (tools/pjregc), for `make pjregc-test`.

    run_pjregc_tests.py PJREGC_BINARY [TEST_NAME ...]

Runs the binary (built under AddressSanitizer by the Makefile) against the
test registrar (ctests/registrar.py, loopback only, a fresh one per test)
and checks its exit status, its output and what the registrar received.
Prints one line per test and "pjregc-test: N passed, M failed".
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True
from with_registrar import header, records  # noqa: E402

REGISTRAR = os.path.join(os.path.dirname(HERE), 'registrar.py')
BIN = None


class Registrar:
    """A registrar process with its logs; `with` stops it."""

    def __init__(self, config, tcp=False):
        self.dir = tempfile.TemporaryDirectory(prefix='pjregc-test-')
        self.log = os.path.join(self.dir.name, 'received')
        args = [sys.executable, '-S', REGISTRAR, '--config', json.dumps(config), '--log', self.log]
        if tcp:
            args.append('--tcp')
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().split() if ready else []
        if not line or line[0] != 'PORT':
            self.close()
            raise RuntimeError('the registrar did not start')
        self.port = int(line[1])
        self.tcp_port = int(line[2]) if tcp else None

    def requests(self):
        return records(self.log) if os.path.exists(self.log) else []

    def transports(self):
        with open(self.log, 'rb') as f:
            return re.findall(rb'^=== \d+ \S+ (\S+) ', f.read(), re.M)

    def close(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run(args, timeout=60):
    p = subprocess.run([BIN] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def users(n, prefix='user', password='pw'):
    return {'%s%d' % (prefix, i): password for i in range(n)}


def is_unreg(msg):
    contact = header(msg, 'Contact') or ''
    return header(msg, 'Expires') == '0' or re.search(r'expires=0\b', contact) is not None


class Failure(Exception):
    pass


def check(cond, what, out=''):
    if not cond:
        raise Failure(what + ('\n' + out if out else ''))


# ------------------------------------------------------------ tests

def test_help():
    """pjregc and each command answer --help with their usage, status 0."""
    for args, first in ((['--help'], 'usage: pjregc COMMAND'),
                        (['register', '--help'], 'usage: pjregc register'),
                        (['monitor', '--help'], 'usage: pjregc monitor'),
                        (['load', '--help'], 'usage: pjregc load'),
                        (['load', '-h'], 'usage: pjregc load')):
        rc, out, err = run(args)
        check(rc == 0 and out.startswith(first), '%s: rc=%d' % (args, rc), out + err)


def test_usage_errors():
    """Bad command lines exit 2 with a message, before any network use."""
    for args, text in ((['frobnicate'], "unknown command 'frobnicate'"),
                       ([], 'usage: pjregc COMMAND'),
                       (['load', '-n', '10'], '--registrar is required'),
                       (['load', '--registrar', 'sip:127.0.0.1:9', '-n', 'ten'], '--n: expected a whole number'),
                       (['register', '--nope', 'sip:a@127.0.0.1'], "unknown option '--nope'"),
                       (['register'], 'usage: pjregc register'),
                       (['register', 'sip:a@127.0.0.1', '--transport', 'sctp'], '--transport: expected udp'),
                       (['monitor', '/nonexistent/accounts.csv'], 'No such file')):
        rc, out, err = run(args)
        check(rc == 2 and text in err, '%s: rc=%d, expected 2 and %r' % (args, rc, text), out + err)


def test_load_auth():
    """load -n 200 -w 20 with digest auth, then --unregister, with CSV rows:
    every registration and unregistration succeeds, each was challenged once,
    the report has its figures and no failure."""
    cfg = {'realm': 'example.org', 'users': users(200), 'auth': {}}
    with Registrar(cfg) as reg, tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, 'out.csv')
        rc, out, err = run(['load', '--registrar', 'sip:127.0.0.1:%d' % reg.port, '-n', '200', '-w', '20',
                            '--password', 'pw', '--unregister', '--csv', csv])
        check(rc == 0, 'rc=%d' % rc, out + err)
        check(re.search(r'^registered: 200 of 200 succeeded in [\d.]+ s: \d+/s \(20 in flight at most, 1 thread, udp\)$',
                        out, re.M), 'registration report', out)
        check(re.search(r'^unregistered: 200 of 200 succeeded', out, re.M), 'unregistration report', out)
        check(len(re.findall(r'^  latency ms: min [\d.]+  p50 [\d.]+  p90 [\d.]+  p99 [\d.]+  max [\d.]+$', out, re.M))
              == 2, 'latency lines', out)
        check(out.count('failures by code: none') == 2, 'no failure', out)
        with open(csv) as f:
            rows = f.read().splitlines()
        check(rows[0] == 'phase,index,aor,start_ms,latency_ms,code,result', 'CSV header', rows[0])
        check(len(rows) == 401 and all(r.endswith(',200,"200 OK"') for r in rows[1:]), 'CSV rows', '\n'.join(rows[:5]))
        check('register,7,sip:user7@127.0.0.1,' in rows[8] and rows[208].startswith('unregister,7,'), 'CSV order',
              rows[8] + '\n' + rows[208])
        reqs = reg.requests()
        authed = [r for r in reqs if header(r, 'Authorization')]
        check(len(reqs) == 800 and len(authed) == 400, '%d REGISTERs, %d with credentials' % (len(reqs), len(authed)))
        check(len({header(r, 'Call-ID') for r in reqs}) == 200, 'one Call-ID per account')
        check(sum(is_unreg(r) for r in authed) == 200, '200 unregistrations with credentials')
        froms = {re.search(r'sip:(user\d+)@', header(r, 'From')).group(1) for r in reqs}
        check(froms == set(users(200)), 'AORs user0..user199')


def test_load_threads_and_window():
    """--threads 2 splits the accounts; the window is never exceeded: at any
    point of the registrar's log at most W transactions are unanswered."""
    with Registrar({'default': {'code': 200, 'contact': 'echo', 'delay_ms': 20}}) as reg:
        rc, out, err = run(['load', '--registrar', 'sip:127.0.0.1:%d' % reg.port, '-n', '300', '-w', '10',
                            '--threads', '2'])
        check(rc == 0 and 'registered: 300 of 300 succeeded' in out and '2 threads' in out, 'rc=%d' % rc, out + err)
        # Every request gets its (delayed) response; with 20 ms per answer
        # and 10 in flight, 300 registrations take at least 600 ms, so a
        # window that was not enforced would finish far sooner.
        secs = float(re.search(r'succeeded in ([\d.]+) s', out).group(1))
        check(secs >= 0.55, 'took %.3f s: window not enforced' % secs, out)
        check(len(reg.requests()) == 300, '300 REGISTERs, got %d' % len(reg.requests()))


def test_load_failures():
    """Wrong password: every registration fails with 403, counted by code,
    exit status 1."""
    with Registrar({'realm': 'example.org', 'users': users(20), 'auth': {}}) as reg:
        rc, out, err = run(['load', '--registrar', 'sip:127.0.0.1:%d' % reg.port, '-n', '20', '-w', '5',
                            '--password', 'wrong'])
        check(rc == 1, 'rc=%d' % rc, out + err)
        check('registered: 0 of 20 succeeded' in out and 'failures by code: 403 Forbidden: 20' in out, 'report', out)


def test_register_refresh_unregister():
    """register --duration 4 with 2-second bindings: registered, refreshed
    by the library, then unregistered; the last REGISTER removes the binding."""
    cfg = {'realm': 'example.org', 'users': {'alice': 'secret'}, 'auth': {}, 'max_expires': 2}
    with Registrar(cfg) as reg:
        rc, out, err = run(['register', 'sip:alice@example.org', '--registrar', 'sip:127.0.0.1:%d' % reg.port,
                            '--password', 'secret', '--duration', '4', '--interval', '1'])
        check(rc == 0, 'rc=%d' % rc, out + err)
        check(re.search(r'^\d\d:\d\d:\d\d registered: 200 OK, expires in 2 s$', out, re.M), 'registered line', out)
        check(len(re.findall(r' refreshed: 200 OK', out)) >= 2, 'two refreshes', out)
        check(re.search(r' unregistration: 200 OK$', out, re.M), 'unregistration line', out)
        check(re.search(r'^(registered|refreshing) +next refresh .* last 200 OK  \(\d+ ok\)$', out, re.M),
              'status lines (not a terminal: one per --interval)', out)
        authed = [r for r in reg.requests() if header(r, 'Authorization')]
        check(len(authed) >= 4 and is_unreg(authed[-1]) and not any(is_unreg(r) for r in authed[:-1]),
              'REGISTERs: registration, refreshes, unregistration last')
        check(len({header(r, 'Call-ID') for r in authed}) == 1, 'one Call-ID')


def test_register_sigint():
    """Ctrl-C (SIGINT) unregisters and exits 0."""
    cfg = {'realm': 'example.org', 'users': {'alice': 'secret'}, 'auth': {}}
    with Registrar(cfg) as reg:
        p = subprocess.Popen([BIN, 'register', 'sip:alice@example.org', '--registrar',
                              'sip:127.0.0.1:%d' % reg.port, '--password', 'secret'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline and not any(header(r, 'Authorization') for r in reg.requests()):
            time.sleep(0.05)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        check(p.returncode == 0, 'rc=%d' % p.returncode, out + err)
        check(' registered: 200 OK' in out and ' unregistration: 200 OK' in out, 'lines', out)
        check(is_unreg(reg.requests()[-1]), 'last REGISTER unregisters')


def test_register_failure_no_retry():
    """--retry 0: the first failure ends the command, status 1, nothing to
    unregister."""
    cfg = {'realm': 'example.org', 'users': {'alice': 'secret'}, 'auth': {}}
    with Registrar(cfg) as reg:
        rc, out, err = run(['register', 'sip:alice@example.org', '--registrar', 'sip:127.0.0.1:%d' % reg.port,
                            '--password', 'bad', '--retry', '0'], timeout=20)
        check(rc == 1 and 'registration failed: 403 Forbidden (no retry)' in out, 'rc=%d' % rc, out + err)
        check('not unregistered: no binding to remove' in out, 'final line', out)
        check(not any(is_unreg(r) for r in reg.requests()), 'no unregistration sent')


def test_register_tcp():
    """--transport tcp: REGISTERs over TCP, the Contact says so."""
    cfg = {'realm': 'example.org', 'users': {'alice': 'secret'}, 'auth': {}}
    with Registrar(cfg, tcp=True) as reg:
        rc, out, err = run(['register', 'sip:alice@example.org', '--registrar', 'sip:127.0.0.1:%d' % reg.tcp_port,
                            '--password', 'secret', '--transport', 'tcp', '--duration', '1'])
        check(rc == 0, 'rc=%d' % rc, out + err)
        check(set(reg.transports()) == {b'TCP'}, 'transports %r' % reg.transports())
        check(';transport=tcp>' in header(reg.requests()[0], 'Contact'), 'Contact',
              header(reg.requests()[0], 'Contact'))


def monitor_csv(tmp, port, rows):
    path = os.path.join(tmp, 'accounts.csv')
    with open(path, 'w') as f:
        f.write('aor,registrar,user,password\n# a comment, then a blank line\n\n')
        for user, password in rows:
            f.write('sip:%s@example.org,sip:127.0.0.1:%d,%s,%s\n' % (user, port, user, password))
    return path


def test_monitor():
    """monitor: 3 accounts, one with a wrong password; periodic summaries,
    a line for the failure, the registered ones unregistered at the end,
    status 1 (not every account registered)."""
    cfg = {'realm': 'example.org', 'users': users(3), 'auth': {}, 'max_expires': 2}
    with Registrar(cfg) as reg, tempfile.TemporaryDirectory() as tmp:
        path = monitor_csv(tmp, reg.port, [('user0', 'pw'), ('user1', 'nope'), ('user2', 'pw')])
        rc, out, err = run(['monitor', path, '--interval', '1', '--duration', '3', '--retry', '1'])
        check(rc == 1, 'rc=%d' % rc, out + err)
        check(out.startswith('monitoring 3 accounts'), 'first line', out)
        check(len(re.findall(r'sip:user1@example.org: failed: 403 Forbidden', out)) == 1, 'one failure line', out)
        check(re.search(r'registered 2/3  pending 0  failed 1 \(403 Forbidden: 1\)  refreshes [1-9]', out),
              'summary with refreshes', out)
        check(out.rstrip().endswith('unregistered 2 of 2'), 'unregistered', out)
        # The failing account was retried (every second).
        tries = [r for r in reg.requests() if 'user1@' in (header(r, 'From') or '') and header(r, 'Authorization')]
        check(len(tries) >= 2, 'user1 retried: %d attempts' % len(tries))


def test_monitor_all_good():
    """monitor with every account good exits 0 after unregistering all."""
    cfg = {'realm': 'example.org', 'users': users(20), 'auth': {}}
    with Registrar(cfg) as reg, tempfile.TemporaryDirectory() as tmp:
        path = monitor_csv(tmp, reg.port, [('user%d' % i, 'pw') for i in range(20)])
        rc, out, err = run(['monitor', path, '--duration', '1'])
        check(rc == 0 and 'registered 20/20  pending 0  failed 0' in out and 'unregistered 20 of 20' in out,
              'rc=%d' % rc, out + err)
        check(sum(is_unreg(r) for r in reg.requests() if header(r, 'Authorization')) == 20, '20 unregistrations')


TESTS = [v for k, v in list(globals().items()) if k.startswith('test_')]


def main(argv):
    global BIN
    if not argv:
        sys.exit(__doc__)
    BIN = os.path.abspath(argv[0])
    wanted = set(argv[1:])
    passed = failed = 0
    for t in TESTS:
        if wanted and t.__name__ not in wanted:
            continue
        start = time.time()
        try:
            t()
        except (Failure, subprocess.TimeoutExpired, RuntimeError) as e:
            failed += 1
            print('  FAIL %s (%.1f s): %s' % (t.__name__, time.time() - start, e))
            continue
        passed += 1
        print('  ok   %s (%.1f s)' % (t.__name__, time.time() - start))
    print('pjregc-test: %d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
