"""Tests of ctests/registrar.py, driven over real loopback sockets.

Run from the repository root:  python3 -m unittest ctests/test_registrar.py
The SIP client side (message building, response parsing, digest
computation) is written here independently of the registrar's own code.
"""

import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep ctests/ free of __pycache__ where possible
import registrar as regmod  # noqa: E402  (only for the fake-clock tests)
REGISTRAR = os.path.join(HERE, 'registrar.py')
AOR = 'sip:alice@example.com'


# ------------------------------------------------------------ helpers

class Reg:
    """A running registrar process."""

    def __init__(self, cfg=None, tcp=False, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix='regtest-')
        self.log = os.path.join(self.dir, 'recv.log')
        self.sent = os.path.join(self.dir, 'sent.log')
        args = [sys.executable, '-S', REGISTRAR, '--config', json.dumps(cfg or {}),
                '--log', self.log, '--sent-log', self.sent] + list(extra_args)
        if tcp:
            args.append('--tcp')
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        r, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if r else ''
        if not line.startswith('PORT '):
            self.stop()
            raise RuntimeError('no PORT line: %r %r' % (line, self.proc.stderr.read()))
        self.port_line = line
        ports = [int(x) for x in line.split()[1:]]
        self.port = ports[0]
        self.tcp_port = ports[1] if len(ports) > 1 else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def records(self, path=None):
        """Parse the log independently: list of (header_fields, raw_bytes)."""
        with open(path or self.log, 'rb') as f:
            data = f.read()
        out, pos = [], 0
        while pos < len(data):
            nl = data.index(b'\n', pos)
            head = data[pos:nl].decode()
            m = re.match(r'=== (\d+) ([\d.]+) (UDP|TCP|TLS) ([\d.:a-f]+):(\d+) len=(\d+)( sent)?$', head)
            assert m, head
            n = int(m.group(6))
            raw = data[nl + 1:nl + 1 + n]
            assert data[nl + 1 + n:nl + 1 + n + 9] == b'\n=== end\n'
            out.append((m.groups(), raw))
            pos = nl + 1 + n + 9
        return out


class Resp:
    def __init__(self, data):
        self.raw = data
        text = data.decode('latin-1')
        head = text.split('\r\n\r\n', 1)[0]
        lines = head.split('\r\n')
        self.status_line = lines[0]
        parts = lines[0].split(' ', 2)
        self.code = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ''
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (' ', '\t') and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + ' ' + line.strip())
            elif ':' in line:
                self.headers.append(tuple(x.strip() for x in line.split(':', 1)))

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def get(self, name):
        a = self.all(name)
        return a[0] if a else None

    def names(self):
        return [n for n, _ in self.headers]

    def contacts(self):
        """Contact values as {uri: params-dict}."""
        out = {}
        for v in self.all('Contact'):
            for c in re.findall(r'<[^>]*>[^,]*', v):
                uri = c[1:c.index('>')]
                params = dict((p.split('=', 1) + [''])[:2] for p in c[c.index('>') + 1:].split(';') if p)
                out[uri] = params
        return out

    def challenge(self, name=None):
        v = self.get(name or ('Proxy-Authenticate' if self.code == 407 else 'WWW-Authenticate'))
        return parse_challenge(v)


