"""The SMTP/LMTP receiver the city's mail server hands report mail to (aiosmtpd).

Unknown senders are refused while the conversation is still open — 550 at RCPT TO, before the
message is sent, or at DATA when its From: names someone else — so the city's mail server, not this
site, tells the sending server, and nothing is stored or mailed back. The database work runs in a
worker thread inside an app context, so the server's event loop keeps answering other phones.
"""
from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask

from ..notify import bounces
from . import mailin

log = logging.getLogger(__name__)


class ReportMailHandler:
    def __init__(self, app: Flask):
        self.app = app

    async def _in_app(self, function, *args):
        def run():
            with self.app.app_context():
                return function(*args)
        return await asyncio.get_running_loop().run_in_executor(None, run)

    def _bounce_address(self) -> str:
        return (self.app.config.get("EJAN_BOUNCE_ADDRESS") or "").strip().lower()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._bounce_address() and address.strip().lower() == self._bounce_address():
            # Bounce reports come from mail servers (an empty envelope sender), never from members.
            envelope.rcpt_tos.append(address)
            return "250 OK"
        wanted = (self.app.config.get("EJAN_REPORT_MAIL_ADDRESS") or "").strip().lower()
        if wanted and address.strip().lower() != wanted:
            return "550 5.1.1 No such mailbox"
        if await self._in_app(mailin.known_sender, envelope.mail_from) is None:
            return "550 5.7.1 Sender not registered"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._bounce_address() and [a.lower() for a in envelope.rcpt_tos] == [self._bounce_address()]:
            recorded = await self._in_app(bounces.take_report, envelope.original_content or envelope.content)
            log.info("bounce report: %d hard failure(s) recorded", recorded)
            return "250 OK"
        try:
            outcome = await self._in_app(mailin.accept, envelope.original_content or envelope.content,
                                         envelope.mail_from)
        except Exception:  # keep the mail at the sending server, which will try again
            log.exception("report mail from %s could not be taken", envelope.mail_from)
            return "451 4.3.0 Try again later"
        log.info("report mail from %s: %s: %s", envelope.mail_from, outcome.action, outcome.reason)
        return outcome.smtp


class _Controller(Controller):
    def __init__(self, *args, lmtp: bool = False, **kwargs):
        self.lmtp = lmtp
        super().__init__(*args, **kwargs)

    def factory(self):
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)


def controller(app: Flask, host: str, port: int, *, lmtp: bool = False) -> Controller:
    """A receiver running in its own thread (`.start()` / `.stop()`), SMTP or LMTP, with the size limit."""
    return _Controller(ReportMailHandler(app), hostname=host, port=port, lmtp=lmtp,
                       data_size_limit=app.config["EJAN_REPORT_MAIL_MAX_BYTES"], decode_data=False)
