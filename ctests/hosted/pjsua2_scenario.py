#!/usr/bin/env python3.11
"""A pjsua2 registration program, the kind a user writes, for the hosted
end-to-end test (ctests/hosted/run_e2e.py).

    python3.11 ctests/hosted/pjsua2_scenario.py HOST_DIR REGISTRAR_URI USER PASSWORD
        [--scenario basic|two-accounts|wrong-password|no-answer|delete-pending]
        [--domain D] [--user2 U --password2 P] [--expires 8] [--no-refresh]
        [--first-retry 60] [--tcp] [--log-level 4] [--console-level 2]
        [--pj-log FILE] [--tsx-timers T1,T2] [--pending-wait 0.6]
        [--linger 2.0] [--events poll|worker] [--sync-fd N] [--limit 60]

HOST_DIR is a directory holding one of the two pjproject Python bindings
(ctests/hosted/install_wheels.sh): pjsua2-python (SWIG, pjproject 2.15.1) or
pjsua2-pybind11 (pybind11, pjproject 2.14.1). Both are imported as
``pjsua2``; the small ``Binding`` adapter below hides where they differ.

Stdout carries exactly one JSON object, printed at the end (or by the
watchdog): the onRegState/onRegStarted callbacks with times relative to the
first account creation, the main-thread steps, the pjproject version, the
scenario's own expectation failures ("checks") and any errors. Everything
pjlib prints on its console goes to stderr (fd 1 is redirected at start).

Threading (--events, default poll): pjsua runs without worker thread
(uaConfig.threadCnt 0) and the main thread runs its event loop between
steps, so every callback comes in the main thread: pjsua2-python through
ep.libHandleEvents(ms), pjsua2-pybind11 (which has no libHandleEvents)
through the host's own C function pjsua_handle_events(ms), called with
ctypes (which releases the GIL meanwhile). ``--events worker`` lets pjsua's
worker thread (threadCnt 1) deliver the callbacks instead; it is reliable
with pjsua2-python (SWIG releases the GIL in every call) but NOT with
pjsua2-pybind11: that binding keeps the GIL during pjsua2 calls, and
pjsua_acc_add() -> pjsua_acc_set_registration() retakes a pjsua lock after
sending the REGISTER, which the worker holds while it waits for the GIL to
call onRegState when the answer is quick (a deadlock seen about once in 20
runs on loopback). In worker mode the main thread still never calls into
pjsua2 before the callback of its previous step has been observed.

Synchronisation with the driver (--sync-fd N): at each checkpoint the
program writes "CHECKPOINT <name>" on fd N and waits (at most 20 s) for one
line on stdin, so the driver can read the registrar's state at that point.

Exit status: 0 when the run finished (the JSON says whether its checks
passed), 2 on usage errors, 3 when the watchdog fired.
"""

import argparse
import ctypes
import faulthandler
import json
import os
import select
import sys
import threading
import time

SCENARIOS = ('basic', 'two-accounts', 'wrong-password', 'no-answer', 'delete-pending')
SETTLE = 0.2          # s between an observed callback and the next pjsua2 call
PJSIP_T4_DEFAULT = 5000


# ------------------------------------------------------------------ output

class Report:
    """What the program prints at the end (or the watchdog prints early)."""

    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()
        self.t0 = None
        self.start = time.monotonic()
        self.data = {
            'host': None, 'binding': None, 'module': None, 'pj_version': None,
            'scenario': None, 'events': [], 'steps': [], 'checkpoints': [],
            'checks': [], 'errors': [], 'notes': [], 'exit': None,
        }
        self.printed = False

    def now(self):
        base = self.t0 if self.t0 is not None else self.start
        return round(time.monotonic() - base, 3)

    def event(self, ev):
        with self.lock:
            ev['t'] = self.now()
            self.data['events'].append(ev)

    def step(self, name, **kw):
        with self.lock:
            d = {'t': self.now(), 'step': name}
            d.update(kw)
            self.data['steps'].append(d)
        print('step %-22s t=%.3f %s' % (name, self.now(), kw or ''), file=sys.stderr, flush=True)

    def error(self, msg):
        with self.lock:
            self.data['errors'].append(msg)
        print('ERROR: ' + msg, file=sys.stderr, flush=True)

    def check(self, cond, msg):
        if not cond:
            with self.lock:
                self.data['checks'].append(msg)
            print('CHECK FAILED: ' + msg, file=sys.stderr, flush=True)
        return cond

    def emit(self, exit_reason):
        with self.lock:
            if self.printed:
                return
            self.printed = True
            self.data['exit'] = exit_reason
            self.data['duration'] = round(time.monotonic() - self.start, 3)
            text = json.dumps(self.data, sort_keys=True)
        self.out.write(text + '\n')
        self.out.flush()


