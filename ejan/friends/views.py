from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Invalid, NotFound
from ..forms import ConfirmForm
from ..members import services as members
from ..mobile import per_page, render
from ..text import honorific
from ..urls import page_number
from . import services
from .forms import FriendRequestForm, IntroductionForm

bp = Blueprint("friends", __name__)


@bp.get("/members/<int:member_id>/friends")
@login_required
def index(member_id: int):
    member = members.visible_member(current_user, member_id)
    page, count = services.friends_and_count(member, page_number(), per_page(), viewer=current_user)
    return render("friends/index.html", member=member, page=page, count=count)


@bp.route("/members/<int:member_id>/friend-request", methods=["GET", "POST"])
@login_required
def request_friend(member_id: int):
    member = members.visible_member(current_user, member_id)
    form = FriendRequestForm()
    if form.validate_on_submit():
        try:
            sent = services.request_friend(current_user, member.id, form.message.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("%(nickname)sにマイフレンド申請しました。", nickname=honorific(member.nickname)) if sent
                  else _("%(nickname)sとマイフレンドになりました。", nickname=honorific(member.nickname)))
            return redirect(url_for("members.profile", member_id=member.id))
    return render("friends/request.html", member=member, form=form, relation=services.relation(current_user, member))


@bp.get("/friends/requests")
@login_required
def requests():
    return render(
        "friends/requests.html",
        # Two button forms per request: a keitai page holds five inside its budget.
        page=services.incoming(current_user, page_number(), per_page("requests")),
        outgoing=services.outgoing(current_user),
        form=ConfirmForm(),
    )


@bp.post("/friends/requests/<int:request_id>/<any(accept, decline, cancel):action>")
@login_required
def answer(request_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("friends.requests"))
    try:
        if action == "accept":
            friend = services.accept(current_user, request_id)
            flash(_("%(nickname)sとマイフレンドになりました。", nickname=honorific(friend.nickname)))
        elif action == "decline":
            services.decline(current_user, request_id)
            flash(_("マイフレンド申請をお断りしました。"))
        else:
            services.cancel(current_user, request_id)
            flash(_("マイフレンド申請を取り消しました。"))
    except NotFound:
        # A second tap on the same button: the first one already did what was asked.
        flash(_("この申請はすでに処理されています。"))
    return redirect(url_for("friends.requests"))


@bp.route("/members/<int:member_id>/unfriend", methods=["GET", "POST"])
@login_required
def unfriend(member_id: int):
    member = members.visible_member(current_user, member_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.remove(current_user, member.id)
        flash(_("%(nickname)sをマイフレンドから外しました。", nickname=honorific(member.nickname)))
        return redirect(url_for("members.profile", member_id=member.id))
    return render("friends/unfriend.html", member=member, form=form)


@bp.route("/members/<int:member_id>/introduction", methods=["GET", "POST"])
@login_required
def introduction(member_id: int):
    member = members.visible_member(current_user, member_id)
    if not services.are_friends(current_user.id, member.id):
        # Only friends write introductions; a form for anyone else could only fail when sent.
        raise NotFound(_("紹介文はマイフレンドだけが書けます。"))
    existing = services.introduction_by(current_user, member.id)
    form = IntroductionForm(obj=existing)
    if form.validate_on_submit():
        try:
            services.write_introduction(current_user, member.id, form.body.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("紹介文を保存しました。"))
            return redirect(url_for("members.profile", member_id=member.id))
    return render("friends/introduction.html", member=member, form=form, existing=existing,
                  delete_form=ConfirmForm())


@bp.post("/introductions/<int:intro_id>/delete")
@login_required
def delete_introduction(intro_id: int):
    if ConfirmForm().validate_on_submit():
        services.delete_introduction(current_user, intro_id)
        flash(_("紹介文を削除しました。"))
    return redirect(url_for("members.profile", member_id=current_user.id))
