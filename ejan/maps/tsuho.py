"""Pins as things a resident can report (通報): wrong, outdated or abusive."""
from flask_babel import lazy_gettext as _l

from ..reports.targets import Target, TsuhoKind
from . import services


def _pin(viewer, pin_id: int) -> Target:
    pin = services.get_pin(viewer, pin_id)
    return Target("pin", pin.id, pin.title, pin.author_id, "maps.show", {"pin_id": pin.id},
                  community_id=pin.community_id)


KINDS = {"pin": TsuhoKind(_l("地図のピン"), _pin, services.hide_for_tsuho)}
