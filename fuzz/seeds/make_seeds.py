#!/usr/bin/env python3
"""Adds the seed inputs of each fuzz target to fuzz/corpus/<target>/
(realistic registrar responses, challenges, URIs): the corpora were
started from these; rerun after changing a target's input format, then
`make fuzz` minimizes the corpus that gets committed."""
import hashlib, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")

def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n").encode()

HDRS = "Via: $V\nFrom: $F\nTo: $T;tag=reg1\nCall-ID: $I\nCSeq: $C\n"
CHAL = 'Digest realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop="auth,auth-int", algorithm=MD5'
TEMPLATES = [
    "SIP/2.0 200 OK\n" + HDRS + "Contact: <sip:alice@127.0.0.1:5070>;expires=60, <sip:alice@10.0.0.2>;expires=120;q=0.5\nExpires: 60\nDate: Sat, 13 Nov 2010 23:29:00 GMT\nContent-Length: 0\n\n",
    "SIP/2.0 200 OK\n" + HDRS + "Contact: \"Alice\" <sip:alice@127.0.0.1:5070;transport=udp>;expires=3600;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\";reg-id=1\nContent-Length: 0\n\n",
    "SIP/2.0 401 Unauthorized\n" + HDRS + "WWW-Authenticate: " + CHAL + "\nContent-Length: 0\n\n",
    "SIP/2.0 407 Proxy Authentication Required\n" + HDRS + "Proxy-Authenticate: Digest realm=\"atlanta.com\", nonce=\"wf84f1ceczx41ae6cbe5aea9c8e88d359\", algorithm=SHA-256, qop=\"auth\", stale=TRUE\nWWW-Authenticate: Digest realm=\"x\", nonce=\"1\", algorithm=SHA-512-256\nContent-Length: 0\n\n",
    "SIP/2.0 423 Interval Too Brief\n" + HDRS + "Min-Expires: 3600\nContent-Length: 0\n\n",
    "SIP/2.0 100 Trying\n" + HDRS + "Content-Length: 0\n\n",
    "SIP/2.0 503 Service Unavailable\n" + HDRS + "Retry-After: 120 (maintenance);duration=60\nContent-Length: 0\n\n",
    "SIP/2.0 200 OK\n" + HDRS.replace("Via: $V", "v: $V").replace("Call-ID", "i") + "m: <sip:alice@127.0.0.1:5070>;expires=0\nl: 5\n\nhello",
]

def concrete(t):
    return (t.replace("$V", "SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bKPj1")
             .replace("$F", "<sip:alice@127.0.0.1>;tag=abc")
             .replace("$T", "<sip:alice@127.0.0.1>")
             .replace("$I", "call-1@127.0.0.1")
             .replace("$C", "1 REGISTER"))

URIS = [
    "sip:alice@example.com", "sips:bob:secret@[2001:db8::1]:5061;transport=tcp;lr;maddr=10.0.0.1;ttl=5;user=phone;method=INVITE;foo=bar;x?Subject=hi&Priority=urgent",
    "\"Alice Smith\" <sip:alice@h;transport=tcp>", "Alice  Smith <sip:alice@h>", "a\"b <sip:h>", "sip:h;a=1;a=2",
    "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", "tel:+1-201-555-0123;ext=22;isub=x;phone-context=example.com;foo=bar",
    "mailto:someone@example.com", "sip:user;par=u%40example.net@example.com", "sip:h;maddr=[::1]", "sip:h;a=\"q;v\"",
    "sip:alice@atlanta.com?subject=project%20x&priority=urgent\0sip:alice@atlanta.com?priority=urgent&subject=project%20x",
    "sip:carol@chicago.com;security=on\0sip:carol@chicago.com;security=off",
]

CHALLENGES = [
    CHAL, "P" + CHAL.replace("qop=\"auth,auth-int\"", "qop=\"auth-int\""),
    'Digest realm="biloxi.com", nonce="abc", algorithm=MD5\nDigest realm="other", nonce="x", stale=true, qop=auth',
    'Digest realm="a", nonce="n", algorithm=SHA-256, qop="auth", userhash=true, charset=UTF-8',
    'Bearer realm="b", authz_server="https://as.example.com/token"',
    'Digest realm="biloxi.com", domain="sip:ss1.carrier.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=AKAv1-MD5',
]

def seeds():
    out = {"response": [], "endpoint": [], "challenge": [], "uri": [], "deframer": [], "c_parse": []}
    for t in TEMPLATES:
        out["endpoint"].append(crlf(t))
        out["response"].append(crlf(concrete(t)))
        out["deframer"].append(bytes([3, 7, 1, 30]) + crlf(concrete(t)) + b"\r\n\r\n" + crlf(concrete(TEMPLATES[0])))
    out["endpoint"].append(crlf(TEMPLATES[2]) + b"\0" + crlf(TEMPLATES[0]))
    out["endpoint"].append(crlf(TEMPLATES[5]) + b"\0" + crlf(TEMPLATES[4]) + b"\0" + crlf(TEMPLATES[0]))
    out["challenge"] = [c.encode() for c in CHALLENGES]
    out["uri"] = [u.encode() for u in URIS]
    for u in URIS:
        out["c_parse"].append(b"\0" + u.split("\0")[0].encode())
        out["c_parse"].append(b"\2" + u.split("\0")[0].encode())
    for h in ["Contact: \"A\" <sip:a@h>;q=0.5;expires=60, sip:b@h;x=y", "Via: SIP/2.0/UDP [::1]:5060;branch=z9hG4bKx;received=1.2.3.4;rport=7",
              "From: \"A\" <sip:a@h:5060;transport=tcp>;tag=x1;foo", "Route: <sip:p;lr;ttl=3>;x=1, <sip:q>", "CSeq: 7 REGISTER",
              "WWW-Authenticate: " + CHAL, "Retry-After: 120 (x);duration=60", "Allow: INVITE, REGISTER", "Content-Type: application/sdp;charset=x",
              "X-Custom: anything at all", "Expires: 60", "Call-ID: abc@h"]:
        out["c_parse"].append(b"\1" + h.encode() + b"\r\n")
    return out

for target, items in seeds().items():
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for data in items:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
