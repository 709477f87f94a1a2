from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import REQUIRED, BaseForm


class FriendRequestForm(BaseForm):
    message = TextAreaField("メッセージ（任意）", validators=[Optional(), Length(max=500)])


class IntroductionForm(BaseForm):
    body = TextAreaField("紹介文", validators=[DataRequired(REQUIRED), Length(max=2000)])
