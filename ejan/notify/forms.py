from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import REQUIRED, BaseForm


class KeitaiForm(BaseForm):
    # A plain text box, not an EmailField: carriers' addresses break the RFC (`taro..x.@docomo.ne.jp`)
    # and the service (mail.loose_address) is the one that says which ones are fine.
    address = StringField(_l("携帯メールアドレス"), validators=[
        DataRequired(REQUIRED), Length(max=254, message=_l("メールアドレスが長すぎます。"))])
