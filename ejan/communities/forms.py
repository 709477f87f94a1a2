from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, \
    TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional

from ..forms import REQUIRED, BaseForm
from .models import APPROVAL, CATEGORIES, MEMBERS_ONLY, OPEN, SITE

CATEGORY_CHOICES = [SelectChoice("", "選択してください")] + [SelectChoice(c) for c in CATEGORIES]


class CommunityForm(BaseForm):
    name = StringField("コミュニティ名", validators=[DataRequired(REQUIRED)])
    category = SelectField("カテゴリ", choices=CATEGORY_CHOICES, validate_choice=False)
    description = TextAreaField("説明", validators=[DataRequired(REQUIRED)])
    join_policy = RadioField("参加のしかた", default=OPEN, validate_choice=False, choices=[
        SelectChoice(OPEN, "だれでも参加できる"), SelectChoice(APPROVAL, "管理人の承認が必要")])
    topic_visibility = RadioField("トピックの公開範囲", default=SITE, validate_choice=False, choices=[
        SelectChoice(SITE, "会員全体に公開"), SelectChoice(MEMBERS_ONLY, "コミュニティのメンバーだけ")])
    image = FileField("画像")
    remove_image = BooleanField("画像を削除する")


class JoinForm(BaseForm):
    message = TextAreaField("管理人へのメッセージ（任意）", validators=[Optional()])


class TopicForm(BaseForm):
    title = StringField("タイトル", validators=[DataRequired(REQUIRED)])
    body = TextAreaField("本文", validators=[DataRequired(REQUIRED)])
    submit_token = HiddenField()


class CommentForm(BaseForm):
    body = TextAreaField("コメント", validators=[DataRequired(REQUIRED)])
    follow = BooleanField("このトピックへの新しいコメントを通知する", default=True)
    submit_token = HiddenField()


class EventForm(BaseForm):
    title = StringField("イベント名", validators=[DataRequired(REQUIRED)])
    # Two plain fields (not datetime-local): keitai browsers have no date pickers.
    date = DateField("日付（例 2026-12-05）", validators=[DataRequired("日付を 2026-12-05 の形で入力してください。")])
    time = TimeField("開始時刻（例 13:30）", validators=[DataRequired("時刻を 13:30 の形で入力してください。")])
    place = StringField("場所", validators=[Optional()])
    description = TextAreaField("説明", validators=[Optional()])
