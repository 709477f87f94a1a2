"""HTTP in: the feed relay's POST of a telegram, and the admin's list of what was received."""
from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required, current_user

from ..extensions import csrf
from ..mobile import per_page, render
from ..request_size import takes_uploads
from ..urls import page_number
from . import telegrams
from .decide import REFUSED

bp = Blueprint("intake", __name__)

SECRET_HEADER = "X-Ejan-Intake-Secret"

# The operator's words for each action (the CLI prints the English codes; the admin page these).
ACTION_LABELS = {"started": _l("災害モード開始"), "updated": _l("更新"), "drill": _l("訓練開始"),
                 "ignored": _l("対応なし"), "cancelled": _l("取消"), "refused": _l("受け付けず"),
                 "pending": _l("処理中")}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@bp.post("/intake/jma")
@csrf.exempt  # a machine posts here, authenticated by the shared secret instead of a form token
@takes_uploads  # the framework's form limit is too small for a big quake's telegram; our own limit below
def jma_telegram():
    secret = current_app.config.get("EJAN_JMA_SECRET") or ""
    if not secret:
        abort(404)  # no relay configured: the endpoint does not exist
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8")):
        abort(403)
    request.max_content_length = current_app.config["EJAN_JMA_MAX_BYTES"]
    outcome = telegrams.receive(request.get_data(cache=False), source=f"http {request.remote_addr or ''}")
    status = 422 if outcome.action == REFUSED else 200
    return outcome.line + "\n", status, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/admin/intake/telegrams")
@login_required
def telegram_log():
    page = telegrams.telegrams_for(current_user, page_number(), per_page())
    return render("intake/telegrams.html", page=page)
