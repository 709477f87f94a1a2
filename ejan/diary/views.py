import calendar
import secrets

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import signals
from ..clock import today_jst
from ..errors import Forbidden, Invalid
from ..forms import ConfirmForm
from ..members import services as members
from ..mobile import per_page, render, text_part
from ..urls import page_after, page_number
from ..images import send_image
from . import services
from .footprints import of as footprints_of
from .forms import CommentForm, EntryForm, SettingsForm
from ..request_size import takes_uploads

bp = Blueprint("diary", __name__)



def _fresh_token() -> str:
    return secrets.token_urlsafe(16)


def _list_page(template: str, page, **context):
    return render(template, page=page, **context)


@bp.get("/diary")
@login_required
def mine():
    return redirect(url_for("diary.member", member_id=current_user.id))


@bp.get("/members/<int:member_id>/diary")
@login_required
def member(member_id: int):
    owner = members.visible_member(current_user, member_id)
    signals.member_page_viewed.send(current_user._get_current_object(), owner=owner)
    page = services.entries_of(current_user, owner, page_number(), per_page(), page_after())
    today = today_jst()
    return _list_page("diary/member.html", page, owner=owner, year=today.year, month=today.month)


@bp.get("/members/<int:member_id>/diary/<int:year>/<int:month>")
@login_required
def month(member_id: int, year: int, month: int):
    owner = members.visible_member(current_user, member_id)
    entries, days = services.month(current_user, owner, year, month)
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    following = (year, month + 1) if month < 12 else (year + 1, 1)
    return render("diary/month.html", owner=owner, entries=entries, days=days, year=year, month=month,
                  weeks=calendar.Calendar(firstweekday=6).monthdayscalendar(year, month),
                  previous=previous, following=following)


@bp.get("/diary/<int:entry_id>")
@login_required
def show(entry_id: int):
    entry = services.get_entry(current_user, entry_id)
    signals.member_page_viewed.send(current_user._get_current_object(), owner=entry.author)
    form = CommentForm(submit_token=_fresh_token())
    return _show(entry, form)


def _show(entry, form, status: int = 200):
    body, part, parts = text_part(entry.body)
    comments = services.comments_on(entry, page_number(), per_page("comments"), viewer=current_user)
    return render("diary/show.html", status=status, entry=entry, form=form, comments=comments,
                  body=body, part=part, parts=parts,
                  deletable=services.deletable_comments(current_user, entry, comments.items),
                  following=services.is_following(current_user, entry), delete_form=ConfirmForm())


@bp.route("/diary/new", methods=["GET", "POST"])
@login_required
@takes_uploads
def new():
    form = EntryForm()
    if request.method == "GET":
        form.visibility.data = services.settings_for(current_user).default_visibility
        form.submit_token.data = _fresh_token()
    if form.validate_on_submit(lambda: services.check_entry(form.title.data, form.body.data, form.visibility.data)):
        try:
            entry = services.create_entry(current_user, title=form.title.data, body=form.body.data,
                                          visibility=form.visibility.data, photos=form.uploads(),
                                          submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("日記を書きました。"))
            return redirect(url_for("diary.show", entry_id=entry.id))
    return render("diary/form.html", form=form, entry=None)


@bp.route("/diary/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
@takes_uploads
def edit(entry_id: int):
    try:
        entry = services.editable_entry(current_user, entry_id)
    except Forbidden:  # someone else's entry: back to reading it
        return redirect(url_for("diary.show", entry_id=entry_id))
    form = EntryForm(obj=entry)
    if form.validate_on_submit(lambda: services.check_entry(form.title.data, form.body.data, form.visibility.data)):
        try:
            services.update_entry(current_user, entry.id, title=form.title.data, body=form.body.data,
                                  visibility=form.visibility.data, photos=form.uploads(),
                                  remove_photo_ids=form.remove_photos.data or [])
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("日記を更新しました。"))
            return redirect(url_for("diary.show", entry_id=entry.id))
    return render("diary/form.html", form=form, entry=entry)