def parse_challenge(v):
    scheme, rest = v.split(' ', 1)
    params = {}
    for m in re.finditer(r'([\w-]+)=("([^"]*)"|[^,\s]*)', rest):
        params[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    params['scheme'] = scheme
    return params


H = {
    'MD5': lambda s: hashlib.md5(s.encode()).hexdigest(),
    'SHA-256': lambda s: hashlib.sha256(s.encode()).hexdigest(),
    'SHA-512-256': lambda s: hashlib.new('sha512_256', s.encode()).hexdigest(),
}


def digest_header(ch, user, password, uri, method='REGISTER', nc=1, cnonce='0a4f113b',
                  body='', qop_choice=None, realm=None, header_qop=None):
    alg = ch.get('algorithm') or 'MD5'
    h = H[alg.upper()]
    realm = realm or ch['realm']
    qop = None
    if ch.get('qop'):
        offered = [q.strip() for q in ch['qop'].split(',')]
        qop = qop_choice or ('auth' if 'auth' in offered else offered[0])
    ha1 = h('%s:%s:%s' % (user, realm, password))
    ha2 = h('%s:%s:%s' % (method, uri, h(body))) if qop == 'auth-int' else h('%s:%s' % (method, uri))
    ncs = '%08d' % nc
    if qop:
        resp = h('%s:%s:%s:%s:%s:%s' % (ha1, ch['nonce'], ncs, cnonce, qop, ha2))
    else:
        resp = h('%s:%s:%s' % (ha1, ch['nonce'], ha2))
    parts = ['username="%s"' % user, 'realm="%s"' % realm, 'nonce="%s"' % ch['nonce'],
             'uri="%s"' % uri, 'response="%s"' % resp]
    if ch.get('algorithm'):
        parts.append('algorithm=%s' % ch['algorithm'])
    if qop:
        parts.append('cnonce="%s"' % cnonce)
    if ch.get('opaque'):
        parts.append('opaque="%s"' % ch['opaque'])
    if qop:
        parts += ['qop=%s' % qop, 'nc=%s' % ncs]
    return 'Digest ' + ', '.join(parts)


class Client:
    """A minimal UDP (or TCP) SIP client."""
    n = 0

    def __init__(self, reg, tcp=False):
        self.reg = reg
        self.tcp = tcp
        if tcp:
            self.sock = socket.create_connection(('127.0.0.1', reg.tcp_port), timeout=2)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(('127.0.0.1', 0))
        self.lport = self.sock.getsockname()[1]
        self.call_id = 'call-%d-%d' % (os.getpid(), Client.n)
        self.cseq = 100
        self.uri = 'sip:127.0.0.1:%d' % reg.port
        self.buf = b''
        Client.n += 1

    def close(self):
        self.sock.close()

    def build(self, contacts=None, expires=None, branch=None, auth=(), extra=(),
              to=AOR, cseq=None, method='REGISTER', body='', compact=False, vias=()):
        if contacts is None:
            contacts = ['<sip:alice@127.0.0.1:%d>' % self.lport]
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        branch = branch or 'z9hG4bK%d%s' % (cseq, os.urandom(4).hex())
        proto = 'TCP' if self.tcp else 'UDP'
        n = (lambda long, short: short if compact else long)
        lines = ['%s %s SIP/2.0' % (method, self.uri),
                 '%s: SIP/2.0/%s 127.0.0.1:%d;rport;branch=%s' % (n('Via', 'v'), proto, self.lport, branch)]
        lines += ['Via: ' + v for v in vias]
        lines += ['Max-Forwards: 70',
                  '%s: <%s>;tag=ft%d' % (n('From', 'f'), AOR, cseq),
                  '%s: <%s>' % (n('To', 't'), to),
                  '%s: %s' % (n('Call-ID', 'i'), self.call_id),
                  'CSeq: %d %s' % (cseq, method)]
        lines += list(extra)
        lines += ['%s: %s' % (n('Contact', 'm'), c) for c in contacts]
        if expires is not None:
            lines.append('Expires: %d' % expires)
        for a in auth:
            lines.append(a)
        lines.append('%s: %d' % (n('Content-Length', 'l'), len(body)))
        return ('\r\n'.join(lines) + '\r\n\r\n' + body).encode('latin-1')

    def send(self, data):
        if self.tcp:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, ('127.0.0.1', self.reg.port))
        return data

    def register(self, **kw):
        return self.send(self.build(**kw))

    def recv(self, timeout=2.0):
        if self.tcp:
            deadline = time.monotonic() + timeout
            # keep-alive answers (a lone CRLF) may precede a response
            while b'\r\n\r\n' not in self.buf.lstrip(b'\r\n'):
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                self.buf += self.sock.recv(65536)
            head, rest = self.buf.lstrip(b'\r\n').split(b'\r\n\r\n', 1)
            self.buf = rest
            return Resp(head + b'\r\n\r\n')
        self.sock.settimeout(timeout)
        data, addr = self.sock.recvfrom(65536)
        assert addr == ('127.0.0.1', self.reg.port)
        return Resp(data)

    def recv_final(self, timeout=2.0):
        while True:
            r = self.recv(timeout)
            if r.code >= 200:
                return r

    def nothing(self, timeout=0.1):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        raise AssertionError('unexpected message: %r' % data)

    def do(self, **kw):
        self.register(**kw)
        return self.recv_final()


class Base(unittest.TestCase):
    def start(self, cfg=None, **kw):
        reg = Reg(cfg, **kw)
        self.addCleanup(reg.stop)
        return reg

    def client(self, reg, **kw):
        c = Client(reg, **kw)
        self.addCleanup(c.close)
        return c

    def setup(self, cfg=None, **kw):
        reg = self.start(cfg, **kw)
        return reg, self.client(reg)


# ------------------------------------------------------------ basics

