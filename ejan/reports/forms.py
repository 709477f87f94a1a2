from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField

from ..forms import BaseForm

# Every reason a resident can pick; the service checks the value (REASONS), the form only words it.
REASON_CHOICES = [
    SelectChoice("", _l("選んでください")),
    SelectChoice("spam", _l("宣伝・迷惑な書き込み")),
    SelectChoice("harassment", _l("嫌がらせ・誹謗中傷")),
    SelectChoice("personal_info", _l("個人情報の書き込み")),
    SelectChoice("inappropriate", _l("公序良俗に反する内容")),
    SelectChoice("other", _l("その他")),
]


class TsuhoForm(BaseForm):
    # Lengths and choices are checked in the service, so PC and keitai get the same words.
    reason = SelectField(_l("理由"), choices=REASON_CHOICES, validate_choice=False)
    detail = TextAreaField(_l("詳しい内容（任意）"))


class TsuhoActionForm(BaseForm):
    outcome = SelectField(_l("対応"), choices=[SelectChoice("hide", _l("非表示にする")), SelectChoice("dismiss", _l("問題なし")),
                                              SelectChoice("warn", _l("書いた人に注意する")),
                                              SelectChoice("suspend", _l("書いた人を利用停止にする"))],
                          validate_choice=False)
    note = TextAreaField(_l("メモ（記録に残ります）"))
