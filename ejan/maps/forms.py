from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..forms import REQUIRED, BaseForm, PlausibleDate
from ..members.models import DISTRICTS
from .categories import CATEGORIES, SHELTER_STATUSES

BAD_TIME = _l("日時は 2026-05-01T10:00 の形で入力してください。")


class PinForm(BaseForm):
    # Lengths, the place and the links are checked in services, so every fault is said at once.
    title = StringField(_l("タイトル"), validators=[DataRequired(REQUIRED)])
    category = SelectField(_l("種類"), validate_choice=False)
    description = TextAreaField(_l("説明"))
    # Text, not FloatField: a number the form cannot read is kept as typed and the service says why.
    lat = StringField(_l("緯度"), render_kw={"id": "lat", "inputmode": "decimal"})
    lon = StringField(_l("経度"), render_kw={"id": "lon", "inputmode": "decimal"})
    district = SelectField(_l("地区"), validate_choice=False)
    community_id = SelectField(_l("コミュニティ"), validate_choice=False)
    event_id = SelectField(_l("イベント"), validate_choice=False)
    starts_at = DateTimeLocalField(_l("始まり"), validators=[Optional(), PlausibleDate(BAD_TIME)],
                                   format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = DateTimeLocalField(_l("終わり"), validators=[Optional(), PlausibleDate(BAD_TIME)],
                                 format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    photo = FileField(_l("写真"))
    remove_photo = BooleanField(_l("いまの写真を削除する"))
    submit_token = HiddenField()

    def fill_choices(self, categories, communities, events) -> None:
        self.category.choices = [SelectChoice(code, CATEGORIES[code].label) for code in categories]
        self.district.choices = [SelectChoice("", _l("（選ばない）"))] + [SelectChoice(d, d) for d in DISTRICTS]
        self.community_id.choices = [SelectChoice("", _l("（なし）"))] + [SelectChoice(str(c.id), c.name)
                                                                        for c in communities]
        self.event_id.choices = [SelectChoice("", _l("（なし）"))] + [SelectChoice(str(e.id), e.title) for e in events]


class ShelterStatusForm(BaseForm):
    status = SelectField(_l("避難所の状況"), validate_choice=False,
                         choices=[SelectChoice("", _l("（未設定）"))]
                         + [SelectChoice(code, label) for code, label in SHELTER_STATUSES.items()])
