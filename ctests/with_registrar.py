#!/usr/bin/env python3
"""Run one program against the test registrar (ctests/registrar.py).

    with_registrar.py [--config JSON] [--explain] -- PROGRAM ARG...

Starts the registrar on 127.0.0.1 (UDP), replaces "{port}" in the
arguments with its port, runs the program, stops the registrar and exits
with the program's status. With --explain it then lists the REGISTERs the
registrar received and what it answered to each, and says why there are
two requests for each registration. For `make demo` and the install test:
the examples take a registrar on their command line and know nothing of the
test harness.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def records(path):
    """The messages of a registrar log (see registrar.py, "Log format")."""
    with open(path, 'rb') as f:
        data = f.read()
    out, pos = [], 0
    head = re.compile(rb'=== \d+ \S+ \S+ \S+ len=(\d+)(?: sent)?\n')
    while True:
        m = head.match(data, pos)
        if not m:
            return out
        start = m.end()
        n = int(m.group(1))
        out.append(data[start:start + n].decode('latin-1'))
        pos = start + n + len(b'\n=== end\n')


def header(msg, name):
    m = re.search(r'^%s\s*:\s*(.*?)\r?$' % re.escape(name), msg, re.M | re.I)
    return m.group(1) if m else None


def explain(req_log, sent_log):
    requests, responses = records(req_log), records(sent_log)
    answers = {}
    for r in responses:
        answers.setdefault((header(r, 'Call-ID'), header(r, 'CSeq')), r.split('\r\n', 1)[0].split(' ', 1)[1])
    print('\n--- what the registrar received and answered:')
    challenged, bound = 0, set()
    for r in requests:
        creds = header(r, 'Authorization') is not None
        expires = header(r, 'Expires')
        contact = header(r, 'Contact') or ''
        m = re.search(r'expires=(\d+)', contact)
        what = 'unregister' if (expires == '0' or (m and m.group(1) == '0')) else 'register'
        answer = answers.get((header(r, 'Call-ID'), header(r, 'CSeq')), 'no answer')
        if what == 'register' and header(r, 'Call-ID') in bound:
            what = 'refresh'
        if what == 'register' and answer.startswith('2'):
            bound.add(header(r, 'Call-ID'))
        challenged += answer.startswith('401')
        print('    REGISTER CSeq %-12s %-10s %-18s -> %s' % (
            header(r, 'CSeq').split()[0], what, 'with credentials' if creds else 'no credentials', answer))
    print('\n%d requests for %d registrations, refreshes and unregistrations: the registrar' % (
        len(requests), len(requests) - challenged))
    print('challenges every REGISTER that has no credentials (401 with a nonce), and the')
    print('library, like pjsip, sends none before it is challenged; it answers the 401 by')
    print('resending the REGISTER with an Authorization header, which gets the 200.')


def main(argv):
    config, show = '{}', False
    while argv and argv[0] != '--':
        opt = argv.pop(0)
        if opt == '--config':
            config = argv.pop(0)
        elif opt == '--explain':
            show = True
        else:
            sys.exit('with_registrar.py: unknown option %s' % opt)
    if not argv[1:]:
        sys.exit(__doc__)
    program = argv[1:]
    with tempfile.TemporaryDirectory(prefix='with-registrar-') as tmp:
        req_log, sent_log = os.path.join(tmp, 'received'), os.path.join(tmp, 'sent')
        reg = subprocess.Popen([sys.executable, '-S', os.path.join(HERE, 'registrar.py'), '--config', config,
                                '--log', req_log, '--sent-log', sent_log],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = reg.stdout.readline().split()
            if not line or line[0] != 'PORT':
                sys.exit('with_registrar.py: the registrar did not start')
            port = line[1]
            rc = subprocess.call([a.replace('{port}', port) for a in program])
        finally:
            reg.stdin.close()
            reg.terminate()
            reg.wait(timeout=5)
        if show:
            explain(req_log, sent_log)
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