# ------------------------------------------------------------------ binding adapter

class Binding:
    """The differences between pjsua2-python (SWIG) and pjsua2-pybind11."""

    def __init__(self, pj):
        self.pj = pj
        self.kind = 'swig' if hasattr(pj, 'PJSIP_TRANSPORT_UDP') else 'pybind11'

    def transport_type(self, name):
        if self.kind == 'swig':
            return getattr(self.pj, 'PJSIP_TRANSPORT_' + name)
        return getattr(self.pj.TransportType, name)

    @staticmethod
    def aud_dev_manager(ep):
        # SWIG: a method; pybind11: a property.
        m = ep.audDevManager
        return m() if callable(m) else m

    @staticmethod
    def version(ep):
        # SWIG: ep.libVersion(); pybind11: the ep.version property.
        v = ep.libVersion() if hasattr(ep, 'libVersion') else ep.version
        return v.full

    @staticmethod
    def code(c):
        # SWIG: int; pybind11: the StatusCode enum.
        return int(getattr(c, 'value', c))

    @staticmethod
    def acc_info(acc):
        # SWIG: acc.getInfo(); pybind11: the acc.info property.
        i = acc.getInfo() if hasattr(acc, 'getInfo') else acc.info
        return {'regIsActive': bool(i.regIsActive), 'regExpiresSec': int(i.regExpiresSec),
                'regStatus': Binding.code(i.regStatus), 'regLastErr': int(i.regLastErr)}

    def event_pump(self, ep, host_dir):
        """A function handle(msec) running pjsua's event loop once."""
        if hasattr(ep, 'libHandleEvents'):
            return ep.libHandleEvents, 'Endpoint.libHandleEvents'
        lib, fn = self.host_symbol(host_dir, 'pjsua_handle_events')
        if fn is None:
            return None, None
        fn.restype = ctypes.c_int
        fn.argtypes = [ctypes.c_uint]
        return fn, 'ctypes %s:pjsua_handle_events' % lib

    @staticmethod
    def host_symbol(host_dir, name):
        """(library, ctypes function) of a C function of the host's pjproject,
        looked up in the shared objects loaded from HOST_DIR (never in a
        preloaded library); (None, None) when absent."""
        host_dir = os.path.realpath(host_dir)
        paths = []
        with open('/proc/self/maps') as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6:
                    p = parts[5].strip()
                    if p.startswith(host_dir + '/') and '.so' in p and p not in paths:
                        paths.append(p)
        for p in paths:
            try:
                return os.path.basename(p), getattr(ctypes.CDLL(p), name)
            except (AttributeError, OSError):
                continue
        return None, None

    def set_tsx_timers(self, host_dir, t1, t2):
        """pjsip_tsx_set_timers(t1, t2, t4, td) of the host's pjsip: no binding
        exposes the transaction timers. pjsip uses td as the timeout of
        every client transaction (Timer B/F), so td = 64 * t1 as RFC 3261
        says; t4 keeps its default."""
        lib, fn = self.host_symbol(host_dir, 'pjsip_tsx_set_timers')
        if fn is None:
            return None, None
        fn.restype = None
        fn.argtypes = [ctypes.c_uint] * 4
        td = 64 * t1
        fn(t1, t2, PJSIP_T4_DEFAULT, td)
        return lib, (t1, t2, PJSIP_T4_DEFAULT, td)


# ------------------------------------------------------------------ program