class TestBasics(Base):
    def test_port_line_and_200_response_format(self):
        reg, c = self.setup()
        self.assertRegex(reg.port_line, r'^PORT \d+\n$')
        req = c.register(expires=300)
        r = c.recv()
        self.assertEqual(r.status_line, 'SIP/2.0 200 OK')
        self.assertEqual(r.names(), ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact',
                                     'Content-Length'])
        via = r.get('Via')
        self.assertIn(';rport=%d;' % c.lport, via)
        self.assertTrue(via.endswith(';received=127.0.0.1'))
        self.assertEqual(r.get('From'), '<%s>;tag=ft%d' % (AOR, c.cseq))
        self.assertRegex(r.get('To'), r'^<sip:alice@example.com>;tag=[0-9a-f]+$')
        self.assertEqual(r.get('Call-ID'), c.call_id)
        self.assertEqual(r.get('CSeq'), '%d REGISTER' % c.cseq)
        self.assertEqual(r.get('Contact'), '<sip:alice@127.0.0.1:%d>;expires=300' % c.lport)
        self.assertEqual(r.get('Content-Length'), '0')
        self.assertTrue(r.raw.endswith(b'Content-Length: 0\r\n\r\n'))
        recs = reg.records()
        self.assertEqual(len(recs), 1)
        self.assertEqual(recs[0][1], req)
        self.assertEqual(recs[0][0][0], '0')
        self.assertEqual(recs[0][0][2:5], ('UDP', '127.0.0.1', str(c.lport)))
        sent = reg.records(reg.sent)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0][1], r.raw)
        self.assertEqual(sent[0][0][6], ' sent')

    def test_multiple_vias_only_top_modified(self):
        reg, c = self.setup()
        c.register(vias=['SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKlower'])
        r = c.recv()
        vias = r.all('Via')
        self.assertEqual(len(vias), 2)
        self.assertIn('received=127.0.0.1', vias[0])
        self.assertEqual(vias[1], 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKlower')

    def test_compact_and_folded_request_accepted(self):
        reg, c = self.setup()
        data = c.build(compact=True, expires=120)
        data = data.replace(b'Max-Forwards: 70', b'Max-Forwards:\r\n   70')
        c.send(data)
        r = c.recv()
        self.assertEqual(r.code, 200)
        self.assertEqual(r.get('Call-ID'), c.call_id)
        self.assertEqual(r.get('Contact'), '<sip:alice@127.0.0.1:%d>;expires=120' % c.lport)
        self.assertEqual(reg.records()[0][1], data)

    def test_options_and_other_methods(self):
        reg, c = self.setup()
        self.assertEqual(c.do(method='OPTIONS', contacts=[]).code, 200)
        r = c.do(method='INFO', contacts=[])
        self.assertEqual(r.code, 405)
        self.assertEqual(r.get('Allow'), 'REGISTER, OPTIONS')

    def test_config_file_option(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, 'cfg.json')
        with open(path, 'w') as f:
            json.dump({'default': {'code': 503}}, f)
        reg = self.start(None, extra_args=['--config-file', path])
        c = self.client(reg)
        self.assertEqual(c.do().code, 503)

    def test_bad_config_exits_2(self):
        for cfg in ('{"bogus": 1}', '{"script": [{"cod": 200}]}', 'not json',
                    '{"auth": {"algorithm": "SHA-1"}}', '{"default": {"contact": "x"}}',
                    '{"script": [{"headers": "X-A: 1"}]}', '{"script": [{"drop": 1}]}',
                    '{"script": {}}', '{"auth": {"code": 403}}'):
            p = subprocess.run([sys.executable, '-S', REGISTRAR, '--config', cfg],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
            self.assertEqual(p.returncode, 2, cfg)
            self.assertEqual(p.stdout, b'')
            self.assertIn(b'config error', p.stderr)

    def test_exits_on_stdin_eof(self):
        reg = self.start()
        t = time.monotonic()
        reg.proc.stdin.close()
        self.assertEqual(reg.proc.wait(5), 0)
        self.assertLess(time.monotonic() - t, 2)

    def test_exits_on_sigterm_and_sigint(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            reg = self.start()
            reg.proc.send_signal(sig)
            self.assertEqual(reg.proc.wait(5), 0)

    def test_keepalive_not_logged_garbage_logged(self):
        reg, c = self.setup()
        c.send(b'\r\n\r\n')
        c.send(b'garbage without structure')
        c.do()
        recs = reg.records()
        self.assertEqual(len(recs), 2)
        self.assertEqual(recs[0][1], b'garbage without structure')


# ------------------------------------------------------------ script actions

class TestScript(Base):
    def test_script_then_default(self):
        reg, c = self.setup({'script': [{'code': 503}, {'code': 403, 'reason': 'Nope'}],
                             'default': {'code': 202, 'reason': 'Fine'}})
        self.assertEqual(c.do().code, 503)
        r = c.do()
        self.assertEqual((r.code, r.reason), (403, 'Nope'))
        self.assertIsNone(r.get('Contact'))
        r = c.do()
        self.assertEqual((r.code, r.reason), (202, 'Fine'))
        self.assertEqual(c.do().code, 202)

    def test_standard_reasons(self):
        reg, c = self.setup({'script': [{'code': 423}, {'code': 408}, {'code': 499}]})
        self.assertEqual(c.do().reason, 'Interval Too Brief')
        self.assertEqual(c.do().reason, 'Request Timeout')
        self.assertEqual(c.do().reason, 'Client Error')

    def test_retransmission_same_response_no_step_consumed(self):
        reg, c = self.setup({'script': [{'code': 503}, {'code': 200}]})
        req = c.build()
        c.send(req)
        r1 = c.recv()
        c.send(req)
        r2 = c.recv()
        self.assertEqual(r1.code, 503)
        self.assertEqual(r1.raw, r2.raw)  # same To tag too
        self.assertEqual(c.do().code, 200)
        self.assertEqual(len(reg.records()), 3)

    def test_drop_consumes_one_transmission(self):
        reg, c = self.setup({'script': [{'drop': True}, {'drop': True}, {'code': 486}]})
        req = c.build()
        c.send(req)
        c.nothing()
        c.send(req)
        c.nothing()
        c.send(req)
        self.assertEqual(c.recv().code, 486)
        c.send(req)
        self.assertEqual(c.recv().code, 486)
        self.assertEqual(len(reg.records()), 4)

    def test_trying_then_final(self):
        reg, c = self.setup({'script': [{'trying': True, 'code': 200}]})
        c.register()
        r = c.recv()
        self.assertEqual(r.status_line, 'SIP/2.0 100 Trying')
        self.assertNotIn('tag=', r.get('To'))
        self.assertIsNone(r.get('Contact'))
        self.assertEqual(c.recv().code, 200)

    def test_trying_only_and_its_retransmission(self):
        reg, c = self.setup({'script': [{'trying_only': True}]})
        req = c.build()
        c.send(req)
        self.assertEqual(c.recv().code, 100)
        c.nothing()
        c.send(req)
        self.assertEqual(c.recv().code, 100)
        c.nothing()
        self.assertEqual(c.do().code, 200)  # next transaction: default

    def test_delay_and_retransmission_during_delay(self):
        reg, c = self.setup({'script': [{'delay_ms': 150, 'code': 200},
                                        {'delay_ms': 150, 'trying': True, 'code': 202}]})
        req = c.build()
        t = time.monotonic()
        c.send(req)
        c.send(req)  # retransmission before anything was sent: no answer
        r = c.recv()
        self.assertEqual(r.code, 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.14)
        c.nothing(0.05)
        req = c.build()
        c.send(req)
        self.assertEqual(c.recv().code, 100)
        c.send(req)
        self.assertEqual(c.recv(0.1).code, 100)  # 100 repeated while final pending
        self.assertEqual(c.recv().code, 202)

    def test_delay_does_not_block_other_requests(self):
        reg, c = self.setup({'script': [{'delay_ms': 200, 'code': 503}]})
        c2 = self.client(reg)
        c.register()
        t = time.monotonic()
        self.assertEqual(c2.do().code, 200)
        self.assertLess(time.monotonic() - t, 0.15)
        self.assertEqual(c.recv().code, 503)
        self.assertEqual(reg.records(reg.sent)[-1][1][:20], b'SIP/2.0 503 Service ')

    def test_duplicate(self):
        reg, c = self.setup({'script': [{'duplicate': True, 'code': 200}]})
        c.register()
        a, b = c.recv(), c.recv()
        self.assertEqual(a.raw, b.raw)
        c.nothing()

    def test_headers_expires_min_expires(self):
        reg, c = self.setup({'script': [
            {'code': 423, 'min_expires': 600},
            {'code': 200, 'expires_hdr': 77, 'headers': ['X-Extra: 1', 'Server: t']}]})
        r = c.do(expires=60)
        self.assertEqual(r.code, 423)
        self.assertEqual(r.get('Min-Expires'), '600')
        self.assertIsNone(r.get('Contact'))
        r = c.do(expires=600)
        self.assertEqual(r.get('Expires'), '77')
        self.assertEqual(r.get('X-Extra'), '1')
        self.assertEqual(r.names()[-3:], ['X-Extra', 'Server', 'Content-Length'])

    def test_raw(self):
        raw = ('SIP/2.0 200 OK\r\nv: {via}\r\nf: {from}\r\nt:   {to};tag={to_tag}\r\n'
               'i: {call_id}\r\nCSeq: {cseq}\r\nm: {contacts};expires=99\r\n'
               'X-E: {expires}\r\nX-Folded: a\r\n b\r\nl: 0\r\n\r\n')
        reg, c = self.setup({'script': [{'raw': raw}]})
        r = c.do(expires=30)
        self.assertEqual(r.get('i'), c.call_id)
        self.assertIn('received=127.0.0.1', r.get('v'))
        self.assertRegex(r.get('t'), r'^<sip:alice@example.com>;tag=[0-9a-f]+$')
        self.assertEqual(r.get('m'), '<sip:alice@127.0.0.1:%d>;expires=99' % c.lport)
        self.assertEqual(r.get('X-E'), '30')
        self.assertIn(b'X-Folded: a\r\n b\r\n', r.raw)
        # raw responses do not change bindings
        r = c.do(contacts=[])
        self.assertEqual(r.contacts(), {})

    def test_challenge_action_without_auth_config(self):
        reg, c = self.setup({'script': [{'challenge': True}, {'challenge': True, 'code': 407},
                                        {'challenge': True, 'stale': True}, {'code': 401}]})
        r = c.do()
        self.assertEqual(r.code, 401)
        ch = r.challenge()
        self.assertEqual((ch['scheme'], ch['realm'], ch['algorithm'], ch['qop']),
                         ('Digest', 'test.local', 'MD5', 'auth'))
        r = c.do()
        self.assertEqual(r.code, 407)
        ch2 = r.challenge()
        self.assertEqual(ch2['nonce'], ch['nonce'])
        r = c.do()
        self.assertEqual(r.challenge()['stale'], 'true')
        self.assertNotEqual(r.challenge()['nonce'], ch['nonce'])
        r = c.do()  # plain 401 without any challenge header
        self.assertEqual(r.code, 401)
        self.assertIsNone(r.get('WWW-Authenticate'))


# ------------------------------------------------------------ contacts

class TestContacts(Base):
    def test_echo_returns_all_bindings_of_the_aor(self):
        reg, c = self.setup()
        c2 = self.client(reg)
        c.do(expires=300)
        r = c2.do(contacts=['<sip:bob@10.0.0.5:5070;transport=tcp>;q=0.5;expires=100'])
        cs = r.contacts()
        self.assertEqual(set(cs), {'sip:alice@127.0.0.1:%d' % c.lport,
                                   'sip:bob@10.0.0.5:5070;transport=tcp'})
        self.assertEqual(cs['sip:alice@127.0.0.1:%d' % c.lport]['expires'], '300')
        self.assertEqual(cs['sip:bob@10.0.0.5:5070;transport=tcp'],
                         {'q': '0.5', 'expires': '100'})
        # another AOR has its own bindings
        r = c.do(to='sip:carol@example.com', contacts=['<sip:carol@h>'])
        self.assertEqual(list(r.contacts()), ['sip:carol@h'])

    def test_request_mode(self):
        reg, c = self.setup({'max_expires': 500, 'script': [{}, {'contact': 'request'}]})
        c.do(contacts=['<sip:other@h>'], expires=50)
        r = c.do(contacts=['<sip:a@h1>;expires=30', '"Al" <sip:a@h2;x-uid=7>', '<sip:a@h3>;expires=9999'],
                 expires=120)
        self.assertEqual(r.all('Contact'), ['<sip:a@h1>;expires=30', '<sip:a@h2;x-uid=7>;expires=120',
                                            '<sip:a@h3>;expires=500'])

    def test_request_mode_default_expiry(self):
        reg, c = self.setup({'script': [{'contact': 'request'}]})
        r = c.do(contacts=['<sip:a@h1>'])
        self.assertEqual(r.all('Contact'), ['<sip:a@h1>;expires=3600'])

    def test_modified_mode(self):
        reg, c = self.setup({'script': [{'contact': 'modified'}]})
        r = c.do(contacts=['<sip:a@127.0.0.1:5060;x-uid=abc>', '<sip:b@example.org;transport=tcp>'],
                 expires=60)
        self.assertEqual(r.all('Contact'), ['<sip:a@127.0.0.1:5061;x-uid=abc>;expires=60',
                                            '<sip:b@example.org:5070;transport=tcp>;expires=60'])

    def test_replaced_none_and_extra(self):
        reg, c = self.setup({'script': [
            {'contact': 'replaced'},
            {'contact': 'none'},
            {'contact': 'none', 'extra_contacts': ['<sip:other@192.0.2.2>;expires=120']},
            {'extra_contacts': ['<sip:other@192.0.2.2>;expires=120']}]})
        r = c.do(expires=45)
        self.assertEqual(r.all('Contact'), ['<sip:replaced@192.0.2.1:5060>;expires=45'])
        self.assertEqual(c.do().all('Contact'), [])
        self.assertEqual(c.do().all('Contact'), ['<sip:other@192.0.2.2>;expires=120'])
        self.assertEqual(c.do(expires=45).all('Contact'),
                         ['<sip:alice@127.0.0.1:%d>;expires=45' % c.lport,
                          '<sip:other@192.0.2.2>;expires=120'])

    def test_contact_expires_no_contact_expires_join(self):
        reg, c = self.setup({'script': [
            {'contact_expires': 0},
            {'no_contact_expires': True},
            {'contact': 'request', 'contact_join': True,
             'extra_contacts': ['<sip:x@192.0.2.9>']}]})
        self.assertEqual(c.do(expires=60).get('Contact'),
                         '<sip:alice@127.0.0.1:%d>;expires=0' % c.lport)
        self.assertEqual(c.do(expires=60).get('Contact'), '<sip:alice@127.0.0.1:%d>' % c.lport)
        r = c.do(contacts=['<sip:a@h1>', '<sip:a@h2>'], expires=60)
        self.assertEqual(r.all('Contact'),
                         ['<sip:a@h1>;expires=60, <sip:a@h2>;expires=60, <sip:x@192.0.2.9>'])


# ------------------------------------------------------------ binding state

class TestBindings(Base):
    def test_expiry_rules_and_removal(self):
        reg, c = self.setup()
        # param beats header; header beats default
        r = c.do(contacts=['<sip:a@h1>;expires=100', '<sip:a@h2>'], expires=200)
        cs = r.contacts()
        self.assertEqual((cs['sip:a@h1']['expires'], cs['sip:a@h2']['expires']), ('100', '200'))
        r = c.do(contacts=['<sip:a@h3>'])
        self.assertEqual(r.contacts()['sip:a@h3']['expires'], '3600')
        # re-registering updates the expiry of an existing binding
        r = c.do(contacts=['<sip:a@h1>'], expires=50)
        self.assertEqual(r.contacts()['sip:a@h1']['expires'], '50')
        # ;expires=0 removes one, Expires: 0 removes the listed ones
        r = c.do(contacts=['<sip:a@h1>;expires=0'], expires=300)
        self.assertEqual(set(r.contacts()), {'sip:a@h2', 'sip:a@h3'})
        r = c.do(contacts=['<sip:a@h2>'], expires=0)
        self.assertEqual(set(r.contacts()), {'sip:a@h3'})
        # query (no Contact) returns the bindings unchanged
        self.assertEqual(set(c.do(contacts=[]).contacts()), {'sip:a@h3'})
        # Contact: * with Expires: 0 removes everything
        r = c.do(contacts=['*'], expires=0)
        self.assertEqual(r.all('Contact'), [])

    def test_max_expires_and_default_expires(self):
        reg, c = self.setup({'max_expires': 120, 'default_expires': 90})
        self.assertEqual(c.do(expires=4294967295).contacts()['sip:alice@127.0.0.1:%d' % c.lport]
                         ['expires'], '120')
        self.assertEqual(c.do(contacts=['<sip:z@h>']).contacts()['sip:z@h']['expires'], '90')

    def test_non_2xx_does_not_change_bindings(self):
        reg, c = self.setup({'script': [{}, {'code': 500}]})
        c.do(contacts=['<sip:a@h1>'], expires=60)
        c.do(contacts=['<sip:a@h1>'], expires=0)
        self.assertEqual(set(c.do(contacts=[]).contacts()), {'sip:a@h1'})

    def test_min_expires_policy(self):
        reg, c = self.setup({'min_expires_policy': 600, 'script': [{'code': 200, 'reason': 'First'}]})
        r = c.do(expires=300)
        self.assertEqual((r.code, r.get('Min-Expires')), (423, '600'))
        self.assertEqual(c.do(contacts=['<sip:a@h>;expires=100'], expires=900).code, 423)
        r = c.do(expires=600)
        self.assertEqual((r.code, r.reason), (200, 'First'))  # step not consumed by the 423s
        self.assertEqual(c.do(expires=0).code, 200)          # unregister is fine


# ------------------------------------------------------------ authentication

class TestAuth(Base):
    USERS = {'alice': 'secret'}

    def auth_setup(self, auth, **more):
        cfg = {'users': self.USERS, 'auth': auth}
        cfg.update(more)
        return self.setup(cfg)

    def roundtrip(self, c, code=401, user='alice', pw='secret', **kw):
        r = c.do(expires=300)
        self.assertEqual(r.code, code)
        ch = r.challenge()
        hname = 'Proxy-Authorization' if code == 407 else 'Authorization'
        hdr = digest_header(ch, user, pw, c.uri, **kw)
        return ch, c.do(expires=300, auth=['%s: %s' % (hname, hdr)])

    def test_every_algorithm_and_qop(self):
        for alg in ('MD5', 'SHA-256', 'SHA-512-256', None):
            for qop in ('auth', 'auth-int', 'auth,auth-int', None):
                with self.subTest(alg=alg, qop=qop):
                    reg, c = self.auth_setup({'algorithm': alg, 'qop': qop})
                    r = c.do(expires=300)
                    ch = r.challenge()
                    self.assertEqual(ch.get('algorithm'), alg)
                    self.assertEqual(ch.get('qop'), qop)
                    choices = [None] if qop is None else [q for q in qop.split(',')]
                    for choice in choices:
                        r = c.do(expires=300, auth=['Authorization: ' + digest_header(
                            ch, 'alice', 'secret', c.uri, qop_choice=choice)])
                        self.assertEqual(r.code, 200, (alg, qop, choice))
                    # wrong password with the same parameters
                    r = c.do(expires=300, auth=['Authorization: ' + digest_header(
                        ch, 'alice', 'wrong', c.uri)])
                    self.assertEqual(r.code, 403)
                    reg.stop()

    def test_auth_int_hashes_body(self):
        reg, c = self.auth_setup({'qop': 'auth-int'})
        ch = c.do().challenge()
        body = 'hello body'
        good = digest_header(ch, 'alice', 'secret', c.uri, body=body)
        self.assertEqual(c.do(auth=['Authorization: ' + good], body=body).code, 200)
        wrong = digest_header(ch, 'alice', 'secret', c.uri, body='')
        self.assertEqual(c.do(auth=['Authorization: ' + wrong], body=body).code, 403)

    def test_407_proxy_auth(self):
        reg, c = self.auth_setup({'code': 407})
        ch, r = self.roundtrip(c, code=407)
        self.assertEqual(r.code, 200)
        # Authorization (instead of Proxy-Authorization) is not looked at
        r = c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri)])
        self.assertEqual(r.code, 407)

    def test_challenge_format_and_opaque(self):
        reg, c = self.auth_setup({'algorithm': 'SHA-256', 'opaque': 'op42'}, realm='r.example')
        r = c.do()
        self.assertRegex(r.get('WWW-Authenticate'),
                         r'^Digest realm="r.example", nonce="[0-9a-f]{32}", opaque="op42", '
                         r'algorithm=SHA-256, qop="auth"$')
        ch = r.challenge()
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri)])
                         .code, 200)
        no_opaque = dict(ch)
        del no_opaque['opaque']
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(no_opaque, 'alice', 'secret',
                                                                     c.uri)]).code, 403)

    def test_parameter_checks(self):
        reg, c = self.auth_setup({})
        ch = c.do().challenge()

        def attempt(hdr):
            return c.do(auth=['Authorization: ' + hdr]).code

        good = digest_header(ch, 'alice', 'secret', c.uri)
        self.assertEqual(attempt(good), 200)
        # uri must be the Request-URI (response computed with that uri)
        self.assertEqual(attempt(digest_header(ch, 'alice', 'secret', 'sip:elsewhere')), 403)
        # unknown user
        self.assertEqual(attempt(digest_header(ch, 'mallory', 'secret', c.uri)), 403)
        # nc must be 8 hex digits
        self.assertEqual(attempt(good.replace('nc=00000001', 'nc=1')), 403)
        # cnonce required with qop
        self.assertEqual(attempt(re.sub(r'cnonce="[^"]*", ', '', good)), 403)
        # qop required when offered
        noqop = dict(ch)
        del noqop['qop']
        self.assertEqual(attempt(digest_header(noqop, 'alice', 'secret', c.uri)), 403)
        # algorithm not offered
        sha = dict(ch, algorithm='SHA-256')
        self.assertEqual(attempt(digest_header(sha, 'alice', 'secret', c.uri)), 403)
        # other realm: ignored -> plain challenge again
        r = c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri,
                                                        realm='other')])
        self.assertEqual(r.code, 401)
        # empty credentials as sent by pjsip's initial_auth: challenged
        r = c.do(auth=['Authorization: digest username="alice", realm="test.local", nonce="", '
                       'uri="%s", response="", algorithm=MD5' % c.uri])
        self.assertEqual(r.code, 401)
        self.assertNotIn('stale', r.challenge())
        # lowercase scheme and hex response in upper case are fine
        self.assertEqual(attempt('digest' + good[6:].replace(
            re.search(r'response="([0-9a-f]+)"', good).group(1),
            re.search(r'response="([0-9a-f]+)"', good).group(1).upper())), 200)

    def test_credentials_for_several_realms(self):
        reg, c = self.auth_setup({})
        ch = c.do().challenge()
        other = 'Authorization: ' + digest_header(dict(ch, realm='elsewhere'), 'bob', 'x', c.uri)
        mine = 'Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri)
        self.assertEqual(c.do(auth=[other, mine]).code, 200)

    def test_on_bad_challenge(self):
        reg, c = self.auth_setup({'on_bad': 'challenge'})
        ch = c.do().challenge()
        r = c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'bad', c.uri)])
        self.assertEqual(r.code, 401)
        ch2 = r.challenge()
        self.assertEqual(ch2['nonce'], ch['nonce'])
        self.assertNotIn('stale', ch2)

    def test_session_nonce_and_nonce_per_request(self):
        reg, c = self.auth_setup({})
        n = {c.do().challenge()['nonce'] for _ in range(3)}
        self.assertEqual(len(n), 1)
        reg, c = self.auth_setup({'nonce_per_request': True})
        chs = [c.do().challenge() for _ in range(3)]
        self.assertEqual(len({x['nonce'] for x in chs}), 3)
        # an older nonce that we issued stays valid
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(chs[0], 'alice', 'secret',
                                                                      c.uri)]).code, 200)

    def test_stale_always(self):
        reg, c = self.auth_setup({'stale_always': True})
        ch = c.do().challenge()
        self.assertNotIn('stale', ch)
        nonces = {ch['nonce']}
        for i in range(3):
            r = c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri, nc=i + 1)])
            self.assertEqual(r.code, 401)
            ch = r.challenge()
            self.assertEqual(ch['stale'], 'true')
            nonces.add(ch['nonce'])
        self.assertEqual(len(nonces), 4)

    def test_unknown_nonce_with_right_password_is_stale(self):
        reg, c = self.auth_setup({})
        ch = dict(c.do().challenge(), nonce='feedface')
        r = c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri)])
        self.assertEqual(r.code, 401)
        self.assertEqual(r.challenge()['stale'], 'true')
        r = c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'nope', c.uri)])
        self.assertEqual(r.code, 403)

    def test_every_request(self):
        reg, c = self.auth_setup({})
        ch, r = self.roundtrip(c)
        self.assertEqual(r.code, 200)
        self.assertEqual(c.do().code, 401)  # default: challenge every new REGISTER
        reg, c = self.auth_setup({'every_request': False})
        ch, r = self.roundtrip(c)
        self.assertEqual(c.do().code, 200)
        c2 = self.client(reg)  # another Call-ID is still challenged
        self.assertEqual(c2.do().code, 401)

    def test_gate_does_not_consume_steps(self):
        reg, c = self.auth_setup({}, script=[{'code': 423, 'min_expires': 600}])
        codes = []
        for _ in range(2):
            ch, r = self.roundtrip(c)
            codes += [401, r.code]
        self.assertEqual(codes, [401, 423, 401, 200])

    def test_auth_false_and_drop_bypass_gate(self):
        reg, c = self.auth_setup({}, script=[{'drop': True}, {'auth': False, 'code': 503}])
        req = c.build()
        c.send(req)
        c.nothing()
        c.send(req)
        self.assertEqual(c.recv().code, 503)
        self.assertEqual(c.do().code, 401)

    def test_challenge_step_after_successful_auth(self):
        reg, c = self.auth_setup({}, script=[{'challenge': True, 'stale': True}])
        ch, r = self.roundtrip(c)
        self.assertEqual(r.code, 401)
        self.assertEqual(r.challenge()['stale'], 'true')
        self.assertNotEqual(r.challenge()['nonce'], ch['nonce'])
        ch, r = self.roundtrip(c)
        self.assertEqual(r.code, 200)

    def test_retransmitted_challenge_identical(self):
        reg, c = self.auth_setup({'nonce_per_request': True})
        req = c.build()
        c.send(req)
        a = c.recv()
        c.send(req)
        b = c.recv()
        self.assertEqual(a.raw, b.raw)

    def test_extra_challenges(self):
        reg, c = self.auth_setup({'challenges': [
            'Digest realm="other.realm", nonce="{nonce}x", algorithm=MD5',
            'Digest realm="{realm}", nonce="{nonce}", algorithm=SHA-256, qop="auth"']})
        r = c.do()
        vals = r.all('WWW-Authenticate')
        self.assertEqual(len(vals), 3)
        main = parse_challenge(vals[0])
        self.assertEqual(parse_challenge(vals[1])['nonce'], main['nonce'] + 'x')
        sha = parse_challenge(vals[2])
        self.assertEqual(sha['realm'], 'test.local')
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(sha, 'alice', 'secret', c.uri)])
                         .code, 200)
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(main, 'alice', 'secret', c.uri)])
                         .code, 200)

    def test_mixed_challenge_kinds(self):
        reg, c = self.auth_setup({'code': 407, 'challenges': [
            'WWW-Authenticate: Digest realm="www.realm", nonce="{nonce}"']})
        r = c.do()
        self.assertEqual(r.code, 407)
        self.assertEqual(r.names()[5:7], ['Proxy-Authenticate', 'WWW-Authenticate'])
        self.assertEqual(r.challenge('WWW-Authenticate')['realm'], 'www.realm')
        ch = r.challenge()
        self.assertEqual(c.do(auth=['Proxy-Authorization: ' + digest_header(
            ch, 'alice', 'secret', c.uri)]).code, 200)

    def test_only_scripted_challenges(self):
        reg, c = self.auth_setup({'main_challenge': False, 'challenges': [
            'Digest realm="{realm}", nonce="{nonce}", algorithm=SHA-512-256',
            'Basic realm="{realm}"']})
        r = c.do()
        vals = r.all('WWW-Authenticate')
        self.assertEqual(vals[1], 'Basic realm="test.local"')
        ch = parse_challenge(vals[0])
        # no qop offered: answering without qop is right
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(ch, 'alice', 'secret', c.uri)])
                         .code, 200)
        # MD5 was not offered
        self.assertEqual(c.do(auth=['Authorization: ' + digest_header(
            dict(ch, algorithm='MD5'), 'alice', 'secret', c.uri)]).code, 403)


