"""Mail as infrastructure: a message from a template trio (subject, plain text, HTML), and its delivery.

Features do not send mail themselves: they ask notify (queue_mail), whose Celery task calls this.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from . import i18n

log = logging.getLogger("ejan.mail")


def build_message(to: str, template: str, context: dict, language: str | None = None) -> EmailMessage:
    # A worker has no request to pick a language from: the mail carries its reader's.
    with force_locale(i18n.valid(language) or i18n.DEFAULT):
        return _build_message(to, template, context)


def _build_message(to: str, template: str, context: dict) -> EmailMessage:
    subject = render_template(f"email/{template}.subject.txt", **context).strip()
    text = render_template(f"email/{template}.txt", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["EJAN_MAIL_FROM"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="e-jan.kakegawa")
    message.set_content(text)
    if not is_keitai_address(to):
        # Keitai mail boxes of the 2000s show HTML mail poorly or not at all; they get text only.
        message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return message


KEITAI_MAIL_DOMAINS = ("docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp",
                       "vodafone.ne.jp", "disney.ne.jp", "pdx.ne.jp", "willcom.com", "emnet.ne.jp")


def is_keitai_address(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in KEITAI_MAIL_DOMAINS)


def deliver(message: EmailMessage) -> None:
    config = current_app.config
    host = config["EJAN_SMTP_HOST"]
    if not host:
        # The embedded site has no mail server: the log is the outbox.
        log.info("mail (not sent, no EJAN_SMTP_HOST):\n%s", message.get_body(("plain",)).get_content()
                 if message.is_multipart() else message.get_content())
        log.info("mail to=%s subject=%s", message["To"], message["Subject"])
        return
    with smtplib.SMTP(host, config["EJAN_SMTP_PORT"], timeout=30) as smtp:
        if config["EJAN_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["EJAN_SMTP_USER"]:
            smtp.login(config["EJAN_SMTP_USER"], config["EJAN_SMTP_PASSWORD"] or "")
        smtp.send_message(message)
