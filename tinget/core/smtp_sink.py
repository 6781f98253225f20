"""A real SMTP server on loopback that keeps what it receives: for development (`manage.py smtp_sink`) and for
tests of what happens when the mail server says no.

    sink = SmtpSink(refusals=["451 4.3.0 Try again later"])  # the first message is refused, the next accepted
    sink.start(); ...; sink.stop()

aiosmtpd is a development dependency; production never imports this module."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class _Handler:
    # Replies to give, one per message, at RCPT TO, before accepting again (e.g. "451 4.3.0 Busy").
    refusals: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    on_message: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if not envelope.rcpt_tos:
                self.attempts += 1
            if self.refusals and not envelope.rcpt_tos:
                return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        with self.lock:
            self.received.append(received)
        if self.on_message is not None:
            self.on_message(received)
        return "250 Message accepted"


def free_port(host="127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SmtpSink:
    def __init__(self, host="127.0.0.1", port=None, refusals=(), on_message=None):
        self.host = host
        self.port = port or free_port(host)
        self.handler = _Handler(refusals=list(refusals), on_message=on_message)
        self.controller = Controller(self.handler, hostname=host, port=self.port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def attempts(self) -> int:
        """How many messages a client tried to send (accepted or refused)."""
        return self.handler.attempts

    def refuse_next(self, *replies: str) -> None:
        with self.handler.lock:
            self.handler.refusals.extend(replies)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