# ------------------------------------------------------------ in-process, fake clock

class FakeClient(Client):
    def __init__(self):
        self.lport, self.tcp, self.cseq = 5555, False, 1
        self.uri, self.call_id = 'sip:127.0.0.1:5060', 'inproc'


class TestFakeClock(unittest.TestCase):
    def test_bindings_expire(self):
        clock = [1000.0]
        fake = types.SimpleNamespace(monotonic=lambda: clock[0])
        with mock.patch.object(regmod, 'time', fake):
            reg = regmod.Registrar({})
            c = FakeClient()
            out = []

            def do(**kw):
                reg.handle(c.build(**kw), 'UDP', ('127.0.0.1', 5555), out.append)
                return Resp(out[-1])

            do(contacts=['<sip:short@h>;expires=2', '<sip:long@h>;expires=60'])
            clock[0] += 1.5
            cs = do(contacts=[]).contacts()
            self.assertEqual((cs['sip:short@h']['expires'], cs['sip:long@h']['expires']), ('1', '59'))
            clock[0] += 0.5
            self.assertEqual(set(do(contacts=[]).contacts()), {'sip:long@h'})
            clock[0] += 58
            self.assertEqual(do(contacts=[]).contacts(), {})

    def test_delay_uses_timers(self):
        clock = [50.0]
        fake = types.SimpleNamespace(monotonic=lambda: clock[0])
        with mock.patch.object(regmod, 'time', fake):
            reg = regmod.Registrar({'script': [{'delay_ms': 2500, 'code': 480}]})
            out = []
            reg.handle(FakeClient().build(), 'UDP', ('127.0.0.1', 5555), out.append)
            self.assertEqual(out, [])
            self.assertAlmostEqual(reg.next_timeout(), 2.5)
            clock[0] += 2.4
            reg.run_timers()
            self.assertEqual(out, [])
            clock[0] += 0.1
            reg.run_timers()
            self.assertEqual(Resp(out[0]).code, 480)
            self.assertIsNone(reg.next_timeout())


