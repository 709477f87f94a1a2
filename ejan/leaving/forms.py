from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired

from ..forms import REQUIRED, BaseForm


class LeaveForm(BaseForm):
    password = PasswordField(_l("パスワード（確認のため）"), validators=[DataRequired(REQUIRED)])
