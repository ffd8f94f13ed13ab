#!/usr/bin/env python3
"""List the functions and variables our public headers declare.

    python3 ctests/difftest/header_symbols.py [--include DIR] [--cc CC]

Preprocesses every header under DIR (default include/) in one translation
unit, keeps only the text that comes from DIR (system headers dropped via the
line markers), and walks the top-level statements. Prints one line each:

    func NAME     a function declared (not defined) by the headers
    var NAME      an `extern` variable
    inline NAME   a function defined in a header (static/inline): no symbol
                  is needed for it

Stdlib only. It is a small declaration scanner, not a C parser: good enough
for pjproject-style headers (no K&R, no functions returning function
pointers).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[A-Za-z_]\w*|\d[\w.]*|\.\.\.|->|[^\s\w]')
KEYWORDS = {
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
    "const", "volatile", "struct", "union", "enum", "static", "inline", "extern",
    "__inline", "__inline__", "restrict", "__restrict", "_Bool", "typedef", "return",
    "sizeof", "__attribute__", "__extension__", "__asm__", "asm", "register", "auto",
    "_Noreturn", "__typeof__",
}


def preprocess(include, cc):
    headers = []
    for root, _dirs, files in os.walk(include):
        for f in files:
            if f.endswith(".h"):
                headers.append(os.path.relpath(os.path.join(root, f), include))
    umbrella = [h for h in ("pjlib.h", "pjlib-util.h", "pjsip.h", "pjsip_ua.h") if h in headers]
    order = umbrella + sorted(h for h in headers if h not in umbrella)
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as tf:
        for h in order:
            tf.write('#include <%s>\n' % h)
        name = tf.name
    try:
        out = subprocess.run(
            [cc, "-E", "-std=c99", "-D_POSIX_C_SOURCE=200809L", "-I" + include, name],
            capture_output=True, text=True)
    finally:
        os.unlink(name)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit("header_symbols: preprocessing failed")
    inc = os.path.abspath(include)
    keep, lines = False, []
    for line in out.stdout.splitlines():
        m = re.match(r'#\s*\d+\s+"([^"]*)"', line)
        if m:
            path = m.group(1)
            keep = os.path.abspath(path).startswith(inc + os.sep) or path.startswith(include.rstrip("/") + "/")
            continue
        if keep and not line.startswith("#"):
            lines.append(line)
    return "\n".join(lines)


def statements(tokens):
    """Yield (tokens, has_body) for each top-level statement."""
    cur, i, n = [], 0, len(tokens)
    while i < n:
        t = tokens[i]
        if t == "{":
            # find the matching brace
            depth, j = 0, i
            while j < n:
                if tokens[j] == "{":
                    depth += 1
                elif tokens[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            is_fn = bool(cur) and cur[-1] == ")" and "=" not in cur and cur[0] != "typedef"
            if is_fn:
                yield cur, True
                cur = []
            else:
                cur.append("{...}")
            i = j + 1
            continue
        if t == ";":
            if cur:
                yield cur, False
            cur = []
        else:
            cur.append(t)
        i += 1
    if cur:
        yield cur, False


def strip_attributes(toks):
    out, i = [], 0
    while i < len(toks):
        if toks[i] in ("__attribute__", "__asm__", "asm", "__declspec") and i + 1 < len(toks) and toks[i + 1] == "(":
            depth, j = 0, i + 1
            while j < len(toks):
                if toks[j] == "(":
                    depth += 1
                elif toks[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        out.append(toks[i])
        i += 1
    return out


def function_name(toks):
    depth = 0
    for k, t in enumerate(toks):
        if t == "(":
            if depth == 0:
                prev = toks[k - 1] if k else ""
                if re.match(r"[A-Za-z_]\w*$", prev) and prev not in KEYWORDS:
                    return prev
                return None
            depth += 1
        elif t == ")":
            depth -= 1
    return None


def scan(text):
    toks = [t for t in TOKEN.findall(text)]
    found = {}
    for st, body in statements(toks):
        st = strip_attributes(st)
        if not st or st[0] in ("typedef",) or (st[0] == "__extension__" and len(st) > 1 and st[1] == "typedef"):
            continue
        is_static = "static" in st or "inline" in st or "__inline" in st or "__inline__" in st
        name = function_name(st)
        if name:
            if body or is_static:
                found.setdefault(name, "inline")
                if body:
                    found[name] = "inline"
            else:
                found.setdefault(name, "func")
            continue
        if st[0] == "extern" or "extern" in st[:3]:
            ids = [t for t in st if re.match(r"[A-Za-z_]\w*$", t) and t not in KEYWORDS]
            # the declarator name: the last identifier before '[' or '=' or end
            cut = len(st)
            for k, t in enumerate(st):
                if t in ("[", "="):
                    cut = k
                    break
            ids = [t for t in st[:cut] if re.match(r"[A-Za-z_]\w*$", t) and t not in KEYWORDS]
            if ids:
                found.setdefault(ids[-1], "var")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--include", default="include")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    a = ap.parse_args()
    found = scan(preprocess(a.include, a.cc))
    for name in sorted(found):
        print(found[name], name)


if __name__ == "__main__":
    main()