# ------------------------------------------------------------ IPv6

class TestIpv6(Base):
    def test_udp_on_ipv6_loopback(self):
        try:
            probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            probe.bind(('::1', 0))
            probe.close()
        except OSError:
            self.skipTest('no IPv6 loopback')
        reg = self.start({}, extra_args=('--ipv6',))
        ports = [int(x) for x in reg.port_line.split()[1:]]
        self.assertEqual(len(ports), 6)
        self.assertEqual(ports[2], 0)  # no TLS listener without --tls
        self.assertTrue(ports[5] > 0)
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.settimeout(2)
        sock.bind(('::1', 0))
        self.addCleanup(sock.close)
        lport = sock.getsockname()[1]
        req = ('REGISTER sip:[::1]:%d SIP/2.0\r\n'
               'Via: SIP/2.0/UDP [::1]:%d;rport;branch=z9hG4bK6six\r\n'
               'From: <sip:alice@example.com>;tag=a\r\nTo: <sip:alice@example.com>\r\n'
               'Call-ID: six@x\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@[::1]:%d>\r\n'
               'Content-Length: 0\r\n\r\n' % (ports[5], lport, lport)).encode()
        sock.sendto(req, ('::1', ports[5]))
        data, addr = sock.recvfrom(65536)
        self.assertEqual(Resp(data).code, 200)
        self.assertEqual(addr[1], ports[5])
        head = reg.records()[0][0]
        self.assertEqual((head[2], head[3], int(head[4])), ('UDP', '::1', lport))