class Program:
    def __init__(self, args, report):
        self.a = args
        self.r = report
        self.cond = threading.Condition()
        self.pj = None
        self.b = None
        self.ep = None
        self.accounts = {}          # name -> Account
        self.poll = args.events == 'poll'
        self.pump = None            # poll mode: handle(msec)
        self.destroyed = False

    # ---- events / waiting

    def on_event(self, ev):
        self.r.event(ev)
        with self.cond:
            self.cond.notify_all()

    def finals(self, acc):
        return [e for e in self.r.data['events'] if e['acc'] == acc and e['kind'] == 'state']

    def wait_for(self, pred, timeout):
        """Waits until pred() (checked under the condition) or timeout; in
        poll mode the main thread runs pjsua's event loop meanwhile."""
        end = time.monotonic() + timeout
        if self.poll:
            while not pred():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.pump(max(1, int(min(left, 0.02) * 1000)))
            return True
        with self.cond:
            while not pred():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.1))
            return True

    def sleep(self, secs):
        self.wait_for(lambda: False, secs)

    def wait_state(self, acc, count, timeout, what):
        ok = self.wait_for(lambda: len(self.finals(acc)) >= count, timeout)
        if not ok:
            self.r.check(False, '%s: no onRegState #%d for %s within %.1f s' % (what, count, acc, timeout))
            return None
        self.sleep(SETTLE)
        return self.finals(acc)[count - 1]

    def checkpoint(self, name):
        info = {}
        for n, acc in self.accounts.items():
            try:
                info[n] = self.b.acc_info(acc)
            except Exception as e:  # account deleted, or binding error
                info[n] = {'error': str(e)}
        self.r.data['checkpoints'].append({'t': self.r.now(), 'name': name, 'acc_info': info})
        if self.a.sync_fd is None:
            return
        try:
            os.write(self.a.sync_fd, ('CHECKPOINT %s\n' % name).encode())
            ready, _, _ = select.select([sys.stdin], [], [], 20.0)
            if not ready or not sys.stdin.readline():
                self.r.error('checkpoint %s: no answer from the driver' % name)
        except OSError as e:
            self.r.error('checkpoint %s: %s' % (name, e))

    # ---- set-up

    def make_account_class(self):
        pj, prog, b = self.pj, self, self.b

        class Acc(pj.Account):
            def __init__(self, name):
                pj.Account.__init__(self)
                self.name = name

            # No exception may leave a callback (pybind11 would turn it
            # into a C++ exception inside pjsua).
            def onRegStarted(self, prm):
                try:
                    prog.on_event({'kind': 'started', 'acc': self.name, 'renew': bool(prm.renew),
                                   'main_thread': threading.current_thread() is threading.main_thread()})
                except Exception as e:
                    prog.r.error('onRegStarted: ' + describe(e))

            def onRegState(self, prm):
                try:
                    prog.on_event({'kind': 'state', 'acc': self.name, 'code': b.code(prm.code),
                                   'reason': str(prm.reason), 'expiration': int(prm.expiration),
                                   'status': int(prm.status),
                                   'main_thread': threading.current_thread() is threading.main_thread()})
                except Exception as e:
                    prog.r.error('onRegState: ' + describe(e))
        return Acc

    def init_endpoint(self):
        pj, a = self.pj, self.a
        ep = pj.Endpoint()
        ep.libCreate()
        self.ep = ep
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0 if self.poll else 1
        cfg.uaConfig.mainThreadOnly = False
        cfg.logConfig.level = a.log_level
        cfg.logConfig.consoleLevel = a.console_level
        if a.pj_log:
            cfg.logConfig.filename = a.pj_log
        ep.libInit(cfg)
        self.b.aud_dev_manager(ep).setNullDev()
        if a.tsx_timers:
            t1, t2 = a.tsx_timers
            lib, vals = self.b.set_tsx_timers(a.host_dir, t1, t2)
            if lib is None:
                self.r.error('pjsip_tsx_set_timers not found in %s: default timers (Timer F 32 s)' % a.host_dir)
            else:
                self.r.data['notes'].append('pjsip_tsx_set_timers%s from %s' % (vals, lib))
        tc = pj.TransportConfig()
        tc.boundAddress = '127.0.0.1'
        tc.port = 0
        ep.transportCreate(self.b.transport_type('UDP'), tc)
        if a.tcp:
            tc2 = pj.TransportConfig()
            tc2.boundAddress = '127.0.0.1'
            tc2.port = 0
            ep.transportCreate(self.b.transport_type('TCP'), tc2)
        ep.libStart()
        self.r.data['pj_version'] = self.b.version(ep)
        if self.poll:
            self.pump, how = self.b.event_pump(ep, a.host_dir)
            if self.pump is None:
                raise RuntimeError('--events poll: no libHandleEvents and no pjsua_handle_events in %s'
                                   % a.host_dir)
            self.r.data['notes'].append('events: main thread, ' + how)

    def account_config(self, user, password):
        pj, a = self.pj, self.a
        cfg = pj.AccountConfig()
        cfg.idUri = 'sip:%s@%s' % (user, a.domain)
        uri = a.registrar
        if a.tcp and ';transport=' not in uri:
            uri += ';transport=tcp'
        cfg.regConfig.registrarUri = uri
        cfg.regConfig.timeoutSec = a.expires
        # pjsua retries a failed registration (408, 5xx, transport errors)
        # after firstRetryIntervalSec, default 0 = "at once", randomised by
        # randomRetryIntervalSec (10): anywhere in 0..10 s, sometimes before
        # the account is deleted. Keep the retry deterministic and out of
        # the run (the retry timer is still scheduled and then cancelled).
        cfg.regConfig.firstRetryIntervalSec = a.first_retry
        cfg.regConfig.randomRetryIntervalSec = 0
        cfg.sipConfig.authCreds.append(pj.AuthCredInfo('digest', '*', user, 0, password))
        return cfg

    def create_account(self, name, user, password):
        acc = self.Acc(name)
        self.accounts[name] = acc
        if self.r.t0 is None:
            self.r.t0 = time.monotonic()
        self.r.step('create', acc=name, user=user)
        acc.create(self.account_config(user, password))
        return acc

    def set_registration(self, name, renew):
        self.r.step('setRegistration', acc=name, renew=renew)
        self.accounts[name].setRegistration(renew)

    def delete_account(self, name):
        self.r.step('shutdown', acc=name)
        acc = self.accounts.pop(name)
        acc.shutdown()
        del acc

    def destroy(self):
        t = time.monotonic()
        self.r.step('libDestroy')
        self.destroyed = True
        self.ep.libDestroy()
        self.r.step('libDestroy-returned', secs=round(time.monotonic() - t, 3))

    def cleanup(self):
        """After an exception: delete what is left and destroy the library,
        so the interpreter's exit does not run pjsua2's destructors on a
        live library (pjsua2-pybind11 aborts then)."""
        for name in list(self.accounts):
            try:
                self.delete_account(name)
            except Exception as e:
                self.r.error('cleanup: shutdown %s: %s' % (name, describe(e)))
        if self.ep is not None and not self.destroyed:
            try:
                self.destroy()
            except Exception as e:
                self.r.error('cleanup: libDestroy: ' + describe(e))

    # ---- scenarios

    def expect_ok(self, ev, what, expiration=None):
        if ev is None:
            return
        self.r.check(200 <= ev['code'] < 300, '%s: code %d %s, expected 2xx' % (what, ev['code'], ev['reason']))
        if expiration == 0:
            self.r.check(ev['expiration'] <= 0, '%s: expiration %d, expected 0' % (what, ev['expiration']))
        elif expiration is not None:
            self.r.check(ev['expiration'] > 0, '%s: expiration %d, expected > 0' % (what, ev['expiration']))

    def run_basic(self):
        a = self.a
        self.create_account('a1', a.user, a.password)
        ev = self.wait_state('a1', 1, 15, 'register')
        self.expect_ok(ev, 'register', expiration=True)
        self.checkpoint('after_register')
        n = 1
        if not a.no_refresh:
            ev = self.wait_state('a1', 2, a.expires + 5, 'refresh')
            self.expect_ok(ev, 'refresh', expiration=True)
            if ev is not None:
                self.r.data['refresh_after'] = round(ev['t'] - self.finals('a1')[0]['t'], 3)
            self.checkpoint('after_refresh')
            n = 2
        self.set_registration('a1', False)
        ev = self.wait_state('a1', n + 1, 15, 'unregister')
        self.expect_ok(ev, 'unregister', expiration=0)
        self.checkpoint('after_unregister')
        self.set_registration('a1', True)
        ev = self.wait_state('a1', n + 2, 15, 're-register')
        self.expect_ok(ev, 're-register', expiration=True)
        self.checkpoint('after_reregister')
        self.delete_account('a1')
        self.sleep(0.5)
        self.destroy()
        self.checkpoint('after_destroy')

    def run_two_accounts(self):
        a = self.a
        # One after the other: see "Threading" in the module docstring.
        self.create_account('a1', a.user, a.password)
        self.expect_ok(self.wait_state('a1', 1, 15, 'register a1'), 'register a1', expiration=True)
        self.create_account('a2', a.user2, a.password2)
        self.expect_ok(self.wait_state('a2', 1, 15, 'register a2'), 'register a2', expiration=True)
        self.checkpoint('after_register')
        self.set_registration('a1', False)
        self.expect_ok(self.wait_state('a1', 2, 15, 'unregister a1'), 'unregister a1', expiration=0)
        self.checkpoint('after_unregister_a1')
        self.set_registration('a2', False)
        self.expect_ok(self.wait_state('a2', 2, 15, 'unregister a2'), 'unregister a2', expiration=0)
        self.checkpoint('after_unregister')
        self.delete_account('a1')
        self.delete_account('a2')
        self.sleep(0.3)
        self.destroy()
        self.checkpoint('after_destroy')

    def run_wrong_password(self):
        a = self.a
        self.create_account('a1', a.user, a.password)
        ev = self.wait_state('a1', 1, 15, 'register')
        if ev is not None:
            self.r.check(ev['code'] in (401, 403, 407),
                         'register: code %d %s, expected 401/403' % (ev['code'], ev['reason']))
        self.sleep(0.5)   # nothing more may come (no automatic retry this soon)
        self.r.check(len(self.finals('a1')) == 1, 'wrong password: %d callbacks, expected 1'
                     % len(self.finals('a1')))
        self.checkpoint('after_register')
        self.delete_account('a1')
        self.sleep(0.3)
        self.destroy()
        self.checkpoint('after_destroy')

    def run_no_answer(self):
        a = self.a
        limit = (64 * a.tsx_timers[0] / 1000.0 + 5) if a.tsx_timers else 40
        self.create_account('a1', a.user, a.password)
        ev = self.wait_state('a1', 1, limit, 'no answer')
        if ev is not None:
            self.r.check(ev['code'] == 408, 'no answer: code %d %s, expected 408' % (ev['code'], ev['reason']))
            self.r.data['timeout_after'] = ev['t']
        self.checkpoint('after_timeout')
        self.delete_account('a1')
        self.sleep(0.3)
        self.destroy()
        self.checkpoint('after_destroy')

    def run_delete_pending(self):
        a = self.a
        self.create_account('a1', a.user, a.password)
        # The registrar challenges at once, then delays its answer to the
        # authenticated REGISTER (or never answers): give the challenge
        # round trip time, then delete the account with the REGISTER pending.
        self.sleep(a.pending_wait)
        self.r.check(not self.finals('a1'), 'delete-pending: a final callback came before the delete: %s'
                     % self.finals('a1'))
        self.checkpoint('pending')
        self.delete_account('a1')
        self.sleep(a.linger)          # the late answer arrives now
        self.destroy()
        self.checkpoint('after_destroy')

    def run(self):
        a = self.a
        sys.path.insert(0, os.path.abspath(a.host_dir))
        import pjsua2 as pj  # noqa: E402  (the host chosen on the command line)
        self.pj = pj
        self.b = Binding(pj)
        mod = os.path.realpath(getattr(pj, '__file__', '') or '')
        self.r.data.update(binding=self.b.kind, module=mod, host=os.path.basename(os.path.normpath(a.host_dir)))
        if not mod.startswith(os.path.realpath(a.host_dir) + '/'):
            self.r.error('pjsua2 imported from %s, not from %s' % (mod, a.host_dir))
        self.Acc = self.make_account_class()
        self.init_endpoint()
        getattr(self, 'run_' + a.scenario.replace('-', '_'))()
        # Nothing may arrive after the account is gone.
        return 0


