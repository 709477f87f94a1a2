"""The forms of disaster mode; every choice's wording lives in words.py so lists and forms agree."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField

from ..forms import BaseForm
from ..members.models import DISTRICTS
from . import words
from .models import CHECKIN_VISIBILITIES, KINDS, REPORT_CATEGORIES, SAFE, SEE_FRIENDS


def _district_choices(blank):
    return [("", blank)] + [(d, d) for d in DISTRICTS]


class ReportForm(BaseForm):
    category = SelectField(_l("種類"), choices=[("", _l("選んでください"))] + [
        (code, words.REPORT_CATEGORY[code]) for code in REPORT_CATEGORIES], validate_choice=False)
    body = TextAreaField(_l("状況"))
    district = SelectField(_l("地区"), choices=_district_choices(_l("選んでください")), validate_choice=False)
    address = StringField(_l("住所・目印"))
    # Filled by a map click or the phone's location (PC/smartphone), or a keitai's GPS link.
    lat = HiddenField()
    lon = HiddenField()
    photo = FileField(_l("写真（任意）"))
    submit_token = HiddenField()


class CheckInForm(BaseForm):
    status = SelectField(_l("いまの状況"), choices=[(code, words.CHECKIN_STATUS[code]) for code in words.CHECKIN_STATUS],
                         default=SAFE, validate_choice=False)
    shelter_id = SelectField(_l("避難所"), choices=[], validate_choice=False)
    comment = StringField(_l("ひとこと（100文字まで）"))
    visibility = SelectField(_l("知らせる相手"), choices=[(code, words.CHECKIN_VISIBILITY[code])
                                                    for code in CHECKIN_VISIBILITIES],
                             default=SEE_FRIENDS, validate_choice=False)
    person = StringField(_l("家族の名前（会員でない家族の代わりに登録するとき）"))


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("名前"))


class StartForm(BaseForm):
    title = StringField(_l("タイトル"))
    kind = SelectField(_l("災害の種類"), choices=[(code, words.EVENT_KIND[code]) for code in KINDS],
                       validate_choice=False)
    districts = SelectMultipleField(_l("対象地区"), choices=[(d, d) for d in DISTRICTS], validate_choice=False)
    drill = BooleanField(_l("訓練として実施する"))
    submit_token = HiddenField()


class NoticeForm(BaseForm):
    """Japanese required; the other languages optional (members reading them get Japanese otherwise)."""
    title_ja = StringField(_l("タイトル（日本語）"))
    body_ja = TextAreaField(_l("本文（日本語）"))
    title_easy = StringField(_l("タイトル（やさしい日本語）"))
    body_easy = TextAreaField(_l("本文（やさしい日本語）"))
    title_pt = StringField(_l("タイトル（ポルトガル語）"))
    body_pt = TextAreaField(_l("本文（ポルトガル語）"))
    title_en = StringField(_l("タイトル（英語）"))
    body_en = TextAreaField(_l("本文（英語）"))
    submit_token = HiddenField()

    FIELDS = {"ja": "ja", "ja@easy": "easy", "pt": "pt", "en": "en"}

    def texts(self) -> dict:
        return {code: {"title": self[f"title_{suffix}"].data or "", "body": self[f"body_{suffix}"].data or ""}
                for code, suffix in self.FIELDS.items()}


class StartEventForm(StartForm, NoticeForm):
    pass


class TriageForm(BaseForm):
    status = HiddenField()