# ------------------------------------------------------------ TCP

class TestTcp(Base):
    def test_tcp_framing(self):
        reg = self.start({'script': [{'code': 503}]}, tcp=True)
        self.assertRegex(reg.port_line, r'^PORT \d+ \d+\n$')
        c = self.client(reg, tcp=True)
        a = c.build(body='abc')
        b = c.build()
        # first message split in two segments, second glued to its end
        c.send(b'\r\n\r\n' + a[:20])
        time.sleep(0.05)
        c.send(a[20:] + b)
        r1, r2 = c.recv(), c.recv()
        self.assertEqual((r1.code, r2.code), (503, 200))
        self.assertEqual(r1.get('CSeq'), '%d REGISTER' % (c.cseq - 1))
        recs = reg.records()
        self.assertEqual([x[1] for x in recs], [a, b])
        self.assertEqual(recs[0][0][2], 'TCP')

    def test_keepalives_answered_and_logged(self):
        reg = self.start({'log_keepalive': True}, tcp=True)
        c = self.client(reg, tcp=True)
        c.send(b'\r\n\r\n')
        c.sock.settimeout(2)
        self.assertEqual(c.sock.recv(16), b'\r\n')  # the pong
        c.register()
        self.assertEqual(c.recv().code, 200)
        recs = reg.records()
        self.assertEqual([x[1] for x in recs][0], b'\r\n\r\n')
        self.assertEqual(len(recs), 2)

    def test_ping_and_close_actions(self):
        reg = self.start({'script': [{'code': 200, 'ping': True, 'close': True}]}, tcp=True)
        c = self.client(reg, tcp=True)
        c.register()
        self.assertEqual(c.recv().code, 200)
        c.sock.settimeout(2)
        rest = c.buf
        while True:
            d = c.sock.recv(100)
            if not d:
                break  # closed by the registrar
            rest += d
        self.assertEqual(rest, b'\r\n\r\n')


