"""Damage reports as things a resident can report (通報): false, abusive or someone's private details."""
from flask_babel import lazy_gettext as _l

from ..reports.targets import Target, TsuhoKind
from . import reports


def _report(viewer, report_id: int) -> Target:
    report = reports.get_report(viewer, report_id)
    return Target("damage_report", report.id, report.body, report.author_id, "disaster.report_show",
                  {"report_id": report.id})


KINDS = {"damage_report": TsuhoKind(_l("被害報告"), _report, reports.hide_for_tsuho)}
