"""What can be reported (通報): each feature declares its kinds in its feature.py.

A kind's lookup takes the reporter and an id and returns a Target, going through the feature's own
"may this member see it" getter, so 通報 never knows less than the pages do. A new feature (maps'
pins) adds a kind with `Feature(tsuho_targets={"pin": TsuhoKind(_l("地図のピン"), lookup, remove)})`.
A Target says which community it belongs to (if any), so that community's moderators see its 通報.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import current_app


@dataclass(frozen=True)
class Target:
    """The thing being reported, as the form page shows it and links back to it."""

    kind: str
    id: int
    label: str
    author_id: int
    endpoint: str
    args: dict = field(default_factory=dict)
    community_id: int | None = None  # the community it was written in: its moderators work the 通報 about it


@dataclass(frozen=True)
class TsuhoKind:
    label: object  # lazy gettext: what the form calls this kind of thing
    lookup: Callable[..., Target]  # (reporter, id) -> Target; raises NotFound when the reporter cannot see it
    # (actor, id) -> None: take the thing off the site after a 通報 (delete it, or hide it where the feature can).
    # The moderation service has already decided the actor may; the function only flushes, the caller commits.
    # None: this kind cannot be hidden (a profile: suspend its member instead).
    remove: Callable[..., None] | None = None


def kinds() -> dict[str, TsuhoKind]:
    return current_app.extensions["ejan.tsuho_targets"]


def kind_label(kind: str) -> str:
    found = kinds().get(kind)
    return str(found.label) if found else kind
