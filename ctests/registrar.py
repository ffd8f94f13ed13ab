#!/usr/bin/env python3
"""Scriptable SIP registrar for the pjsip_regc C tests (Python 3.11, stdlib only).

An independent, deliberately simple and tolerant SIP implementation: it shares
no code with the library under test. It only ever listens on 127.0.0.1 and
only ever answers to the source address of the request it received.

Invocation
----------
    python3 ctests/registrar.py [--config JSON | --config-file FILE]
                                [--log FILE] [--sent-log FILE] [--tcp]
                                [--tls CERT KEY] [--tls-client-ca FILE]
                                [--tls-min 1.2|1.3] [--tls-max 1.2|1.3]
                                [--ipv6] [--no-stdin-watch]

It binds UDP 127.0.0.1:0 (and with --tcp a TCP listener on its own port 0),
prints exactly one line ``PORT <udp_port> [<tcp_port>]`` on stdout, flushes,
and serves until SIGTERM/SIGINT or until its stdin reaches EOF (so a crashed
parent never leaves it running; --no-stdin-watch disables that for manual
runs with stdin at /dev/null). Config errors (unknown keys, bad JSON) make it
exit with status 2 and a message on stderr before the PORT line.

--tls CERT KEY adds a TLS listener (Python's ssl module, certificate chain
and key in PEM files) on 127.0.0.1; --tls-client-ca FILE makes it require a
client certificate signed by that CA; --tls-min/--tls-max bound the
protocol version. --tcp-same-port puts the TCP listener on the UDP port
(where a client switching a large request to TCP connects). --ipv6 adds a UDP socket and a TCP listener (and with
--tls a TLS one) on [::1]. With --tls or --ipv6 the line always has six
ports, 0 for those not started: ``PORT <udp> <tcp> <tls> <tcp6> <tls6>
<udp6>``. A TLS handshake
that fails is counted, not logged; its reason goes to stderr.

On streams (TCP, TLS) a keep-alive ping (CRLF CRLF) is answered with one
CRLF (RFC 5626); with "log_keepalive" the keep-alives received are logged
as records of their own (the bytes are the CRLFs).

Log format (--log; --sent-log uses the same format for responses sent)
----------------------------------------------------------------------
Every received message (retransmissions included; bare CRLF keep-alives
excluded) is appended as one record, written with a single write() and
flushed, so a reader may poll the file while the registrar runs:

    === <seq> <ms_since_start> <UDP|TCP|TLS> <ip>:<port> len=<n>\\n
    <exactly n bytes: the message as received>\\n
    === end\\n

<seq> counts from 0, <ms_since_start> is monotonic time with 3 decimals. In
the sent log the header line ends with `` sent`` and <ip>:<port> is the
destination. A reader must treat a record whose n bytes plus the trailing
``\\n=== end\\n`` are not all there yet as not yet written.

Config reference (JSON object; every key optional; unknown keys are errors;
"comment" is allowed in every object)
-----------------------------------------------------------------------
  "realm": "test.local"        realm of the digest challenges
  "users": {}                  username -> password, e.g. {"alice": "secret"}
  "default_expires": 3600      expiry of a contact with no expires param and
                               no Expires header
  "max_expires": null | N      grant min(requested, N)
  "min_expires_policy": null|N a registration asking for 0 < expiry < N gets
                               an automatic 423 with "Min-Expires: N"
  "auth": null | {...}         null (default): no authentication. An object
                               (even {}) enables the digest gate:
      "code": 401 | 407            (401) WWW-Authenticate/Authorization or
                                   Proxy-Authenticate/Proxy-Authorization
      "algorithm": "MD5" | "SHA-256" | "SHA-512-256" | null
                                   ("MD5") null: parameter omitted (=MD5)
      "qop": "auth" | "auth-int" | "auth,auth-int" | null   ("auth")
      "opaque": str | null         (null) must be echoed when set
      "stale_always": false        every request carrying credentials for our
                                   realm is re-challenged with a new nonce and
                                   stale=true (never accepted)
      "nonce_per_request": false   a new nonce for every challenge (default:
                                   one nonce for the whole run); any nonce
                                   ever issued stays acceptable
      "every_request": true        false: once a REGISTER of a Call-ID passed
                                   auth, later REGISTERs of that Call-ID
                                   without credentials pass too
      "on_bad": "403"|"challenge"  ("403") wrong credentials get 403 Forbidden,
                                   or a new challenge without stale (same
                                   nonce unless nonce_per_request)
      "challenges": [str, ...]     extra raw challenge header values, sent
                                   after the main one; placeholders {realm}
                                   {nonce} {opaque} are substituted. An entry
                                   starting with "WWW-Authenticate:" or
                                   "Proxy-Authenticate:" is a whole header
                                   line (to mix both kinds in one response);
                                   only credentials in the header kind of
                                   "code" are verified
      "main_challenge": true       false: send only the "challenges" values
                                   (so their order is fully scripted)
  "log_keepalive": false       log CRLF keep-alives received on streams
  "script": [action, ...]      consumed in order, one action per new REGISTER
                               transaction (see "Processing order" below)
  "default": action            used when the script is exhausted
                               (default {"code": 200, "contact": "echo"})

Action keys:
  "drop": true           no response; consumes itself for this transmission
                         only (a retransmission of the same branch is then
                         a new request that gets the next action)
  "trying": true         send 100 Trying first (immediately, before delay_ms)
  "trying_only": true    send 100 Trying and nothing else
  "code": 200            final status code (1xx: sent as the last response)
  "reason": "OK"         reason phrase (default: the standard one)
  "delay_ms": n          send the final response n ms later (non-blocking)
  "duplicate": true      send the final response twice (a retransmitted
                         request later gets it once)
  "contact": mode        Contact headers of the response. Default "echo" for
                         2xx and "none" otherwise. Modes:
      "echo"      every binding the registrar holds for the AOR (To URI),
                  "<uri>[;other params];expires=<remaining seconds>"
      "request"   the request's Contact values (non-"*"), expires param set
                  to the granted expiry (param > Expires header >
                  default_expires, capped by max_expires)
      "modified"  as "request" but with the URI's port incremented by one
                  (":5070" added when it has no port), so an RFC 3261 URI
                  comparison no longer matches; URI parameters (x-uid) kept
      "replaced"  one "<sip:replaced@192.0.2.1:5060>;expires=N" (N = granted
                  expiry of the first request contact, else Expires header,
                  else default_expires)
      "none"      no Contact
  "extra_contacts": [str] raw Contact values appended after the above
  "contact_join": true   all Contact values in one comma-separated header
  "contact_expires": N   force ;expires=N on generated (not extra) contacts
  "no_contact_expires": true  remove ;expires from generated contacts
  "expires_hdr": N       add "Expires: N"
  "min_expires": N       add "Min-Expires: N" (normally with code 423)
  "headers": [str]       extra raw header lines, added before Content-Length
  "raw": str             send this text instead of a built response (no
                         binding change). Placeholders: {via} (all Via values,
                         top one with received/rport, joined by ", "),
                         {from} {to} (as received, no tag) {to_tag} {call_id}
                         {cseq} {contacts} (request Contact values joined by
                         ", ") {expires} (request Expires value or "")
                         {realm} {nonce}. Line endings are sent as written.
  "challenge": true      answer with a digest challenge built from the auth
                         config (or its defaults when auth is null); code is
                         the action's 401/407 "code" if given, else auth.code
  "stale": true          with "challenge": new nonce and stale=true
  "auth": false          this action bypasses the auth gate
  "close": true          (streams) close the connection right after the
                         final response (or instead of it with "drop")
  "ping": true           (streams) send a CRLF CRLF keep-alive right after
                         the final response

Processing order of a REGISTER
------------------------------
1. A retransmission (same top Via branch + CSeq method as a transaction that
   got or is getting a response) is answered with the last response sent for
   it (nothing if none was sent yet: e.g. delayed without trying). No action
   is consumed.
2. The next action (the script's, else "default") is peeked. "drop" is
   applied at once (consumed).
3. Auth gate (auth enabled and the action has no "auth": false): a request
   without valid credentials is challenged (or 403 on_bad) WITHOUT consuming
   the action. So with auth, the script lists the responses to the
   authenticated requests only; e.g. {"auth": {}, "script": [{"code": 423,
   "min_expires": 600}]} gives 401, 423, 401, 200.
   Credentials checked: scheme Digest, realm, username known, uri equal to the
   Request-URI, algorithm offered, opaque echoed, with qop: qop offered,
   cnonce present, nc 8 hex digits; response recomputed (auth-int hashes the
   body). Headers with an empty nonce or response (pjsip initial_auth) and
   headers for other realms are ignored. A correct response for a nonce never
   issued gets a stale=true challenge.
4. min_expires_policy (only when the action would answer 2xx with a built
   response): 423 + Min-Expires, not consuming the action.
5. The action is consumed and applied. A 2xx built response first updates the
   bindings: per contact the expiry is its expires param, else the Expires
   header, else default_expires, capped by max_expires; 0 removes the binding
   (bindings are keyed by the exact URI text); "Contact: *" removes all.
   With delay_ms this happens when the delayed response is built.

Non-REGISTER requests: OPTIONS gets 200, ACK nothing, others 405. Messages
without a "METHOD URI SIP/x" request line are logged and otherwise ignored.
Responses copy the Vias (top one gets received=<src ip> when it has rport or
a different host, and rport=<src port> when rport has no value), From, To
(with a To tag on final responses, one tag per transaction), Call-ID, CSeq;
Content-Length: 0 is last.
"""

