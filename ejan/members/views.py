
from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _, refresh
from flask_login import current_user, login_required, login_user, logout_user

from .. import i18n, sessions, signals
from ..errors import Forbidden, Invalid
from ..extensions import limiter
from ..forms import ConfirmForm
from ..friends import services as friends
from ..mobile import carry, per_page, render, without_session
from ..images import send_image
from ..text import honorific
from ..urls import local_path, page_number
from . import blocking, services, throttle
from .forms import ForgotForm, InviteForm, LoginForm, ProfileForm, RegisterForm, ResetForm
from ..request_size import takes_uploads

bp = Blueprint("members", __name__)


def _throttle() -> throttle.LoginThrottle:
    config = current_app.config
    return throttle.LoginThrottle(
        limiter.storage, account_limit=config["EJAN_LOGIN_LIMIT_ACCOUNT"],
        address_limit=config["EJAN_LOGIN_LIMIT_ADDRESS"], gateway_limit=config["EJAN_LOGIN_LIMIT_GATEWAY"],
        gateways=config["EJAN_CARRIER_GATEWAYS"], first_wait=config["EJAN_LOGIN_WAIT_SECONDS"],
        max_wait=config["EJAN_LOGIN_WAIT_MAX_SECONDS"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            attempt = _throttle().begin(form.email.data, request.remote_addr)
        except throttle.Slowed as slowed:
            response = render("errors/error.html", status=429, code=429, message="", wait_seconds=slowed.seconds)
            response.headers["Retry-After"] = str(slowed.seconds)
            return response
        try:
            member = services.authenticate(form.email.data, form.password.data)
        except (Invalid, Forbidden) as error:
            form.form_errors.append(error.message)
        else:
            attempt.succeeded()
            sessions.regenerate()
            login_user(member)
            target = local_path(request.args.get("next"))
            return redirect(carry(without_session(target)) if target else url_for("site.home"))
    return render("members/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks (a page with no form of its own links here: the disaster screen), only the form's POST logs out."""
    if not current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        sessions.regenerate()
        flash(_("ログアウトしました。"))
        return redirect(url_for("site.home"))
    return render("members/logout.html", form=form)


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    invitation, state = services.invitation_state(token)
    if state != "valid":
        return render("members/join_invalid.html", state=state, invitation=invitation, status=410 if invitation else 404)
    form = RegisterForm()
    if form.validate_on_submit(lambda: services.check_registration(
            nickname=form.nickname.data, password=form.password.data, district=form.district.data)):
        try:
            member = services.register(
                token, nickname=form.nickname.data, password=form.password.data, district=form.district.data
            )
        except Invalid as error:
            if error.code != "invitation":
                form.add_error(error)
            else:
                return render("members/join_invalid.html", state=error.message, invitation=invitation, status=410)
        else:
            if current_user.is_authenticated:
                logout_user()
            sessions.regenerate()
            login_user(member)
            flash(_("ようこそ %(site)s へ！ プロフィールを設定しましょう。", site=i18n.site_name()))
            return redirect(url_for("members.edit_profile"))
    return render("members/join.html", form=form, invitation=invitation, token=token)


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
def invitations():
    form = InviteForm()
    if form.validate_on_submit(lambda: services.check_invitation(form.email.data, form.message.data)):
        try:
            issued = services.invite(current_user, form.email.data, form.message.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("%(email)s さんに招待メールを送りました。", email=issued.invitation.email))
            return redirect(url_for("members.invitations"))
    page = services.invitations_sent(current_user, page_number(), per_page())
    inviter, invited = services.invite_tree(current_user)
    return render(
        "members/invitations.html", form=form, page=page, quota_left=services.invite_quota_left(current_user),
        inviter=inviter, invited=invited, revoke_form=ConfirmForm(),
    )


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    if ConfirmForm().validate_on_submit():
        services.revoke_invitation(current_user, invitation_id)
        flash(_("招待を取り消しました。"))
    return redirect(url_for("members.invitations"))


@bp.get("/members/<int:member_id>")
@login_required
def profile(member_id: int):
    member = services.visible_member(current_user, member_id)
    signals.member_page_viewed.send(current_user._get_current_object(), owner=member)
    friends_page, friend_count = friends.friends_and_count(member, 1, 9, viewer=current_user)
    return render(
        "members/profile.html",
        member=member,
        relation=friends.relation(current_user, member),
        friends_page=friends_page,
        friend_count=friend_count,
        fof_count=friends.friends_of_friends_shown(member),
        introductions=friends.introductions_for(member, viewer=current_user),
        blocking=blocking.is_blocking(current_user, member),
        form=ConfirmForm(),
    )


@bp.route("/members/<int:member_id>/block", methods=["GET", "POST"])
@login_required
def block(member_id: int):
    member = services.visible_member(current_user, member_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            blocking.block(current_user, member.id)
        except Invalid as error:
            flash(error.message)
        else:
            flash(_("%(nickname)sをブロックしました。", nickname=honorific(member.nickname)))
        return redirect(url_for("members.profile", member_id=member.id))
    return render("members/block.html", member=member, form=form)


@bp.post("/members/<int:member_id>/unblock")
@login_required
def unblock(member_id: int):
    if ConfirmForm().validate_on_submit():
        blocking.unblock(current_user, member_id)
        flash(_("ブロックを解除しました。"))
    if request.args.get("back") == "list":
        return redirect(url_for("members.blocks"))
    return redirect(url_for("members.profile", member_id=member_id))


@bp.get("/settings/blocks")
@login_required
def blocks():
    return render("members/blocks.html", page=blocking.blocked_by_me(current_user, page_number(), per_page()))


@bp.get("/members/<int:member_id>/photo/<variant>")
@login_required
def photo(member_id: int, variant: str):
    return send_image(services.visible_member(current_user, member_id).photo_key, variant)


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
@takes_uploads
def edit_profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit(lambda: services.check_profile(
            nickname=form.nickname.data, intro=form.intro.data, district=form.district.data,
            keitai_email=form.keitai_email.data, language=form.language.data)):
        upload = form.photo.data
        try:
            services.update_profile(
                current_user,
                nickname=form.nickname.data,
                intro=form.intro.data,
                district=form.district.data,
                keitai_email=form.keitai_email.data,
                photo=upload.stream if upload and upload.filename else None,
                remove_photo=form.remove_photo.data,
                language=form.language.data,
            )
        except Invalid as error:
            form.add_error(error)
        else:
            refresh()  # the page after saving already speaks the language just chosen
            flash(_("プロフィールを保存しました。"))
            return redirect(url_for("members.profile", member_id=current_user.id))
    return render("members/edit.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render("members/forgot_sent.html")
    return render("members/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.member_for_reset(token)
    except Invalid as error:
        return render("members/reset_invalid.html", message=error.message, status=410)
    form = ResetForm()
    if form.validate_on_submit(lambda: services.check_password(form.password.data)):
        try:
            services.reset_password(token, form.password.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("パスワードを変更しました。新しいパスワードでログインしてください。"))
            return redirect(url_for("members.login"))
    return render("members/reset.html", form=form)
