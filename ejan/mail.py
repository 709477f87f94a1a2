"""Mail as infrastructure: messages for PC and keitai addresses, and their delivery over SMTP.

Features do not send mail themselves: they call notify (ejan/notify/api.py), whose Celery tasks call
this. A PC address gets an HTML + plain-text pair; a keitai address a short plain text in ISO-2022-JP,
as Japanese carriers' mail expects, with readable substitutes for what JIS X 0208 cannot carry
(jis_safe): a mail is never dropped or failed for its characters.
"""
from __future__ import annotations

import logging
import re
import smtplib
import unicodedata
from contextlib import ExitStack, contextmanager
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from . import i18n

log = logging.getLogger("ejan.mail")

KEITAI_SUBJECT_MAX = 30  # characters; older phones cut longer subjects in their inbox lists
KEITAI_BODY_MAX = 1000  # characters; au and SoftBank phones of 2007 show about 3,000 bytes at most


# --- messages ----------------------------------------------------------------------------------

def render_parts(template: str, context: dict, language: str | None = None) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a template trio, in the reader's language (a worker has no request)."""
    with force_locale(i18n.valid(language) or i18n.DEFAULT):
        subject = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
        return (subject, render_template(f"email/{template}.txt", **context),
                render_template(f"email/{template}.html", **context))


def build_message(to: str, template: str, context: dict, language: str | None = None, *,
                  message_id: str | None = None, headers: dict | None = None) -> Message:
    subject, text, html = render_parts(template, context, language)
    return compose(to, subject, text, html, message_id=message_id, headers=headers)


def compose(to: str, subject: str, text: str, html: str | None = None, *, message_id: str | None = None,
            headers: dict | None = None) -> Message:
    """The message for `to`: keitai addresses get keitai_message, all others the text + HTML pair."""
    if is_keitai_address(to):
        return keitai_message(to, subject, text, message_id=message_id, headers=headers)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["EJAN_MAIL_FROM"]
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or new_message_id()
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def keitai_message(to: str, subject: str, text: str, *, message_id: str | None = None,
                   headers: dict | None = None) -> Message:
    """Short plain text in ISO-2022-JP; the address is written as the phone has it, even when it breaks
    the RFC (`taro..x.@docomo.ne.jp`), which the stricter EmailMessage would refuse to parse."""
    subject = shorten(jis_safe(subject), KEITAI_SUBJECT_MAX)
    body = shorten_body(jis_safe(text), KEITAI_BODY_MAX)
    message = MIMEText(body, "plain", "iso-2022-jp")
    message["Subject"] = Header(subject, "iso-2022-jp").encode()
    name, address = parseaddr(current_app.config["EJAN_MAIL_FROM"])
    message["From"] = formataddr((Header(jis_safe(name), "iso-2022-jp").encode(), address)) if name else address
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or new_message_id()
    for key, value in (headers or {}).items():
        message[key] = value
    return message


def new_message_id() -> str:
    return make_msgid(domain=message_domain())


def message_domain() -> str:
    return parseaddr(current_app.config["EJAN_MAIL_FROM"])[1].rsplit("@", 1)[-1] or "e-jan.kakegawa"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shorten_body(text: str, limit: int) -> str:
    """Cut a long body but keep its last lines (the link and the signature) readable."""
    if len(text) <= limit:
        return text
    lines = text.rstrip().splitlines()
    tail = "\n".join(lines[-3:])
    head = text[: max(0, limit - len(tail) - 4)].rstrip()
    return f"{head}…\n\n{tail}\n"


# --- characters ISO-2022-JP cannot carry -------------------------------------------------------

@lru_cache(maxsize=4096)
def _fits(ch: str) -> bool:
    try:
        ch.encode("iso-2022-jp")
        return True
    except UnicodeEncodeError:
        return False