def uri_host(uri):
    """'sip:127.0.0.1:5060;transport=tcp' -> '127.0.0.1' (IPv4 / names)."""
    rest = uri.split(':', 1)[1] if uri.lower().startswith(('sip:', 'sips:')) else uri
    rest = rest.split(';', 1)[0].split('@')[-1]
    return rest.rsplit(':', 1)[0] if ':' in rest else rest


def describe(e):
    """pjsua2-python raises pjsua2.Error (info()), pjsua2-pybind11 RuntimeError."""
    try:
        if callable(getattr(e, 'info', None)):
            return '%s: %s' % (type(e).__name__, e.info())
    except Exception:
        pass
    return '%s: %s' % (type(e).__name__, e)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('host_dir')
    p.add_argument('registrar')
    p.add_argument('user')
    p.add_argument('password')
    p.add_argument('--scenario', choices=SCENARIOS, default='basic')
    p.add_argument('--domain', help='domain of the account URI (default: the registrar host)')
    p.add_argument('--user2', help='two-accounts: second user (default USER + "2")')
    p.add_argument('--password2', help='two-accounts: its password (default PASSWORD)')
    p.add_argument('--expires', type=int, default=8, help='regConfig.timeoutSec (8)')
    p.add_argument('--no-refresh', action='store_true', help='basic: do not wait for a refresh')
    p.add_argument('--first-retry', type=int, default=60,
                   help='regConfig.firstRetryIntervalSec after a failure (60; randomRetryIntervalSec is 0)')
    p.add_argument('--tcp', action='store_true', help='add a TCP transport and ;transport=tcp')
    p.add_argument('--log-level', type=int, default=4)
    p.add_argument('--console-level', type=int, default=2)
    p.add_argument('--pj-log', help='pjsip log file')
    p.add_argument('--tsx-timers', help='T1,T2 in ms: pjsip_tsx_set_timers (Timer F = 64*T1)')
    p.add_argument('--pending-wait', type=float, default=0.6,
                   help='delete-pending: seconds between create and delete (0.6)')
    p.add_argument('--linger', type=float, default=2.0,
                   help='delete-pending: seconds between delete and libDestroy (2.0)')
    p.add_argument('--events', choices=('poll', 'worker'), default='poll')
    p.add_argument('--sync-fd', type=int, help='checkpoint handshake fd (see the docstring)')
    p.add_argument('--limit', type=float, default=60.0, help='watchdog, seconds (60)')
    a = p.parse_args(argv)
    if a.domain is None:
        a.domain = uri_host(a.registrar)
    if a.user2 is None:
        a.user2 = a.user + '2'
    if a.password2 is None:
        a.password2 = a.password
    if a.tsx_timers:
        try:
            t1, t2 = (int(x) for x in a.tsx_timers.split(','))
        except ValueError:
            p.error('--tsx-timers T1,T2 (milliseconds)')
        a.tsx_timers = (t1, t2)
    return a


