#!/usr/bin/env python3
"""Hostile connections against a spona-server, for the benchmark of docs/performance.md
("Normal clients under attack"); not a test. Each kind keeps COUNT connections open for
SECONDS, opening a new one whenever the server drops one:

  silent   plain TCP connections that never start TLS
  dribble  a real TLS ClientHello sent one byte every INTERVAL seconds
  stall    a full mutual-TLS handshake (needs --cert/--key/--ca), then half a frame
           and silence

usage: attack.py KIND HOST PORT COUNT SECONDS [--interval S] [--cert F --key F --ca F]
Prints how many connections it opened and how many the server dropped.
"""
import argparse
import asyncio
import resource
import ssl
import sys
import time


def client_hello():
    """The bytes of a TLS 1.3 ClientHello, made by Python's own TLS stack."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


class Counts:
    def __init__(self):
        self.opened = 0
        self.dropped = 0
        self.failed = 0


async def one_silent(args, counts, hello, deadline):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    counts.opened += 1
    try:
        data = await asyncio.wait_for(reader.read(1), timeout=max(deadline - time.monotonic(), 0.1))
        if data == b"" or data:
            counts.dropped += 1
    except asyncio.TimeoutError:
        pass
    writer.close()


async def one_dribble(args, counts, hello, deadline):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    counts.opened += 1
    for byte in hello:
        if time.monotonic() >= deadline:
            break
        writer.write(bytes([byte]))
        try:
            await writer.drain()
            data = await asyncio.wait_for(reader.read(1), timeout=args.interval)
            counts.dropped += 1  # the server answered (an alert) or closed: dropped
            break
        except asyncio.TimeoutError:
            continue
        except (ConnectionError, OSError):
            counts.dropped += 1
            break
    writer.close()


async def one_stall(args, counts, hello, deadline):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_verify_locations(args.ca)
    context.load_cert_chain(args.cert, args.key)
    context.check_hostname = False
    reader, writer = await asyncio.open_connection(args.host, args.port, ssl=context,
                                                   server_hostname="localhost")
    counts.opened += 1
    writer.write(b"\x00\x00\x00\x40" + b"\x08")  # a 64-byte frame, one byte of it
    await writer.drain()
    try:
        await asyncio.wait_for(reader.read(), timeout=max(deadline - time.monotonic(), 0.1))
        counts.dropped += 1
    except asyncio.TimeoutError:
        pass
    except (ConnectionError, OSError, ssl.SSLError):
        counts.dropped += 1
    writer.close()


async def keep_one(kind, args, counts, hello, deadline):
    while time.monotonic() < deadline:
        try:
            await kind(args, counts, hello, deadline)
        except (ConnectionError, OSError, ssl.SSLError, asyncio.IncompleteReadError):
            counts.failed += 1
            await asyncio.sleep(0.05)


async def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["silent", "dribble", "stall"])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ca")
    args = parser.parse_args()
    if args.kind == "stall" and not (args.cert and args.key and args.ca):
        parser.error("stall needs --cert, --key and --ca")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.count + 256)), hard))
    kind = {"silent": one_silent, "dribble": one_dribble, "stall": one_stall}[args.kind]
    counts = Counts()
    deadline = time.monotonic() + args.seconds
    hello = client_hello()
    await asyncio.gather(*(keep_one(kind, args, counts, hello, deadline)
                           for _ in range(args.count)))
    print(f"{args.kind}: {args.count} kept for {args.seconds:.0f} s: {counts.opened} opened, "
          f"{counts.dropped} dropped by the server, {counts.failed} failed to connect")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