def make_pki(d):
    """A throwaway CA and a server certificate for 127.0.0.1, ::1 and
    localhost, made with the openssl command; None when it is missing."""
    if not shutil.which('openssl'):
        return None
    def run(*a):
        subprocess.run(['openssl'] + list(a), cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    run('req', '-x509', *ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1',
        '-subj', '/CN=registrar test CA')
    run('req', *ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost')
    with open(os.path.join(d, 'ext.cnf'), 'w') as f:
        f.write('subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n')
    run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
        '-CAcreateserial', '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf')
    return os.path.join(d, 'ca.pem'), os.path.join(d, 'srv.pem'), os.path.join(d, 'srv.key')


class TestTls(Base):
    def test_tls_listener(self):
        import ssl
        d = tempfile.mkdtemp(prefix='regpki-')
        self.addCleanup(shutil.rmtree, d, True)
        pki = make_pki(d)
        if pki is None:
            self.skipTest('no openssl command')
        ca, cert, key = pki
        reg = self.start({}, extra_args=['--tls', cert, key, '--tls-min', '1.3'])
        ports = [int(x) for x in reg.port_line.split()[1:]]
        self.assertEqual(len(ports), 6)
        self.assertTrue(ports[1] and ports[2])
        self.assertEqual(ports[3:], [0, 0, 0])
        ctx = ssl.create_default_context(cafile=ca)
        raw = socket.create_connection(('127.0.0.1', ports[2]), timeout=2)
        tls = ctx.wrap_socket(raw, server_hostname='127.0.0.1')
        self.assertEqual(tls.version(), 'TLSv1.3')
        c = self.client(reg, tcp=True)
        c.sock.close()
        c.sock = tls
        c.register()
        self.assertEqual(c.recv().code, 200)
        self.assertEqual(reg.records()[0][0][2], 'TLS')


if __name__ == '__main__':
    unittest.main()
