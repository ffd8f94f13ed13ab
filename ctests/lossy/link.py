#!/usr/bin/env python3
"""A lossy point-to-point IP link between two network namespaces.

This kernel has no sch_netem, so the link is emulated in user space: each
namespace holds a TUN device (made by run.sh), and this process carries the
IP packets between them, dropping, duplicating and delaying each one as
netem would with `loss L duplicate D delay M jitter J`. With a jitter wider
than the gap between packets, later packets overtake earlier ones, which
is the reordering. TCP and UDP alike cross it unchanged otherwise.

    link.py NS_A DEV_A NS_B DEV_B [--loss 0.10] [--dup 0.05]
            [--delay-ms 50] [--jitter-ms 30] [--seed N]

Prints "ready" once both devices are attached, then runs until killed;
on SIGTERM it prints what it carried to stderr.
"""
import argparse
import ctypes
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def attach_tun(dev):
    """Attaches to the TUN device DEV of the current network namespace; the
    descriptor stays bound to it wherever this process goes afterwards."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ns_a")
    ap.add_argument("dev_a")
    ap.add_argument("ns_b")
    ap.add_argument("dev_b")
    ap.add_argument("--loss", type=float, default=0.10)
    ap.add_argument("--dup", type=float, default=0.05)
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--jitter-ms", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    enter_netns(args.ns_a)
    fd_a = attach_tun(args.dev_a)
    enter_netns(args.ns_b)
    fd_b = attach_tun(args.dev_b)
    libc.setns(home, CLONE_NEWNET)
    os.close(home)

    rng = random.Random(args.seed)
    peer = {fd_a: fd_b, fd_b: fd_a}
    queue = []  # (due, sequence, out_fd, packet)
    seq = 0
    stats = {"carried": 0, "dropped": 0, "duplicated": 0, "overtaken": 0}
    last_due = {fd_a: 0.0, fd_b: 0.0}
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    print("ready", flush=True)

    def schedule(out_fd, packet, now):
        nonlocal seq
        delay = args.delay_ms + rng.uniform(-args.jitter_ms, args.jitter_ms)
        due = now + max(delay, 0.0) / 1000.0
        if due < last_due[out_fd]:
            stats["overtaken"] += 1
        last_due[out_fd] = max(last_due[out_fd], due)
        heapq.heappush(queue, (due, seq, out_fd, packet))
        seq += 1

    while not stopping:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out_fd, packet = heapq.heappop(queue)
            try:
                os.write(out_fd, packet)
                stats["carried"] += 1
            except OSError:
                # Device down or its queue full: the packet is lost, as on a wire.
                stats["dropped"] += 1
        timeout = max(queue[0][0] - now, 0.0) if queue else 0.5
        try:
            ready, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in ready:
            for _ in range(64):
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if rng.random() < args.loss:
                    stats["dropped"] += 1
                    continue
                schedule(peer[fd], packet, now)
                if rng.random() < args.dup:
                    stats["duplicated"] += 1
                    schedule(peer[fd], packet, now)
    print("link: " + " ".join(f"{k} {v}" for k, v in stats.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
