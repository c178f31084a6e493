#!/usr/bin/env python3
"""A slow-client (slowloris) attack on a local infludash server, for tests/e2e/limits.sh.

usage: slow_clients.py PORT CLIENTS ADDRESSES [HEALTH_WAIT [NORMAL_WAIT]]

Opens CLIENTS connections to 127.0.0.1:PORT from the source addresses 127.0.0.2,
127.0.0.3, ... (ADDRESSES of them, clients spread evenly; every 127/8 address is the
loopback on Linux). Each sends a request line at once and then one header line a second,
never ending its head. Once they are all open, it probes from 127.0.0.1, each probe on a
new connection: GET /healthz, waiting up to HEALTH_WAIT seconds (default 15) for an
answer, then a normal request (GET /api/status), waiting up to NORMAL_WAIT seconds (default
HEALTH_WAIT) for an answer other than 503 (asked again after a 503).
Prints, one per line:

  opened N              connections whose connect() succeeded
  refused N             of those, closed by the server within the first second
  probe NAME STATUS S B the probe's last HTTP status ("none" without an answer), the
                        seconds taken, and how many 503 (busy) answers came before it
  alive N               attack connections still open when the probes are done
  longest S             the longest an attack connection stayed open, in seconds (attack
                        connections still open count with the time so far)

Never prints a verdict: the calling test decides what the numbers must be.
"""
import selectors
import socket
import sys
import time


def open_attack(port, clients, addresses):
    socks = []
    for i in range(clients):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.%d" % (2 + i % addresses), 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        socks.append(s)
    # wait for the connects to complete
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_WRITE)
    pending, deadline = set(socks), time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            sel.unregister(key.fileobj)
            pending.discard(key.fileobj)
    opened = []
    for s in socks:
        if s in pending or s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            s.close()
        else:
            opened.append(s)
    return opened


class Attack:
    def __init__(self, socks):
        self.t0 = time.monotonic()
        self.open = {s: self.t0 for s in socks}
        self.lived = []
        self.sent_line = 0
        for s in socks:
            self.send(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

    def send(self, s, data):
        try:
            s.send(data)
        except OSError:
            self.close(s)

    def close(self, s):
        if s in self.open:
            self.lived.append(time.monotonic() - self.open.pop(s))
            s.close()

    def reap(self):
        """notices the connections the server closed"""
        for s in list(self.open):
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self.close(s)

    def tick(self):
        """one header line a second on every open connection"""
        n = int(time.monotonic() - self.t0)
        while self.sent_line < n:
            self.sent_line += 1
            for s in list(self.open):
                self.send(s, b"X-Slow-%d: a\r\n" % self.sent_line)

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.reap()
            self.tick()
            time.sleep(0.05)


def probe(port, path, wait, attack):
    """status of GET path on a new connection from 127.0.0.1, keeping the attack going; a
    503 (busy) is asked again on a new connection while time remains"""
    t0 = time.monotonic()
    busy = 0
    while True:
        status = probe_once(port, path, t0 + wait - time.monotonic(), attack)
        if status != "503" or time.monotonic() - t0 >= wait:
            return status, time.monotonic() - t0, busy
        busy += 1
        attack.pump(0.2)


def probe_once(port, path, wait, attack):
    t0 = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    request = b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode()
    sent, got = False, b""
    while time.monotonic() - t0 < wait:
        attack.reap()
        attack.tick()
        try:
            if not sent:
                s.send(request)
                sent = True
            chunk = s.recv(4096)
            got += chunk
            if b"\r\n" in got:
                break
            if not chunk:
                raise ConnectionResetError
        except (BlockingIOError, InterruptedError):
            time.sleep(0.02)
        except OSError:
            # closed without an answer, refused or reset: try again on a new connection
            # while time remains
            got = b""
            s.close()
            time.sleep(0.1)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            sent = False
    s.close()
    return got.split(b" ")[1].decode() if got.startswith(b"HTTP/1.") else "none"


def main():
    port, clients, addresses = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    health_wait = float(sys.argv[4]) if len(sys.argv) > 4 else 15.0
    normal_wait = float(sys.argv[5]) if len(sys.argv) > 5 else health_wait
    socks = open_attack(port, clients, addresses)
    print("opened", len(socks), flush=True)
    attack = Attack(socks)
    attack.pump(1.0)
    print("refused", len(socks) - len(attack.open), flush=True)
    for name, path, wait in (("healthz", "/healthz", health_wait),
                             ("normal", "/api/status", normal_wait)):
        status, took, busy = probe(port, path, wait, attack)
        print("probe %s %s %.2f %d" % (name, status, took, busy), flush=True)
    print("alive", len(attack.open), flush=True)
    now = time.monotonic()
    longest = max(attack.lived + [now - t for t in attack.open.values()] + [0])
    print("longest %.1f" % longest, flush=True)
    for s in list(attack.open):
        s.close()


if __name__ == "__main__":
    main()
