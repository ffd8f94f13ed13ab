#!/usr/bin/env python3
"""Prints one line "AoR: <aor>" per AoR in Kamailio's location table.

    bound_aors.py RPC_FIFO

Asks ul.dump over jsonrpcs' FIFO (KAM_RPC_FIFO from kamailio.sh's env):
unlike kamcmd, whose replies are capped at 64 KB, it lists any number of
bindings. The reply FIFO is made next to RPC_FIFO, where Kamailio is told
to write its replies.
"""
import json
import os
import sys


def aors(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "AoR" and isinstance(value, str):
                yield value
            else:
                yield from aors(value)
    elif isinstance(node, list):
        for item in node:
            yield from aors(item)


def main():
    fifo = sys.argv[1]
    name = f"aors_reply_{os.getpid()}"
    reply_path = os.path.join(os.path.dirname(fifo), name)
    os.mkfifo(reply_path, 0o600)
    try:
        request = {"jsonrpc": "2.0", "method": "ul.dump", "id": 1, "reply_name": name}
        with open(fifo, "w") as f:
            f.write(json.dumps(request) + "\n")
        with open(reply_path) as r:
            reply = json.loads(r.read())
    finally:
        os.unlink(reply_path)
    if "error" in reply:
        print(f"ul.dump failed: {reply['error']}", file=sys.stderr)
        return 1
    for aor in aors(reply.get("result")):
        print(f"AoR: {aor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