@bp.route("/diary/<int:entry_id>/delete", methods=["GET", "POST"])
@login_required
def delete(entry_id: int):
    try:
        entry = services.editable_entry(current_user, entry_id)
    except Forbidden:  # someone else's entry: back to reading it
        return redirect(url_for("diary.show", entry_id=entry_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_entry(current_user, entry.id)
        flash(_("日記を削除しました。"))
        return redirect(url_for("diary.member", member_id=current_user.id))
    return render("diary/delete.html", entry=entry, form=form)


@bp.post("/diary/<int:entry_id>/comments")
@login_required
def comment(entry_id: int):
    entry = services.get_entry(current_user, entry_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            written = services.add_comment(current_user, entry.id, form.body.data, follow=form.follow.data,
                                           submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("コメントを書きました。"))
            # Land on the new comment: its page of the list, scrolled to it (#c<id> works on most phones too).
            page = services.page_of_comment(written, per_page("comments"), viewer=current_user)
            return redirect(url_for("diary.show", entry_id=entry.id, page=page, _anchor=f"c{written.id}"))
    return _show(entry, form, status=400)


@bp.get("/diary/comments/<int:comment_id>")
@login_required
def comment_page(comment_id: int):
    comment = services.get_comment(current_user, comment_id)
    return render("diary/comment.html", comment=comment, entry=comment.entry,
                  can_delete=services.may_delete_comment(current_user, comment, comment.entry))


@bp.route("/diary/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    comment = services.get_comment(current_user, comment_id)
    if not services.may_delete_comment(current_user, comment, comment.entry):
        return redirect(url_for("diary.show", entry_id=comment.entry_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        entry = services.delete_comment(current_user, comment.id)
        flash(_("コメントを削除しました。"))
        return redirect(url_for("diary.show", entry_id=entry.id))
    return render("diary/delete_comment.html", comment=comment, entry=comment.entry, form=form)


@bp.get("/diary/friends")
@login_required
def friends_feed():
    page = services.friends_feed(current_user, page_number(), per_page(), page_after())
    return _list_page("diary/feed.html", page, feed="friends")


@bp.get("/diary/everyone")
@login_required
def site_feed():
    page = services.site_feed(current_user, page_number(), per_page(), page_after())
    return _list_page("diary/feed.html", page, feed="everyone")


@bp.get("/diary/search")
@login_required
def search():
    query = request.args.get("q", "").strip()
    try:
        page = services.search(current_user, query, page_number(), per_page(), page_after())
        error = None
    except Invalid as invalid:
        page, error = services.search(current_user, "", 1, per_page()), invalid.message
    return _list_page("diary/search.html", page, query=query, error=error)


@bp.get("/footprints")
@login_required
def footprints():
    return render("diary/footprints.html", page=footprints_of(current_user, page_number(), per_page()))


@bp.get("/diary/photos/<int:photo_id>/<variant>")
@login_required
def photo(photo_id: int, variant: str):
    return send_image(services.photo(current_user, photo_id).image_key, variant)


@bp.get("/diary/feed/<token>.atom")
def atom(token: str):
    author = services.member_for_feed(token)
    xml = render_template("feeds/diary.atom.xml", author=author, entries=services.feed_entries(author))
    return Response(xml, mimetype="application/atom+xml")


@bp.route("/diary/settings", methods=["GET", "POST"])
@login_required
def settings():
    current = services.settings_for(current_user)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, default_visibility=form.default_visibility.data,
                                     feed_enabled=form.feed_enabled.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("日記の設定を保存しました。"))
            return redirect(url_for("diary.settings"))
    return render("diary/settings.html", form=form, feed_token=services.feed_token(current_user),
                  renew_form=ConfirmForm())


@bp.post("/diary/settings/renew-feed")
@login_required
def renew_feed():
    if ConfirmForm().validate_on_submit():
        services.renew_feed_token(current_user)
        flash(_("フィードのアドレスを新しくしました。前のアドレスはもう使えません。"))
    return redirect(url_for("diary.settings"))
