from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..forms import REQUIRED, BaseForm
from .models import FRIENDS, MEMBERS, PRIVATE

VISIBILITY_CHOICES = [
    SelectChoice(MEMBERS, _l("会員全体に公開")),
    SelectChoice(FRIENDS, _l("マイフレンドまで公開")),
    SelectChoice(PRIVATE, _l("自分だけ（非公開）")),
]


class EntryForm(BaseForm):
    # Lengths are checked in services, so the message can say how long the text is.
    title = StringField(_l("タイトル"), validators=[DataRequired(REQUIRED)])
    body = TextAreaField(_l("本文"), validators=[DataRequired(REQUIRED)])
    visibility = SelectField(_l("公開範囲"), choices=VISIBILITY_CHOICES, validate_choice=False)
    # Three single file inputs, not one multiple: keitai browsers send one file per input.
    photo1 = FileField(_l("写真1"))
    photo2 = FileField(_l("写真2"))
    photo3 = FileField(_l("写真3"))
    remove_photos = SelectMultipleField(_l("削除する写真"), coerce=int, validate_choice=False, validators=[Optional()])
    submit_token = HiddenField()

    def uploads(self) -> list:
        return [f.data.stream for f in (self.photo1, self.photo2, self.photo3) if f.data and f.data.filename]


class CommentForm(BaseForm):
    body = TextAreaField(_l("コメント"), validators=[DataRequired(REQUIRED)])
    follow = BooleanField(_l("この日記への新しいコメントを通知する"), default=True)
    submit_token = HiddenField()


class SettingsForm(BaseForm):
    default_visibility = SelectField(_l("新しい日記の公開範囲"), choices=VISIBILITY_CHOICES, validate_choice=False)
    feed_enabled = BooleanField(_l("RSSリーダー用のフィード（会員全体に公開した日記だけ）を使う"))