import hashlib
import heapq
import itertools
import json
import math
import os
import re
import secrets
import select
import signal
import socket
import sys
import time

COMPACT = {
    'i': 'Call-ID', 'm': 'Contact', 'f': 'From', 't': 'To', 'v': 'Via',
    'l': 'Content-Length', 'c': 'Content-Type', 'e': 'Content-Encoding',
    'k': 'Supported', 's': 'Subject', 'o': 'Event', 'u': 'Allow-Events',
    'r': 'Refer-To', 'b': 'Referred-By', 'x': 'Session-Expires',
}

REASONS = {
    100: 'Trying', 180: 'Ringing', 183: 'Session Progress',
    200: 'OK', 202: 'Accepted', 300: 'Multiple Choices',
    301: 'Moved Permanently', 302: 'Moved Temporarily', 400: 'Bad Request',
    401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 407: 'Proxy Authentication Required',
    408: 'Request Timeout', 423: 'Interval Too Brief',
    480: 'Temporarily Unavailable', 486: 'Busy Here',
    500: 'Server Internal Error', 501: 'Not Implemented',
    502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out',
    600: 'Busy Everywhere', 603: 'Decline',
}
CLASS_REASONS = {1: 'Provisional', 2: 'Success', 3: 'Redirection',
                 4: 'Client Error', 5: 'Server Error', 6: 'Global Failure'}

HASHES = {
    'MD5': lambda b: hashlib.md5(b).hexdigest(),
    'SHA-256': lambda b: hashlib.sha256(b).hexdigest(),
    'SHA-512-256': lambda b: hashlib.new('sha512_256', b).hexdigest(),
}

TOP_KEYS = {'comment', 'realm', 'users', 'default_expires', 'max_expires',
            'min_expires_policy', 'auth', 'script', 'default', 'log_keepalive'}
AUTH_KEYS = {'comment', 'code', 'algorithm', 'qop', 'opaque', 'stale_always',
             'nonce_per_request', 'every_request', 'on_bad', 'challenges',
             'main_challenge'}
ACTION_KEYS = {'comment', 'drop', 'trying', 'trying_only', 'code', 'reason',
               'delay_ms', 'duplicate', 'contact', 'extra_contacts',
               'contact_join', 'contact_expires', 'no_contact_expires',
               'expires_hdr', 'min_expires', 'headers', 'raw', 'challenge',
               'stale', 'auth', 'close', 'ping'}
