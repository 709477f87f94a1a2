from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import REQUIRED, BaseForm

# Length's own message is English ("Field cannot be longer than ..."); residents are told in Japanese,
# in the same words the services use.


class FriendRequestForm(BaseForm):
    message = TextAreaField(_l("メッセージ（任意）"), validators=[
        Optional(), Length(max=500, message=_l("メッセージは500文字以内にしてください。"))])


class IntroductionForm(BaseForm):
    body = TextAreaField(_l("紹介文"), validators=[
        DataRequired(REQUIRED), Length(max=2000, message=_l("紹介文は2000文字以内にしてください。"))])
