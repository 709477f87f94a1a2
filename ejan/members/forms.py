from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import REQUIRED, BaseForm
from ..i18n import LANGUAGES
from .models import DISTRICTS
from .services import INTRO_MAX

DISTRICT_CHOICES = [SelectChoice("", _l("選択してください"))] + [SelectChoice(d) for d in DISTRICTS]
# Each language under its own name, so a reader lost in the wrong one still finds theirs.
LANGUAGE_CHOICES = [SelectChoice("", _l("ブラウザの設定に合わせる"))] + [
    SelectChoice(language.code, language.name) for language in LANGUAGES]


class LoginForm(BaseForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(REQUIRED)])


class InviteForm(BaseForm):
    email = EmailField(_l("招待する方のメールアドレス"), validators=[DataRequired(REQUIRED)])
    message = TextAreaField(_l("ひとことメッセージ（任意）"), validators=[Optional(), Length(max=1000)])


class RegisterForm(BaseForm):
    nickname = StringField(_l("ニックネーム"), validators=[DataRequired(REQUIRED), Length(max=40)])
    # validate_choice=False: the services refuse an unknown district in Japanese ("地区を一覧から選んでください。");
    # WTForms' own check would answer a resident in English ("Not a valid choice.").
    district = SelectField(_l("お住まいの地区"), choices=DISTRICT_CHOICES, validators=[Optional()], validate_choice=False)
    password = PasswordField(_l("パスワード（8文字以上）"), validators=[DataRequired(REQUIRED)])
    password_confirm = PasswordField(
        _l("パスワード（確認）"), validators=[DataRequired(REQUIRED), EqualTo("password", _l("パスワードが一致しません。"))]
    )


class ProfileForm(BaseForm):
    nickname = StringField(_l("ニックネーム"), validators=[DataRequired(REQUIRED), Length(max=40)])
    # validate_choice=False: the services refuse an unknown district in Japanese ("地区を一覧から選んでください。");
    # WTForms' own check would answer a resident in English ("Not a valid choice.").
    district = SelectField(_l("お住まいの地区"), choices=DISTRICT_CHOICES, validators=[Optional()], validate_choice=False)
    intro = TextAreaField(_l("自己紹介"), validators=[Optional(), Length(max=INTRO_MAX)])
    keitai_email = EmailField(_l("携帯メールアドレス（任意）"), validators=[Optional()])
    photo = FileField(_l("プロフィール写真"))
    remove_photo = BooleanField(_l("写真を削除する"))
    # validate_choice=False: the services refuse an unknown code in the page's words, like district.
    language = SelectField(_l("表示する言語"), choices=LANGUAGE_CHOICES, validators=[Optional()], validate_choice=False)


class ForgotForm(BaseForm):
    email = EmailField(_l("登録したメールアドレス"), validators=[DataRequired(REQUIRED)])


class ResetForm(BaseForm):
    password = PasswordField(_l("新しいパスワード（8文字以上）"), validators=[DataRequired(REQUIRED)])
    password_confirm = PasswordField(
        _l("新しいパスワード（確認）"), validators=[DataRequired(REQUIRED), EqualTo("password", _l("パスワードが一致しません。"))]
    )