CONTACT_MODES = {'echo', 'request', 'modified', 'replaced', 'none'}
ACTION_TYPES = {
    'drop': bool, 'trying': bool, 'trying_only': bool, 'duplicate': bool,
    'contact_join': bool, 'no_contact_expires': bool, 'challenge': bool,
    'stale': bool, 'auth': bool, 'close': bool, 'ping': bool,
    'code': int, 'delay_ms': int,
    'contact_expires': int, 'expires_hdr': int, 'min_expires': int,
    'reason': str, 'raw': str, 'contact': str, 'extra_contacts': list,
    'headers': list,
}


class ConfigError(Exception):
    pass


def reason_for(code):
    return REASONS.get(code, CLASS_REASONS.get(code // 100, 'Unknown'))


# ---------------------------------------------------------------- parsing

def canon_name(name):
    n = name.strip()
    if len(n) == 1:
        return COMPACT.get(n.lower(), n)
    return n


def split_top(value, sep):
    """Split on `sep` outside double quotes and <...>."""
    out, cur, quote, angle, i = [], [], False, False, 0
    while i < len(value):
        ch = value[i]
        if quote:
            cur.append(ch)
            if ch == '\\' and i + 1 < len(value):
                cur.append(value[i + 1])
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
            cur.append(ch)
        elif ch == '<':
            angle = True
            cur.append(ch)
        elif ch == '>':
            angle = False
            cur.append(ch)
        elif ch == sep and not angle:
            out.append(''.join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append(''.join(cur))
    return out


def parse_params(text):
    """';a=b;c' -> [('a','b'), ('c', None)] (names keep their case)."""
    params = []
    for part in split_top(text, ';'):
        part = part.strip()
        if not part:
            continue
        if '=' in part:
            k, v = part.split('=', 1)
            params.append((k.strip(), v.strip()))
        else:
            params.append((part, None))
    return params


def find_param(params, name):
    for k, v in params:
        if k.lower() == name.lower():
            return (v if v is not None else '')
    return None


def format_params(params):
    return ''.join(';' + k + ('' if v is None else '=' + v) for k, v in params)


class Addr:
    """A name-addr / addr-spec with header parameters (From, To, Contact)."""

    def __init__(self, value):
        v = value.strip()
        self.display = ''
        rest = ''
        lt = -1
        quote = False
        for idx, ch in enumerate(v):
            if ch == '"':
                quote = not quote
            elif ch == '<' and not quote:
                lt = idx
                break
        if lt >= 0:
            gt = v.find('>', lt)
            if gt < 0:
                gt = len(v)
            self.display = v[:lt].strip()
            self.uri = v[lt + 1:gt].strip()
            rest = v[gt + 1:]
        else:
            semi = v.find(';')
            if semi < 0:
                self.uri, rest = v, ''
            else:
                self.uri, rest = v[:semi].strip(), v[semi:]
        self.params = parse_params(rest)

    def param(self, name):
        return find_param(self.params, name)

    def without(self, name):
        return [(k, v) for k, v in self.params if k.lower() != name.lower()]


class Message:
    def __init__(self, raw):
        self.raw = raw
        text = raw.decode('latin-1').lstrip('\r\n')
        m = re.search(r'\r?\n\r?\n', text)
        if m:
            head, body = text[:m.start()], text[m.end():]
        else:
            head, body = text, ''
        lines = re.split(r'\r?\n', head)
        self.start_line = lines[0].strip() if lines else ''
        self.headers = []  # [name_as_written, canonical, value]
        for line in lines[1:]:
            if line[:1] in (' ', '\t') and self.headers:
                self.headers[-1][2] = (self.headers[-1][2] + ' ' + line.strip()).strip()
                continue
            if ':' not in line:
                continue
            n, v = line.split(':', 1)
            self.headers.append([n.strip(), canon_name(n), v.strip()])
        parts = self.start_line.split(None, 2)
        self.is_response = bool(parts) and parts[0].upper().startswith('SIP/')
        is_request = len(parts) == 3 and parts[2].upper().startswith('SIP/')
        self.method = parts[0].upper() if is_request else ''
        self.uri = parts[1] if len(parts) > 1 else ''
        cl = self.get('Content-Length')
        try:
            n = int(cl) if cl is not None else None
        except ValueError:
            n = None
        if n is not None and 0 <= n <= len(body):
            body = body[:n]
        self.body = body

    def all(self, name):
        c = canon_name(name).lower()
        return [h[2] for h in self.headers if h[1].lower() == c]

    def get(self, name):
        a = self.all(name)
        return a[0] if a else None

    def values(self, name):
        """Comma-separated values of all headers of that name, in order."""
        out = []
        for v in self.all(name):
            out.extend(x.strip() for x in split_top(v, ',') if x.strip())
        return out

    def expires(self):
        v = self.get('Expires')
        if v is None:
            return None
        try:
            return int(v.strip())
        except ValueError:
            return None

    def cseq_method(self):
        parts = (self.get('CSeq') or '').split()
        return parts[1].upper() if len(parts) > 1 else self.method


def split_via(value):
    """'SIP/2.0/UDP host:port;a;b=c' -> ('SIP/2.0/UDP host:port', params)."""
    semi = value.find(';')
    if semi < 0:
        return value.strip(), []
    return value[:semi].strip(), parse_params(value[semi:])


def via_host(sent_part):
    f = sent_part.split()
    hostport = f[-1] if f else ''
    if hostport.startswith('['):
        return hostport[1:hostport.find(']')] if ']' in hostport else hostport
    return hostport.rsplit(':', 1)[0] if ':' in hostport else hostport


def parse_digest(value):
    v = value.strip()
    m = re.match(r'(\S+)\s*(.*)$', v, re.S)
    if not m:
        return '', {}
    scheme, rest = m.group(1), m.group(2)
    params = {}
    for pm in re.finditer(r'\s*([A-Za-z0-9_.\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?', rest):
        val = pm.group(2)
        if val.startswith('"') and val.endswith('"') and len(val) >= 2:
            val = re.sub(r'\\(.)', r'\1', val[1:-1])
        params[pm.group(1).lower()] = val
    return scheme, params


def modify_uri(uri):
    """Change the port (+1, or add :5070) keeping user, host and params."""
    m = re.match(r'^([A-Za-z][A-Za-z0-9+.\-]*:)([^@;?]*@)?(\[[^\]]*\]|[^:;?]*)(:\d+)?(.*)$', uri)
    if not m:
        return uri + ';modified'
    scheme, user, host, port, rest = m.groups()
    newport = ':%d' % (int(port[1:]) + 1) if port else ':5070'
    return scheme + (user or '') + host + newport + rest


# ---------------------------------------------------------------- config

def _check_keys(obj, allowed, where):
    if not isinstance(obj, dict):
        raise ConfigError('%s must be an object' % where)
    bad = set(obj) - allowed
    if bad:
        raise ConfigError('unknown key(s) in %s: %s' % (where, ', '.join(sorted(bad))))


def validate_config(cfg):
    _check_keys(cfg, TOP_KEYS, 'config')
    auth = cfg.get('auth')
    if auth is not None:
        _check_keys(auth, AUTH_KEYS, 'auth')
        if auth.get('code', 401) not in (401, 407):
            raise ConfigError('auth.code must be 401 or 407')
        alg = auth.get('algorithm', 'MD5')
        if alg is not None and alg.upper() not in HASHES:
            raise ConfigError('unsupported auth.algorithm %r' % alg)
        if auth.get('on_bad', '403') not in ('403', 'challenge', 403):
            raise ConfigError('auth.on_bad must be "403" or "challenge"')
    if not isinstance(cfg.get('script', []), list):
        raise ConfigError('script must be a list')
    actions = list(cfg.get('script', []))
    if 'default' in cfg:
        actions.append(cfg['default'])
    for i, a in enumerate(actions):
        where = 'action %d' % i if i < len(cfg.get('script', [])) else 'default'
        _check_keys(a, ACTION_KEYS, where)
        for k, v in a.items():
            want = ACTION_TYPES.get(k)
            if want is list:
                ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
            elif want is int:
                ok = isinstance(v, int) and not isinstance(v, bool)
            elif want is bool:
                ok = isinstance(v, bool)
            elif want is str:
                ok = isinstance(v, str)
            else:
                ok = True
            if not ok:
                raise ConfigError('%s: %r has the wrong type' % (where, k))
        if 'contact' in a and a['contact'] not in CONTACT_MODES:
            raise ConfigError('%s: bad contact mode %r' % (where, a['contact']))
    if auth is not None and not (isinstance(auth.get('challenges', []), list) and
                                 all(isinstance(x, str) for x in auth.get('challenges', []))):
        raise ConfigError('auth.challenges must be a list of strings')
    if not isinstance(cfg.get('users', {}), dict):
        raise ConfigError('users must be an object')
    return cfg


# ---------------------------------------------------------------- server

class Tx:
    def __init__(self):
        self.to_tag = secrets.token_hex(8)
        self.last = None          # bytes of the last response sent


class Registrar:
    def __init__(self, cfg, log_path=None, sent_log_path=None):
        self.cfg = validate_config(cfg)
        self.t0 = time.monotonic()
        self.realm = cfg.get('realm', 'test.local')
        self.users = cfg.get('users', {})
        self.auth = cfg.get('auth')
        self.script = list(cfg.get('script', []))
        self.default = cfg.get('default', {'code': 200, 'contact': 'echo'})
        self.step = 0
        self.default_expires = int(cfg.get('default_expires', 3600))
        self.max_expires = cfg.get('max_expires')
        self.min_policy = cfg.get('min_expires_policy')
        self.bindings = {}        # aor -> {uri: (params_without_expires, expiry_monotonic)}
        self.txs = {}
        self.timers = []
        self.timer_seq = itertools.count()
        self.nonce = None
        self.nonces = set()
        self.auth_callids = set()
        self.recv_seq = 0
        self.sent_seq = 0
        self.log_keepalive = bool(cfg.get('log_keepalive', False))
        self.tls_failures = 0
        self.cur_stream = None
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self.log_fd = os.open(log_path, flags, 0o644) if log_path else None
        self.sent_fd = os.open(sent_log_path, flags, 0o644) if sent_log_path else None

    # -- helpers
    def now_ms(self):
        return (time.monotonic() - self.t0) * 1000.0

    def _record(self, fd, seq, transport, addr, raw, suffix=''):
        head = '=== %d %.3f %s %s:%d len=%d%s\n' % (
            seq, self.now_ms(), transport, addr[0], addr[1], len(raw), suffix)
        os.write(fd, head.encode('latin-1') + raw + b'\n=== end\n')

    def schedule(self, delay_s, fn):
        heapq.heappush(self.timers, (time.monotonic() + delay_s, next(self.timer_seq), fn))

    def run_timers(self):
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, _, fn = heapq.heappop(self.timers)
            fn()

    def next_timeout(self):
        if not self.timers:
            return None
        return max(0.0, self.timers[0][0] - time.monotonic())

    def send(self, data, transport, addr, sendfn):
        if not addr[0].startswith('127.') and addr[0] != '::1':
            return  # loopback only, never anywhere else
        if self.sent_fd is not None:
            self._record(self.sent_fd, self.sent_seq, transport, addr, data, ' sent')
        self.sent_seq += 1
        try:
            sendfn(data)
        except OSError as e:
            print('registrar: send failed: %s' % e, file=sys.stderr)

    # -- entry point for one received message
    def handle(self, raw, transport, addr, sendfn, stream=None):
        if not raw.strip():
            # keep-alive
            if self.log_keepalive and self.log_fd is not None and transport != 'UDP':
                self._record(self.log_fd, self.recv_seq, transport, addr, raw)
                self.recv_seq += 1
            return
        self.cur_stream = stream
        if self.log_fd is not None:
            self._record(self.log_fd, self.recv_seq, transport, addr, raw)
        self.recv_seq += 1
        try:
            msg = Message(raw)
        except Exception as e:  # tolerant: never die on garbage
            print('registrar: unparsable message: %s' % e, file=sys.stderr)
            return
        if msg.is_response or not msg.method or msg.method == 'ACK':
            return
        key = self.tx_key(msg)
        out = lambda data: self.send(data, transport, addr, sendfn)
        tx = self.txs.get(key)
        if tx is not None:
            if tx.last is not None:
                out(tx.last)
            return
        if msg.method == 'REGISTER':
            self.handle_register(msg, key, addr, out)
        else:
            tx = self.txs[key] = Tx()
            if msg.method == 'OPTIONS':
                resp = self.build(msg, addr, 200, None, tx.to_tag, [])
            else:
                resp = self.build(msg, addr, 405, None, tx.to_tag, ['Allow: REGISTER, OPTIONS'])
            tx.last = resp
            out(resp)

    @staticmethod
    def tx_key(msg):
        vias = msg.values('Via')
        branch = find_param(split_via(vias[0])[1], 'branch') if vias else None
        if branch and branch.startswith('z9hG4bK'):
            return ('b', branch, msg.cseq_method())
        frm = Addr(msg.get('From') or '')
        return ('o', msg.get('Call-ID'), msg.get('CSeq'), frm.param('tag'), msg.method)

    # -- response building
    def via_values(self, msg, addr):
        vias = msg.values('Via')
        if vias:
            sent, params = split_via(vias[0])
            rport = find_param(params, 'rport')
            has_received = find_param(params, 'received') is not None
            newp = []
            for k, v in params:
                if k.lower() == 'rport' and not v:
                    v = str(addr[1])
                newp.append((k, v))
            if not has_received and (rport is not None or via_host(sent) != addr[0]):
                newp.append(('received', addr[0]))
            vias[0] = sent + format_params(newp)
        return vias

    def to_value(self, msg, to_tag):
        to = msg.get('To') or ''
        if to_tag and Addr(to).param('tag') is None:
            to = to + ';tag=' + to_tag
        return to

    def build(self, msg, addr, code, reason, to_tag, extra):
        lines = ['SIP/2.0 %d %s' % (code, reason or reason_for(code))]
        lines += ['Via: ' + v for v in self.via_values(msg, addr)]
        for name in ('From', 'To', 'Call-ID', 'CSeq'):
            if name == 'To':
                v = self.to_value(msg, to_tag if code >= 200 else None)
            else:
                v = msg.get(name)
            if v is not None:
                lines.append('%s: %s' % (name, v))
        lines += extra
        lines.append('Content-Length: 0')
        return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')

    # -- auth
    def auth_cfg(self):
        return self.auth if self.auth is not None else {}

    def new_nonce(self):
        self.nonce = secrets.token_hex(16)
        self.nonces.add(self.nonce)
        return self.nonce

    def challenge_nonce(self, stale):
        a = self.auth_cfg()
        if self.nonce is None or stale or a.get('nonce_per_request', False):
            return self.new_nonce()
        return self.nonce

    def challenge_headers(self, code, stale):
        a = self.auth_cfg()
        name = 'Proxy-Authenticate' if code == 407 else 'WWW-Authenticate'
        nonce = self.challenge_nonce(stale)
        opaque = a.get('opaque')
        out = []
        if a.get('main_challenge', True):
            parts = ['realm="%s"' % self.realm, 'nonce="%s"' % nonce]
            if opaque is not None:
                parts.append('opaque="%s"' % opaque)
            if stale:
                parts.append('stale=true')
            alg = a.get('algorithm', 'MD5')
            if alg is not None:
                parts.append('algorithm=%s' % alg)
            qop = a.get('qop', 'auth')
            if qop is not None:
                parts.append('qop="%s"' % qop)
            out.append('%s: Digest %s' % (name, ', '.join(parts)))
        for extra in a.get('challenges', []):
            v = (extra.replace('{realm}', self.realm).replace('{nonce}', nonce)
                 .replace('{opaque}', opaque or ''))
            if re.match(r'(?i)(www|proxy)-authenticate\s*:', v):
                out.append(v)
            else:
                out.append('%s: %s' % (name, v))
        return out

    def offered(self):
        """(algorithms, qops, qop_required) offered by our challenges."""
        a = self.auth_cfg()
        algs, qops, required = set(), set(), False
        if a.get('main_challenge', True):
            algs.add((a.get('algorithm', 'MD5') or 'MD5').upper())
            qop = a.get('qop', 'auth')
            if qop is not None:
                required = True
                qops.update(q.strip().lower() for q in qop.split(',') if q.strip())
        for extra in a.get('challenges', []):
            extra = re.sub(r'(?i)^(www|proxy)-authenticate\s*:', '', extra)
            scheme, p = parse_digest(extra)
            if scheme.lower() != 'digest':
                continue
            algs.add((p.get('algorithm') or 'MD5').upper())
            if p.get('qop'):
                qops.update(q.strip().lower() for q in p['qop'].split(',') if q.strip())
        return algs, qops, required

    def verify(self, p, msg):
        """'ok' | 'stale' | 'bad' for one set of digest parameters."""
        a = self.auth_cfg()
        user = p.get('username')
        pw = self.users.get(user) if user is not None else None
        if pw is None or p.get('uri') != msg.uri:
            return 'bad'
        alg = (p.get('algorithm') or 'MD5').upper()
        algs, qops, required = self.offered()
        if alg not in algs or alg not in HASHES:
            return 'bad'
        if a.get('opaque') is not None and p.get('opaque') != a['opaque']:
            return 'bad'
        qop = p.get('qop')
        nc, cnonce = p.get('nc'), p.get('cnonce')
        if qop is not None:
            qop = qop.lower()
            if qop not in qops or not cnonce or not re.fullmatch(r'[0-9a-fA-F]{8}', nc or ''):
                return 'bad'
        elif required:
            return 'bad'
        h = lambda s: HASHES[alg](s.encode('latin-1'))
        ha1 = h('%s:%s:%s' % (user, self.realm, pw))
        if qop == 'auth-int':
            ha2 = h('%s:%s:%s' % (msg.method, p['uri'], h(msg.body)))
        else:
            ha2 = h('%s:%s' % (msg.method, p['uri']))
        if qop is not None:
            expect = h('%s:%s:%s:%s:%s:%s' % (ha1, p['nonce'], nc, cnonce, qop, ha2))
        else:
            expect = h('%s:%s:%s' % (ha1, p['nonce'], ha2))
        if p.get('response', '').lower() != expect:
            return 'bad'
        if p['nonce'] not in self.nonces:
            return 'stale'
        return 'ok'

    def check_auth(self, msg):
        """'ok' | ('challenge', stale) | 'bad'."""
        a = self.auth_cfg()
        hname = 'Proxy-Authorization' if a.get('code', 401) == 407 else 'Authorization'
        creds = []
        for v in msg.all(hname):
            scheme, p = parse_digest(v)
            if (scheme.lower() == 'digest' and p.get('realm') == self.realm
                    and p.get('nonce') and p.get('response')):
                creds.append(p)
        if not creds:
            if not a.get('every_request', True) and msg.get('Call-ID') in self.auth_callids:
                return 'ok'
            return ('challenge', False)
        if a.get('stale_always', False):
            return ('challenge', True)
        results = [self.verify(p, msg) for p in creds]
        if 'ok' in results:
            self.auth_callids.add(msg.get('Call-ID'))
            return 'ok'
        if 'stale' in results:
            return ('challenge', True)
        return 'bad'

    # -- bindings
    def aor(self, msg):
        return Addr(msg.get('To') or '').uri

    def live_bindings(self, aor):
        now = time.monotonic()
        b = self.bindings.get(aor, {})
        for uri in [u for u, (_, exp) in b.items() if exp <= now]:
            del b[uri]
        return b

    def requested_expiry(self, addr_obj, msg):
        p = addr_obj.param('expires')
        if p:
            try:
                return int(p)
            except ValueError:
                pass
        e = msg.expires()
        return e if e is not None else self.default_expires

    def grant(self, req):
        if self.max_expires is not None:
            return min(req, int(self.max_expires))
        return req

    def request_contacts(self, msg):
        return [Addr(v) for v in msg.values('Contact')]

    def update_bindings(self, msg):
        aor = self.aor(msg)
        b = self.live_bindings(aor)
        now = time.monotonic()
        for c in self.request_contacts(msg):
            if c.uri == '*':
                b.clear()
                continue
            exp = self.grant(self.requested_expiry(c, msg))
            if exp <= 0:
                b.pop(c.uri, None)
            else:
                b[c.uri] = (c.without('expires'), now + exp)
        self.bindings[aor] = b

    def policy_violation(self, msg):
        if self.min_policy is None:
            return False
        for c in self.request_contacts(msg):
            if c.uri == '*':
                continue
            e = self.requested_expiry(c, msg)
            if 0 < e < int(self.min_policy):
                return True
        return False

    def response_contacts(self, action, msg, code):
        mode = action.get('contact', 'echo' if 200 <= code < 300 else 'none')
        gen = []  # (uri, params_without_expires, expires or None)
        if mode == 'echo':
            now = time.monotonic()
            for uri, (params, exp) in self.live_bindings(self.aor(msg)).items():
                gen.append((uri, params, max(0, math.ceil(exp - now - 1e-6))))
        elif mode in ('request', 'modified'):
            for c in self.request_contacts(msg):
                if c.uri == '*':
                    continue
                uri = modify_uri(c.uri) if mode == 'modified' else c.uri
                gen.append((uri, c.without('expires'),
                            self.grant(self.requested_expiry(c, msg))))
        elif mode == 'replaced':
            cs = [c for c in self.request_contacts(msg) if c.uri != '*']
            if cs:
                n = self.grant(self.requested_expiry(cs[0], msg))
            else:
                e = msg.expires()
                n = e if e is not None else self.default_expires
            gen.append(('sip:replaced@192.0.2.1:5060', [], n))
        out = []
        for uri, params, exp in gen:
            if 'contact_expires' in action:
                exp = action['contact_expires']
            if action.get('no_contact_expires'):
                exp = None
            p = list(params) + ([('expires', str(exp))] if exp is not None else [])
            out.append('<%s>%s' % (uri, format_params(p)))
        out += list(action.get('extra_contacts', []))
        return out

    # -- REGISTER
    def next_action(self):
        if self.step < len(self.script):
            return self.script[self.step]
        return self.default

    def consume(self):
        if self.step < len(self.script):
            self.step += 1

    def handle_register(self, msg, key, addr, out):
        action = self.next_action()
        stream = self.cur_stream
        if action.get('drop'):
            self.consume()
            if action.get('close') and stream:
                stream.close()
            return
        tx = self.txs[key] = Tx()
        a = self.auth_cfg()

        def reply(code, extra, reason=None):
            data = self.build(msg, addr, code, reason, tx.to_tag, extra)
            tx.last = data
            out(data)

        if self.auth is not None and action.get('auth', True):
            verdict = self.check_auth(msg)
            if verdict != 'ok':
                code = a.get('code', 401)
                if verdict == 'bad' and str(a.get('on_bad', '403')) == '403':
                    reply(403, [])
                else:
                    stale = verdict != 'bad' and verdict[1]
                    reply(code, self.challenge_headers(code, stale))
                return
        code = int(action.get('code', 200))
        builds_2xx = not action.get('raw') and not action.get('challenge') and 200 <= code < 300
        if builds_2xx and self.policy_violation(msg):
            reply(423, ['Min-Expires: %d' % int(self.min_policy)])
            return
        self.consume()
        if action.get('trying') or action.get('trying_only'):
            data = self.build(msg, addr, 100, None, None, [])
            tx.last = data
            out(data)
        if action.get('trying_only'):
            return

        def fire():
            data = self.final_response(action, msg, addr, tx)
            tx.last = data
            out(data)
            if action.get('duplicate'):
                out(data)
            if stream and action.get('ping'):
                stream.send_raw(b'\r\n\r\n')
            if stream and action.get('close'):
                stream.close()

        delay = action.get('delay_ms', 0)
        if delay and delay > 0:
            self.schedule(delay / 1000.0, fire)
        else:
            fire()

    def final_response(self, action, msg, addr, tx):
        code = int(action.get('code', 200))
        if action.get('raw') is not None:
            subst = {
                '{via}': ', '.join(self.via_values(msg, addr)),
                '{from}': msg.get('From') or '',
                '{to}': msg.get('To') or '',
                '{to_tag}': tx.to_tag,
                '{call_id}': msg.get('Call-ID') or '',
                '{cseq}': msg.get('CSeq') or '',
                '{contacts}': ', '.join(msg.values('Contact')),
                '{expires}': msg.get('Expires') or '',
                '{realm}': self.realm,
                '{nonce}': self.nonce or self.new_nonce(),
            }
            text = action['raw']
            for k, v in subst.items():
                text = text.replace(k, v)
            return text.encode('latin-1')
        extra = []
        if action.get('challenge'):
            if code not in (401, 407):
                code = self.auth_cfg().get('code', 401)
            extra += self.challenge_headers(code, bool(action.get('stale')))
        elif 200 <= code < 300:
            self.update_bindings(msg)
        contacts = self.response_contacts(action, msg, code)
        if contacts:
            if action.get('contact_join'):
                extra.append('Contact: ' + ', '.join(contacts))
            else:
                extra += ['Contact: ' + c for c in contacts]
        if 'expires_hdr' in action:
            extra.append('Expires: %d' % int(action['expires_hdr']))
        if 'min_expires' in action:
            extra.append('Min-Expires: %d' % int(action['min_expires']))
        extra += list(action.get('headers', []))
        return self.build(msg, addr, code, action.get('reason'), tx.to_tag, extra)


# ---------------------------------------------------------------- main loop

class Stop(Exception):
    pass


def _on_signal(signum, frame):
    raise Stop()


def tcp_extract(buf):
    """Pull complete messages off a stream buffer: (messages, rest). A
    keep-alive (CRLF CRLF ping, or a lone CRLF) is returned as its bytes."""
    msgs = []
    while True:
        if buf.startswith(b'\r\n\r\n'):
            msgs.append(b'\r\n\r\n')
            buf = buf[4:]
            continue
        if buf.startswith(b'\r\n'):
            # A lone CRLF at the end of what was read is taken as a pong
            # (a client writes a ping's four bytes at once).
            if buf == b'\r\n\r':
                return msgs, buf  # may still become a ping
            msgs.append(b'\r\n')
            buf = buf[2:]
            continue
        stripped = buf.lstrip(b'\r\n')
        if not stripped:
            return msgs, buf
        buf = stripped
        m = re.search(rb'\r?\n\r?\n', buf)
        if not m:
            return msgs, buf
        head = buf[:m.start()]
        length = 0
        for line in re.split(rb'\r?\n', head)[1:]:
            if b':' in line:
                n, v = line.split(b':', 1)
                if n.strip().lower() in (b'content-length', b'l'):
                    try:
                        length = int(v.strip())
                    except ValueError:
                        length = 0
        total = m.end() + max(0, length)
        if len(buf) < total:
            return msgs, buf
        msgs.append(buf[:total])
        buf = buf[total:]


class Stream:
    """One accepted TCP or TLS connection."""

    def __init__(self, sock, addr, transport):
        self.sock, self.addr, self.transport = sock, addr, transport
        self.buf = b''
        self.closed = False

    def send_raw(self, data):
        if self.closed:
            return
        try:
            self.sock.sendall(data)
        except OSError:
            pass

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def read(self):
        """Bytes available now ('' at EOF or error)."""
        try:
            data = self.sock.recv(65536)
            pending = getattr(self.sock, 'pending', None)
            while data and pending and pending():
                data += self.sock.recv(pending())
            return data
        except (OSError, ValueError):
            return b''


def tls_context(opts):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
    versions = {'1.2': ssl.TLSVersion.TLSv1_2, '1.3': ssl.TLSVersion.TLSv1_3}
    if opts.tls_min:
        ctx.minimum_version = versions[opts.tls_min]
    if opts.tls_max:
        ctx.maximum_version = versions[opts.tls_max]
    if opts.tls_client_ca:
        ctx.load_verify_locations(opts.tls_client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def listen(family, host):
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        lsock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    lsock.bind((host, 0))
    lsock.listen(16)
    lsock.setblocking(False)
    return lsock


def udp_socket(family, host):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, 0))
    s.setblocking(False)
    return s


def udp_and_tcp_on_one_port():
    """A UDP socket and a TCP listener sharing one port on 127.0.0.1."""
    for _ in range(50):
        udp = udp_socket(socket.AF_INET, '127.0.0.1')
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            lsock.bind(('127.0.0.1', udp.getsockname()[1]))
        except OSError:
            lsock.close()
            udp.close()
            continue
        lsock.listen(16)
        lsock.setblocking(False)
        return udp, lsock
    raise OSError('no port free for both UDP and TCP')


def serve(reg, opts, watch_stdin):
    same = None
    if opts.tcp_same_port:
        udp, same = udp_and_tcp_on_one_port()
    else:
        udp = udp_socket(socket.AF_INET, '127.0.0.1')
    udps = [udp] + ([udp_socket(socket.AF_INET6, '::1')] if opts.ipv6 else [])
    ctx = tls_context(opts) if opts.tls_cert else None
    listeners = {same: 'TCP'} if same else {}  # listening socket -> transport name
    ports = [udp.getsockname()[1]]
    if same:
        opts.tcp = True
    wanted = [('TCP', socket.AF_INET, '127.0.0.1', not same and (opts.tcp or opts.ipv6 or bool(ctx))),
              ('TLS', socket.AF_INET, '127.0.0.1', bool(ctx)),
              ('TCP', socket.AF_INET6, '::1', opts.ipv6),
              ('TLS', socket.AF_INET6, '::1', opts.ipv6 and bool(ctx))]
    for name, family, host, on in wanted:
        if name == 'TCP' and family == socket.AF_INET and same:
            ports.append(udp.getsockname()[1])
            continue
        if not on:
            ports.append(0)
            continue
        lsock = listen(family, host)
        listeners[lsock] = name
        ports.append(lsock.getsockname()[1])
    ports.append(udps[1].getsockname()[1] if opts.ipv6 else 0)
    if not (ctx or opts.ipv6):
        ports = ports[:2] if opts.tcp else ports[:1]
    conns = {}  # socket -> Stream
    sys.stdout.write('PORT %s\n' % ' '.join(map(str, ports)))
    sys.stdout.flush()
    stdin_fd = sys.stdin.fileno() if (watch_stdin and sys.stdin is not None) else None
    try:
        while True:
            rl = udps + list(listeners) + list(conns)
            if stdin_fd is not None:
                rl.append(stdin_fd)
            ready, _, _ = select.select(rl, [], [], reg.next_timeout())
            for s in ready:
                if s == stdin_fd:
                    if not os.read(stdin_fd, 4096):
                        return
                elif s in udps:
                    while True:
                        try:
                            data, addr = s.recvfrom(65536)
                        except (BlockingIOError, InterruptedError):
                            break
                        except OSError:
                            break  # e.g. ICMP-induced ECONNREFUSED
                        reg.handle(data, 'UDP', addr,
                                   lambda d, a=addr, u=s: u.sendto(d, a))
                elif s in listeners:
                    try:
                        c, addr = s.accept()
                    except OSError:
                        continue
                    c.setblocking(True)
                    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    if listeners[s] == 'TLS':
                        c.settimeout(5)
                        try:
                            c = ctx.wrap_socket(c, server_side=True)
                        except (OSError, ValueError) as e:
                            reg.tls_failures += 1
                            print('registrar: TLS handshake failed: %s' % e, file=sys.stderr)
                            c.close()
                            continue
                    conns[c] = Stream(c, addr, listeners[s])
                elif s in conns:
                    st = conns[s]
                    data = b'' if st.closed else st.read()
                    if not data:
                        st.close()
                        continue
                    msgs, st.buf = tcp_extract(st.buf + data)
                    for mm in msgs:
                        if mm == b'\r\n\r\n':
                            st.send_raw(b'\r\n')
                        reg.handle(mm, st.transport, st.addr, lambda d, c=st: c.send_raw(d), st)
                        if st.closed:
                            break
            for s in [c for c, st in conns.items() if st.closed]:
                del conns[s]
                s.close()
            reg.run_timers()
    finally:
        for c in conns:
            c.close()
        for u in udps:
            u.close()
        for lsock in listeners:
            lsock.close()


USAGE = ('usage: registrar.py [--config JSON | --config-file FILE] [--log FILE] '
         '[--sent-log FILE] [--tcp] [--tls CERT KEY] [--tls-client-ca FILE] '
         '[--tls-min V] [--tls-max V] [--ipv6] [--tcp-same-port] [--no-stdin-watch]')


def parse_args(argv):
    """Tiny argv parser (argparse costs ~10 ms of start-up per registrar)."""
    opts = {'config': None, 'config_file': None, 'log': None, 'sent_log': None,
            'tcp': False, 'tcp_same_port': False, 'no_stdin_watch': False, 'ipv6': False,
            'tls_cert': None,
            'tls_key': None, 'tls_client_ca': None, 'tls_min': None, 'tls_max': None}
    it = iter(argv)
    for arg in it:
        name, eq, val = arg.partition('=')
        key = name[2:].replace('-', '_') if name.startswith('--') else None
        if key in ('tcp', 'tcp_same_port', 'no_stdin_watch', 'ipv6') and not eq:
            opts[key] = True
        elif key == 'tls' and not eq:
            opts['tls_cert'] = next(it, None)
            opts['tls_key'] = next(it, None)
            if opts['tls_key'] is None:
                raise ConfigError('--tls needs CERT and KEY')
        elif key in ('tls_min', 'tls_max') and (val if eq else True):
            if not eq:
                val = next(it, None)
            if val not in ('1.2', '1.3'):
                raise ConfigError('%s takes 1.2 or 1.3' % name)
            opts[key] = val
        elif key in ('config', 'config_file', 'log', 'sent_log', 'tls_client_ca'):
            if not eq:
                val = next(it, None)
                if val is None:
                    raise ConfigError('%s needs a value' % name)
            opts[key] = val
        elif arg in ('-h', '--help'):
            print(USAGE)
            sys.exit(0)
        else:
            raise ConfigError('unknown argument %r\n%s' % (arg, USAGE))
    return Args(opts)


class Args:
    def __init__(self, d):
        self.__dict__.update(d)


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except ConfigError as e:
        print('registrar: %s' % e, file=sys.stderr)
        return 2
    try:
        if args.config_file:
            with open(args.config_file, encoding='utf-8') as f:
                cfg = json.load(f)
        elif args.config:
            cfg = json.loads(args.config)
        else:
            cfg = {}
        reg = Registrar(cfg, args.log, args.sent_log)
    except (ConfigError, ValueError, OSError) as e:
        print('registrar: config error: %s' % e, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        serve(reg, args, not args.no_stdin_watch)
    except Stop:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