def main(argv):
    # Stdout is for the JSON only: keep a private copy, send fd 1 to stderr.
    out = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    args = parse_args(argv)
    report = Report(out)
    report.data['scenario'] = args.scenario
    report.data['args'] = {k: v for k, v in vars(args).items() if k not in ('password', 'password2')}

    faulthandler.enable()
    # Backstop that needs no GIL (the pybind11 binding keeps it in calls).
    faulthandler.dump_traceback_later(args.limit + 5, exit=True)

    def watchdog():
        report.error('watchdog: not finished after %.0f s' % args.limit)
        report.emit('watchdog')
        os._exit(3)
    wd = threading.Timer(args.limit, watchdog)
    wd.daemon = True
    wd.start()

    prog = Program(args, report)
    rc = 0
    try:
        rc = prog.run()
    except Exception as e:
        import traceback
        traceback.print_exc()
        report.error(describe(e))
        prog.cleanup()
    late = [e for e in report.data['events'] if e['kind'] == 'state'
            and any(s['step'] == 'shutdown' and s.get('acc') == e['acc'] and s['t'] <= e['t']
                    for s in report.data['steps'])]
    report.check(not late, 'callbacks after the account was deleted: %s' % late)
    wd.cancel()
    report.emit('normal')
    faulthandler.cancel_dump_traceback_later()
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
