#!/usr/bin/python3
"""A real SMTP server for the Loyalty integration tests.

Accepts mail on a loopback port with aiosmtpd and stores every accepted message as one file
DIR/<timestamp>-<uuid>.eml (written under a temporary name, then renamed, so a reader never sees
half a file). Two header lines are prepended to the stored bytes:

    X-Envelope-From: <sender>
    X-Envelope-To: <rcpt1>, <rcpt2>

Fault injection:
  --tempfail-percent P        answer "451 4.3.0 Try again later" to DATA for about P% of the
                              messages, chosen by a hash of the Message-ID; a message is only
                              ever tempfailed once, so its retry is accepted.
  --reject-rcpt-substring S   answer "550 5.1.1 User unknown" at RCPT TO for every recipient
                              containing S (case-insensitive); may be repeated.

Prints "READY <port>" on stdout (and touches --ready-file) once it is listening. SIGTERM and
SIGINT shut it down cleanly. Run it with Debian's /usr/bin/python3 (package python3-aiosmtpd).
"""

import argparse
import asyncio
import email.parser
import email.policy
import hashlib
import os
import signal
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP


class CaptureHandler:
    def __init__(self, maildir, tempfail_percent, reject_substrings):
        self.maildir = maildir
        self.tempfail_percent = tempfail_percent
        self.reject_substrings = [s.lower() for s in reject_substrings if s]
        self.tempfailed_ids = set()
        self.last_stamp = 0
        self.header_parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        lowered = address.lower()
        for s in self.reject_substrings:
            if s in lowered:
                return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _message_key(self, content):
        headers = self.header_parser.parsebytes(content)
        message_id = headers.get("Message-ID")
        if message_id:
            return str(message_id).strip()
        return hashlib.sha256(content).hexdigest()

    def _should_tempfail(self, content):
        if self.tempfail_percent <= 0:
            return False
        key = self._message_key(content)
        if key in self.tempfailed_ids:
            return False
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()
        if int.from_bytes(digest[:4], "big") % 100 >= self.tempfail_percent:
            return False
        self.tempfailed_ids.add(key)
        return True

    def _next_stamp(self):
        # Strictly increasing, fixed width, so ordering by file name is arrival order.
        stamp = max(time.time_ns(), self.last_stamp + 1)
        self.last_stamp = stamp
        return stamp

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content
        if content is None:
            content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        if self._should_tempfail(content):
            return "451 4.3.0 Try again later"

        mail_from = envelope.mail_from or ""
        prefix = (
            "X-Envelope-From: " + mail_from + "\r\n"
            "X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n"
        ).encode("utf-8", "surrogateescape")

        name = "%020d-%s.eml" % (self._next_stamp(), uuid.uuid4().hex)
        tmp = os.path.join(self.maildir, ".tmp-" + name + ".part")
        with open(tmp, "wb") as f:
            f.write(prefix)
            f.write(content)
        os.rename(tmp, os.path.join(self.maildir, name))
        return "250 2.0.0 OK queued as " + name[:-4]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tempfail-percent", type=int, default=0)
    p.add_argument("--reject-rcpt-substring", action="append", default=[])
    p.add_argument("--ready-file")
    p.add_argument("--data-size-limit", type=int, default=50 * 1024 * 1024)
    args = p.parse_args(argv)
    if not 0 <= args.tempfail_percent <= 100:
        p.error("--tempfail-percent must be between 0 and 100")
    return args


async def main(argv):
    args = parse_args(argv)
    os.makedirs(args.maildir, exist_ok=True)
    handler = CaptureHandler(args.maildir, args.tempfail_percent, args.reject_rcpt_substring)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(
            handler,
            hostname="loyalty-test-smtp",
            data_size_limit=args.data_size_limit,
            enable_SMTPUTF8=True,
            decode_data=False,
        )

    server = await loop.create_server(factory, host=args.host, port=args.port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    if args.ready_file:
        tmp = args.ready_file + ".part"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.ready_file)
    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()

    await stop.wait()
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), timeout=5)
    except asyncio.TimeoutError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
