"""Diary entries and comments as things a resident can report (通報)."""
from flask_babel import lazy_gettext as _l

from ..reports.targets import Target, TsuhoKind
from . import services


def _entry(viewer, entry_id: int) -> Target:
    entry = services.get_entry(viewer, entry_id)
    return Target("diary_entry", entry.id, entry.title, entry.author_id, "diary.show", {"entry_id": entry.id})


def _comment(viewer, comment_id: int) -> Target:
    comment = services.get_comment(viewer, comment_id)
    return Target("diary_comment", comment.id, comment.body, comment.author_id, "diary.comment_page",
                  {"comment_id": comment.id})


KINDS = {"diary_entry": TsuhoKind(_l("日記"), _entry, services.remove_entry_for_tsuho),
         "diary_comment": TsuhoKind(_l("日記へのコメント"), _comment, services.remove_comment_for_tsuho)}
