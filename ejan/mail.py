"""Mail as infrastructure: messages for PC and keitai addresses, and their delivery over SMTP.

Features do not send mail themselves: they call notify (ejan/notify/api.py), whose Celery tasks call
this. A PC address gets an HTML + plain-text pair; a keitai address a short plain text in ISO-2022-JP,
as Japanese carriers' mail expects, with readable substitutes for what JIS X 0208 cannot carry
(jis_safe): a mail is never dropped or failed for its characters.
"""
from __future__ import annotations

import base64
import logging
import secrets
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
from markupsafe import escape
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


# --- many mails from one prototype ----------------------------------------------------------------
# A broadcast says the same thing to thousands of readers of one language; only the greeting, the
# address, the Message-ID and the unsubscribe link differ. Rendering templates and building an
# EmailMessage per reader costs milliseconds (the email package parses every header it is given), so a
# batch renders each (language, channel) once with placeholders and stamps each reader's copy as bytes.

NICKNAME = "\x1eN\x1e"  # stands for the reader's nickname in a prototype's text
UNSUBSCRIBE = "\x1eU\x1e"  # stands for the reader's unsubscribe token


class Prototype:
    def __init__(self, subject: str, text: str, html: str | None, *, keitai: bool, headers: dict | None = None):
        self.keitai = keitai
        self.charset = "iso-2022-jp" if keitai else "utf-8"
        if keitai:
            subject, text, html = shorten(jis_safe(subject), KEITAI_SUBJECT_MAX), shorten_body(jis_safe(text), KEITAI_BODY_MAX), None
        self.subject = subject
        self.text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        self.html = html.replace("\r\n", "\n").replace("\n", "\r\n") if html else None
        name, address = parseaddr(current_app.config["EJAN_MAIL_FROM"])
        head = [
            f"From: {formataddr((jis_safe(name) if keitai else name, address), charset=self.charset)}",
            f"Date: {formatdate(localtime=True)}",
            "MIME-Version: 1.0",
        ]
        head += [f"{key}: {value}" for key, value in (headers or {}).items()]
        self.head = "\r\n".join(head)
        self.subject_header = None if NICKNAME in subject else _encoded(subject, self.charset)
        self.boundary = f"==ejan-{secrets.token_hex(8)}=="

    def stamp(self, to: str, message_id: str, values: dict[str, str]) -> bytes:
        """This reader's copy: `values` replace the placeholders (plain text; escaped here for HTML)."""
        if self.keitai:
            values = {key: jis_safe(value) for key, value in values.items()}
        subject = self.subject_header or _encoded(_fill(self.subject, values), self.charset)
        head = f"{self.head}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}"
        head = _fill(head, values)
        text = _fill(self.text, values)
        if self.keitai:
            return (f"{head}\r\nContent-Type: text/plain; charset=\"iso-2022-jp\"\r\n"
                    f"Content-Transfer-Encoding: 7bit\r\n\r\n").encode("ascii") + text.encode("iso-2022-jp")
        parts = [("plain", text)]
        if self.html:
            parts.append(("html", _fill(self.html, {k: escape(v) for k, v in values.items()})))
        if len(parts) == 1:
            return (f"{head}\r\n{_part_head('plain')}\r\n\r\n{_base64(text)}").encode("ascii")
        body = "".join(f"--{self.boundary}\r\n{_part_head(kind)}\r\n\r\n{_base64(content)}" for kind, content in parts)
        return (f"{head}\r\nContent-Type: multipart/alternative; boundary=\"{self.boundary}\"\r\n\r\n"
                f"{body}--{self.boundary}--\r\n").encode("ascii")


def _encoded(header: str, charset: str) -> str:
    return Header(header, charset).encode(linesep="\r\n")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _part_head(kind: str) -> str:
    return f"Content-Type: text/{kind}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64"


def _base64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def new_message_id() -> str:
    return make_msgid(domain=message_domain())


def message_domain() -> str:
    return parseaddr(current_app.config["EJAN_MAIL_FROM"])[1].rsplit("@", 1)[-1] or "e-jan.kakegawa"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


KEITAI_LINE_MAX = 100  # characters; SMTP allows 998 bytes a line, and a kanji takes two in ISO-2022-JP


def shorten_body(text: str, limit: int) -> str:
    """Cut a long body but keep its last lines (the link and the signature) readable; break long lines."""
    text = "\n".join(_broken(line) for line in text.split("\n"))
    if len(text) <= limit:
        return text
    lines = text.rstrip().splitlines()
    # The tail kept whole: from the first address among the last lines (the link, the unsubscribe
    # address) to the end, else the signature.
    links = [i for i, line in enumerate(lines) if "://" in line and i >= len(lines) - 10]
    tail = "\n".join(lines[links[0]:] if links else lines[-3:])
    head = text[: max(0, limit - len(tail) - 4)].rstrip()
    return f"{head}…\n\n{tail}\n"


def _broken(line: str) -> str:
    if len(line) <= KEITAI_LINE_MAX or "://" in line:  # an address stays whole, or it cannot be opened
        return line
    return "\n".join(line[i:i + KEITAI_LINE_MAX] for i in range(0, len(line), KEITAI_LINE_MAX))


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

    def send_bytes(self, data: bytes, to: str) -> None:
        if self.smtp is None:
            log.info("mail (not sent, no EJAN_SMTP_HOST) to=%s, %d bytes", to, len(data))
            return
        self.smtp.sendmail(self.sender, [to], data)

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
    # The envelope sender is where mail servers send bounce reports: the receiver's bounce address when set.
    sender = config.get("EJAN_BOUNCE_ADDRESS") or parseaddr(config["EJAN_MAIL_FROM"])[1]
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
