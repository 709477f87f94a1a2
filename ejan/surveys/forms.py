from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField, \
    SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms import DATE_FORMAT, REQUIRED, TIME_FORMAT, BaseForm, PlausibleDate
from ..members.models import DISTRICTS as CITY_DISTRICTS
from .models import DISTRICTS, EVERYONE, MULTIPLE, SCALE, SINGLE, TEXT

KIND_CHOICES = [
    SelectChoice(SINGLE, _l("ひとつ選ぶ")),
    SelectChoice(MULTIPLE, _l("いくつでも選ぶ")),
    SelectChoice(SCALE, _l("5段階（1〜5）")),
    SelectChoice(TEXT, _l("自由に書く")),
]


class SurveyForm(BaseForm):
    # Lengths and the order of the times are checked in the builder, so every problem shows at once.
    title = StringField(_l("タイトル"), validators=[DataRequired(REQUIRED)])
    description = TextAreaField(_l("説明（任意）"), validators=[Optional()])
    audience = RadioField(_l("対象"), default=EVERYONE, validate_choice=False, choices=[
        SelectChoice(EVERYONE, _l("すべての会員")), SelectChoice(DISTRICTS, _l("選んだ地区の会員"))])
    districts = SelectMultipleField(_l("地区"), choices=[SelectChoice(d) for d in CITY_DISTRICTS],
                                    validate_choice=False, validators=[Optional()])
    opens_date = DateField(_l("開始日（例 2026-12-05）"), validators=[DataRequired(DATE_FORMAT), PlausibleDate(DATE_FORMAT)])
    opens_time = TimeField(_l("開始時刻（例 09:00）"), validators=[DataRequired(TIME_FORMAT)])
    closes_date = DateField(_l("締切日（例 2026-12-19）"), validators=[DataRequired(DATE_FORMAT), PlausibleDate(DATE_FORMAT)])
    closes_time = TimeField(_l("締切時刻（例 17:00）"), validators=[DataRequired(TIME_FORMAT)])
    anonymous = BooleanField(_l("匿名で回答してもらう（だれが何と答えたかは、作成者にもわかりません）"))
    editable = BooleanField(_l("締切まで回答を直せるようにする（匿名でない場合）"))
    results_public = BooleanField(_l("締切後、回答した人にも結果を見せる"))
    submit_token = HiddenField()


class QuestionForm(BaseForm):
    kind = SelectField(_l("質問の種類"), choices=KIND_CHOICES, validate_choice=False)
    prompt = StringField(_l("質問文"), validators=[DataRequired(REQUIRED)])
    help = TextAreaField(_l("補足（任意）"), validators=[Optional()])
    required = BooleanField(_l("回答を必須にする"))
    options = TextAreaField(_l("選択肢（1行に1つ）"), validators=[Optional()])
    max_choices = IntegerField(_l("選べる数の上限（いくつでも選ぶ場合、任意）"),
                               validators=[Optional(), NumberRange(min=1, max=20)])
    max_length = IntegerField(_l("文字数の上限（自由に書く場合、任意）"),
                              validators=[Optional(), NumberRange(min=1, max=5000)])
