#!/usr/bin/env python3
"""A local SMTP server for the mail tests (Debian's python3-aiosmtpd), listening on
127.0.0.1 at a port of its own choosing (printed on the first line of its output).

Each message it accepts is stored as OUT/msg-N.eml (the bytes received) with
OUT/msg-N.json beside it: {"mail_from", "rcpt_tos", "tls", "login"}.

Options: --out DIR (required); --starttls DIR offers STARTTLS with a self-signed
certificate made at start with the openssl command (DIR/cert.pem is the trust anchor a
client needs; its names are localhost, mail.example.test and 127.0.0.1); --user U
--password P requires that login (AUTH PLAIN/LOGIN, allowed without TLS so tests can see
both); --tempfail N answers 451 to the first N MAIL commands. Recipients at
@refused.test are refused with 550. Exits after --lifetime seconds.
"""
import argparse
import asyncio
import json
import logging
import os
import ssl
import subprocess
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, out, tempfail):
        self.out = out
        self.tempfail = tempfail
        self.count = 0
        self.mails = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.test"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out, "msg-%d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        login = getattr(session, "infludash_login", None)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None, "login": login}
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        return "250 2.0.0 Message accepted for delivery"


def self_signed(directory):
    os.makedirs(directory, exist_ok=True)
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,DNS:mail.example.test,IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--starttls")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--tempfail", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=600)
    args = ap.parse_args()
    # Refused handshakes and AUTH without TLS are what some tests do on purpose: keep quiet.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    os.makedirs(args.out, exist_ok=True)
    tls = self_signed(args.starttls) if args.starttls else None
    handler = Handler(args.out, args.tempfail)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login.decode() == args.user and
              auth_data.password.decode() == args.password)
        if ok:
            session.infludash_login = args.user
        return AuthResult(success=ok, handled=False)

    def factory():
        kw = {"hostname": "localhost", "decode_data": False, "tls_context": tls,
              "require_starttls": False}
        if args.user:
            kw.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
        return SMTP(handler, **kw)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=0))
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    print(server.sockets[0].getsockname()[1], flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
