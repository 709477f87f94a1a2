"""Joining and leaving, the member list, join requests and bans, and handing the community over."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from ...dbutil import as_id
from ...errors import Invalid
from ...forms import ConfirmForm
from ...mobile import per_page, render
from ...urls import local_path, page_number
from .. import access, membership as rules
from ..forms import JoinForm
from ..models import BANNED, PENDING
from .blueprint import bp


@bp.route("/communities/<int:community_id>/join", methods=["GET", "POST"])
@login_required
def join(community_id: int):
    community = access.get_community(current_user, community_id)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            role = rules.join(current_user, community.id, form.message.data or "")
        except Invalid as error:
            flash(error.message)
        else:
            flash(_("参加しました。") if role != PENDING else _("参加を申請しました。管理人の承認をお待ちください。"))
        return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/join.html", community=community, form=form,
                  role=access.role_of(current_user, community))


def members_only(community, role: str | None, active: str):
    """Instead of a bare 403 for a members-only community's topics or events: why not, and the way in
    (join, ask to join, or where a request stands). Still 403: the list itself is not shown."""
    return render("communities/members_only.html", status=403, community=community, role=role, active=active,
                  form=JoinForm())


@bp.route("/communities/<int:community_id>/leave", methods=["GET", "POST"])
@login_required
def leave(community_id: int):
    community = access.get_community(current_user, community_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            rules.leave(current_user, community.id)
        except Invalid as error:
            flash(error.message)
        else:
            flash(_("コミュニティを退会しました。"))
        return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/leave.html", community=community, form=form,
                  role=access.role_of(current_user, community))


_MEMBER_ACTIONS = {
    "approve": (rules.approve, _l("参加を承認しました。")),
    "decline": (rules.decline, _l("参加申請をお断りしました。")),
    "remove": (rules.remove_member, _l("メンバーから外しました。")),
    "ban": (rules.ban, _l("参加を禁止しました。")),
    "unban": (rules.unban, _l("参加禁止を解除しました。")),
    "promote": (lambda actor, cid, mid: rules.set_moderator(actor, cid, mid, True), _l("副管理人にしました。")),
    "demote": (lambda actor, cid, mid: rules.set_moderator(actor, cid, mid, False), _l("副管理人から外しました。")),
}


@bp.post("/communities/<int:community_id>/members/<int:member_id>/<action>")
@login_required
def member_action(community_id: int, member_id: int, action: str):
    if action not in _MEMBER_ACTIONS:
        abort(404)
    community = access.get_community(current_user, community_id)
    if ConfirmForm().validate_on_submit():
        act, done = _MEMBER_ACTIONS[action]
        try:
            act(current_user, community.id, member_id)
        except Invalid as error:
            flash(error.message)
        else:
            flash(str(done))
    back = local_path(request.form.get("back"))
    return redirect(back if back and back.startswith("/communities/")
                    else url_for("communities.members", community_id=community.id))


@bp.get("/communities/<int:community_id>/members")
@login_required
def members(community_id: int):
    community = access.get_community(current_user, community_id)
    role = access.role_of(current_user, community)
    page = rules.members_of(current_user, community, page_number(), per_page())
    return render("communities/members.html", community=community, role=role, page=page, form=ConfirmForm(),
                  actions=rules.actions_on(current_user, role, page.items))


@bp.get("/communities/<int:community_id>/<any(requests, banned):which>")
@login_required
def waiting(community_id: int, which: str):
    community = access.get_community(current_user, community_id)
    page = rules.people_waiting(current_user, community, PENDING if which == "requests" else BANNED,
                                page_number(), per_page())
    return render("communities/waiting.html", community=community, which=which, page=page, form=ConfirmForm())


@bp.route("/communities/<int:community_id>/handover", methods=["GET", "POST"])
@login_required
def handover(community_id: int):
    community = rules.community_to_hand_over(current_user, community_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            rules.hand_over(current_user, community.id, as_id(request.form.get("member_id")) or 0)
        except Invalid as error:
            flash(error.message)
        else:
            flash(_("管理人を引き継ぎました。あなたは副管理人になりました。"))
            return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/handover.html", community=community, form=form,
                  page=rules.members_of(current_user, community, page_number(), per_page()))
