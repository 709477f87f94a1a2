from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, \
    TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional

from ..forms import DATE_FORMAT, REQUIRED, TIME_FORMAT, BaseForm, PlausibleDate
from .models import APPROVAL, CATEGORIES, MEMBERS_ONLY, OPEN, SITE

CATEGORY_CHOICES = [SelectChoice("", _l("選択してください"))] + [SelectChoice(c, _l(c)) for c in CATEGORIES]


class CommunityForm(BaseForm):
    name = StringField(_l("コミュニティ名"), validators=[DataRequired(REQUIRED)])
    category = SelectField(_l("カテゴリ"), choices=CATEGORY_CHOICES, validate_choice=False)
    description = TextAreaField(_l("説明"), validators=[DataRequired(REQUIRED)])
    join_policy = RadioField(_l("参加のしかた"), default=OPEN, validate_choice=False, choices=[
        SelectChoice(OPEN, _l("だれでも参加できる")), SelectChoice(APPROVAL, _l("管理人の承認が必要"))])
    topic_visibility = RadioField(_l("トピックの公開範囲"), default=SITE, validate_choice=False, choices=[
        SelectChoice(SITE, _l("会員全体に公開")), SelectChoice(MEMBERS_ONLY, _l("コミュニティのメンバーだけ"))])
    image = FileField(_l("画像"))
    remove_image = BooleanField(_l("画像を削除する"))


class JoinForm(BaseForm):
    message = TextAreaField(_l("管理人へのメッセージ（任意）"), validators=[Optional()])


class TopicForm(BaseForm):
    title = StringField(_l("タイトル"), validators=[DataRequired(REQUIRED)])
    body = TextAreaField(_l("本文"), validators=[DataRequired(REQUIRED)])
    submit_token = HiddenField()


class CommentForm(BaseForm):
    body = TextAreaField(_l("コメント"), validators=[DataRequired(REQUIRED)])
    follow = BooleanField(_l("このトピックへの新しいコメントを通知する"), default=True)
    submit_token = HiddenField()




class EventForm(BaseForm):
    title = StringField(_l("イベント名"), validators=[DataRequired(REQUIRED)])
    # Two plain fields (not datetime-local): keitai browsers have no date pickers.
    date = DateField(_l("日付（例 2026-12-05）"), validators=[DataRequired(DATE_FORMAT), PlausibleDate(DATE_FORMAT)])
    time = TimeField(_l("開始時刻（例 13:30）"), validators=[DataRequired(TIME_FORMAT)])
    place = StringField(_l("場所"), validators=[Optional()])
    description = TextAreaField(_l("説明"), validators=[Optional()])