@lru_cache(maxsize=1)
def _substitutes() -> dict[str, str]:
    table = {chr(0x2460 + i): f"({i + 1})" for i in range(20)}  # ①..⑳ → (1)..(20)
    path = Path(__file__).with_name("mail_substitutes.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            char, substitute = line.split("\t", 1)
            table[char] = substitute
    return table


def _substitute(ch: str) -> str:
    table = _substitutes()
    if ch in table:
        return table[ch]
    compatible = unicodedata.normalize("NFKC", ch)  # ｱ → ア, ㈱ → (株), ⑴ → (1)
    if compatible != ch and all(_fits(c) for c in compatible):
        return compatible
    bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))  # ã → a
    if bare and bare != ch and all(_fits(c) for c in bare):
        return bare
    if unicodedata.category(ch) in ("So", "Sk", "Cf", "Cs", "Mn", "Me", "Co") or 0x1F000 <= ord(ch) <= 0x1FAFF:
        return ""  # emoji, their joiners and variation selectors: nothing a phone could show
    return "〓"  # the geta: "a character was here", as Japanese typesetting marks one


def jis_safe(text: str) -> str:
    """`text` with every character ISO-2022-JP cannot carry replaced by a readable substitute."""
    if _fits_all(text):
        return text
    return "".join(ch if _fits(ch) else _substitute(ch) for ch in text)


def _fits_all(text: str) -> bool:
    try:
        text.encode("iso-2022-jp")
        return True
    except UnicodeEncodeError:
        return False


# --- addresses ---------------------------------------------------------------------------------

KEITAI_MAIL_DOMAINS = ("docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp",
                       "vodafone.ne.jp", "disney.ne.jp", "pdx.ne.jp", "willcom.com", "emnet.ne.jp")

# Carriers let phones pick addresses the RFC forbids (consecutive dots, a dot before the @); the
# carriers deliver them, so we accept them: any of the RFC's atom characters and dots, in any order.
_LOOSE_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]{1,64}"
    r"@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+"
)


def loose_address(raw: str | None) -> str | None:
    """The address lower-cased if it is one a carrier would deliver to, else None."""
    address = (raw or "").strip()
    if not _LOOSE_ADDRESS.fullmatch(address) or address.startswith(".") and "@" not in address:
        return None
    return address.lower()


def is_keitai_address(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in KEITAI_MAIL_DOMAINS)


# --- delivery ----------------------------------------------------------------------------------

class Outbox:
    """One SMTP connection (or, with no EJAN_SMTP_HOST, the log) that sends many messages."""

    def __init__(self, smtp: smtplib.SMTP | None, sender: str):
        self.smtp = smtp
        self.sender = sender

    def send(self, message: Message, to: str | None = None) -> None:
        to = to or message["To"]
        if self.smtp is None:
            # The embedded site has no mail server: the log is the outbox.
            log.info("mail (not sent, no EJAN_SMTP_HOST) to=%s subject=%s\n%s", to, message["Subject"],
                     _plain_text(message))
            return
        # SMTP wants CRLF line ends, and sendmail() does not fix those of bytes.
        self.smtp.sendmail(self.sender, [to], message.as_bytes(policy=message.policy.clone(linesep="\r\n")))


def _plain_text(message: Message) -> str:
    if isinstance(message, EmailMessage):
        return message.get_body(("plain",)).get_content()
    return message.get_payload(decode=True).decode("iso-2022-jp", "replace")


@contextmanager
def outbox():
    """A connection for a batch of mail: one SMTP session, however many messages."""
    config = current_app.config
    sender = parseaddr(config["EJAN_MAIL_FROM"])[1]
    host = config["EJAN_SMTP_HOST"]
    if not host:
        yield Outbox(None, sender)
        return
    smtp = smtplib.SMTP(host, config["EJAN_SMTP_PORT"], timeout=30)
    try:
        if config["EJAN_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["EJAN_SMTP_USER"]:
            smtp.login(config["EJAN_SMTP_USER"], config["EJAN_SMTP_PASSWORD"] or "")
        yield Outbox(smtp, sender)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


@contextmanager
def outbox_lazily():
    """connect() opens one outbox for the block, only if something is to be sent."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(outbox())


def deliver(message: Message, to: str | None = None) -> None:
    with outbox() as box:
        box.send(message, to)
