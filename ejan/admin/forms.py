from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..forms import DATE_FORMAT, BaseForm, PlausibleDate
from ..members.models import DISTRICTS


class MemberSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("名前かメールアドレス"))
    district = SelectField(_l("地区"), choices=[SelectChoice("", _l("すべて"))] + [SelectChoice(d, d) for d in DISTRICTS],
                           validate_choice=False)
    status = SelectField(_l("状態"), choices=[SelectChoice("", _l("すべて")), SelectChoice("active", _l("利用中")),
                                            SelectChoice("suspended", _l("利用停止中"))], validate_choice=False)


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("理由（記録に残ります）"))


class RoleForm(BaseForm):
    role = SelectField(_l("役割"), choices=[SelectChoice("member", _l("一般会員")), SelectChoice("admin", _l("管理者"))],
                       validate_choice=False)


class AnnouncementForm(BaseForm):
    title = StringField(_l("タイトル"))
    body = TextAreaField(_l("本文"))
    starts_on = DateField(_l("表示を始める日（例 2026-12-05）"), validators=[Optional(), PlausibleDate(DATE_FORMAT)])
    ends_on = DateField(_l("表示を終える日（例 2026-12-31）"), validators=[Optional(), PlausibleDate(DATE_FORMAT)])
    broadcast = BooleanField(_l("全会員にも「市からのお知らせ」として送る"))
    submit_token = HiddenField()


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = StringField(_l("操作（例 disaster）"))
    actor = StringField(_l("操作した会員の番号"))
    target_kind = StringField(_l("対象の種類（例 member）"))
    target_id = StringField(_l("対象の番号"))
