"""What a notification kind is: its wording, whether it is chatty or mandatory, where it goes by default.

Features declare their kinds in `Feature(notifications={...})`, either as a bare wording (lazy gettext,
`%(who)s` the actor, `%(subject)s` the thing's title) or as a `Kind` when the wording alone does not
say enough. A bare wording is an ordinary kind: in the site and by PC mail, one mail per event.

Two kinds belong to the city and cannot be turned off by anyone, whichever feature declares their
wording: `official_notice` and `disaster_broadcast` (MANDATORY below). This module has no imports
from other features, so any feature.py may import `Kind` from here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import lazy_gettext as _l

WEB, PC, KEITAI = "web", "pc", "keitai"
CHANNELS = (WEB, PC, KEITAI)
MAIL_CHANNELS = (PC, KEITAI)
OFF, INSTANT, DIGEST = "off", "instant", "digest"
MODES = (OFF, INSTANT, DIGEST)


@dataclass(frozen=True)
class Kind:
    wording: object = None  # the in-app line; None: the payload's subject says it all
    label: object = None  # what the preferences page calls the kind; None: the wording with blanks
    chatty: bool = False  # may come many times a day: mail can be gathered into a daily digest
    mandatory: bool = False  # reaches everyone on every channel they have; no opt-out, no unsubscribe
    urgent: bool = False  # travels on the disaster queue, ahead of any backlog of ordinary mail
    channels: tuple[str, ...] = (WEB, PC)  # on by default; a chatty kind's mail defaults to the digest

    def default_mode(self, channel: str) -> str:
        if channel not in self.channels:
            return OFF
        return DIGEST if self.chatty and channel != WEB else INSTANT

    def modes(self, channel: str) -> tuple[str, ...]:
        """The choices a member has for this kind on this channel."""
        if self.mandatory:
            return (INSTANT,)
        return (OFF, INSTANT, DIGEST) if self.chatty and channel != WEB else (OFF, INSTANT)

    def mode(self, channel: str, chosen: str | None) -> str:
        """should_notify, as one small pure function: the member's choice where it is allowed, else the default."""
        if self.mandatory:
            return INSTANT
        return chosen if chosen in self.modes(channel) else self.default_mode(channel)


MANDATORY = {
    "official_notice": Kind(label=_l("市からのお知らせ"), mandatory=True, channels=CHANNELS),
    "disaster_broadcast": Kind(label=_l("災害時の緊急連絡"), mandatory=True, urgent=True, channels=CHANNELS),
}


def registry() -> dict[str, Kind]:
    """Every kind the installed features declare, plus the mandatory ones; built once per app."""
    extensions = current_app.extensions
    kinds = extensions.get("ejan.notification_kinds")
    if kinds is None:
        kinds = dict(MANDATORY)
        for name, declared in extensions.get("ejan.notification_wording", {}).items():
            kind = declared if isinstance(declared, Kind) else Kind(wording=declared)
            if name in MANDATORY:  # a feature may word them, never make them optional
                base = MANDATORY[name]
                kind = replace(base, wording=kind.wording, label=kind.label or base.label)
            kinds[name] = kind
        extensions["ejan.notification_kinds"] = kinds
    return kinds


def spec_for(name: str) -> Kind:
    """A kind nobody declares (its feature was uninstalled) is an ordinary one."""
    return registry().get(name) or Kind()
