#!/usr/bin/env python3
"""A TCP proxy for the sync tests (tests/integration/test_sync.c): forwards
127.0.0.1:<a free port> to 127.0.0.1:TARGET_PORT and cuts the FIRST connection
(both sides closed at once) after CUT bytes have passed in either direction
together; every later connection passes untouched. Writes its port to PORT_FILE
when it listens, appends each connection's byte count to PORT_FILE.bytes when it
ends, and runs until it is killed.

usage: cutproxy.py PORT_FILE TARGET_PORT CUT
"""
import os
import selectors
import socket
import sys


def main():
    port_file, target, cut = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    with open(port_file + ".tmp", "w") as out:
        out.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    pairs = {}      # socket -> (peer, connection state)
    first = True
    while True:
        for key, _ in selector.select():
            if key.data is None:
                client, _ = listener.accept()
                upstream = socket.create_connection(("127.0.0.1", target))
                state = {"left": cut if first else -1, "moved": 0}
                first = False
                pairs[client] = (upstream, state)
                pairs[upstream] = (client, state)
                selector.register(client, selectors.EVENT_READ, "c")
                selector.register(upstream, selectors.EVENT_READ, "u")
                continue
            sock = key.fileobj
            if sock not in pairs:
                continue
            peer, state = pairs[sock]
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            state["moved"] += len(data)
            if data and state["left"] >= 0:
                data = data[: state["left"]]
                state["left"] -= len(data)
            try:
                if data:
                    peer.sendall(data)
            except OSError:
                data = b""
            if not data or state["left"] == 0:
                with open(port_file + ".bytes", "a") as out:
                    out.write("%d\n" % state["moved"])
                for s in (sock, peer):
                    selector.unregister(s)
                    pairs.pop(s, None)
                    s.close()


if __name__ == "__main__":
    main()
