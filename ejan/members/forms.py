from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import REQUIRED, BaseForm
from .models import DISTRICTS
from .services import INTRO_MAX

DISTRICT_CHOICES = [SelectChoice("", "選択してください")] + [SelectChoice(d) for d in DISTRICTS]


class LoginForm(BaseForm):
    email = EmailField("メールアドレス", validators=[DataRequired(REQUIRED)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED)])


class InviteForm(BaseForm):
    email = EmailField("招待する方のメールアドレス", validators=[DataRequired(REQUIRED)])
    message = TextAreaField("ひとことメッセージ（任意）", validators=[Optional(), Length(max=1000)])


class RegisterForm(BaseForm):
    nickname = StringField("ニックネーム", validators=[DataRequired(REQUIRED), Length(max=40)])
    # validate_choice=False: the services refuse an unknown district in Japanese ("地区を一覧から選んでください。");
    # WTForms' own check would answer a resident in English ("Not a valid choice.").
    district = SelectField("お住まいの地区", choices=DISTRICT_CHOICES, validators=[Optional()], validate_choice=False)
    password = PasswordField("パスワード（8文字以上）", validators=[DataRequired(REQUIRED)])
    password_confirm = PasswordField(
        "パスワード（確認）", validators=[DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")]
    )


class ProfileForm(BaseForm):
    nickname = StringField("ニックネーム", validators=[DataRequired(REQUIRED), Length(max=40)])
    # validate_choice=False: the services refuse an unknown district in Japanese ("地区を一覧から選んでください。");
    # WTForms' own check would answer a resident in English ("Not a valid choice.").
    district = SelectField("お住まいの地区", choices=DISTRICT_CHOICES, validators=[Optional()], validate_choice=False)
    intro = TextAreaField("自己紹介", validators=[Optional(), Length(max=INTRO_MAX)])
    keitai_email = EmailField("携帯メールアドレス（任意）", validators=[Optional()])
    photo = FileField("プロフィール写真")
    remove_photo = BooleanField("写真を削除する")


class ForgotForm(BaseForm):
    email = EmailField("登録したメールアドレス", validators=[DataRequired(REQUIRED)])


class ResetForm(BaseForm):
    password = PasswordField("新しいパスワード（8文字以上）", validators=[DataRequired(REQUIRED)])
    password_confirm = PasswordField(
        "新しいパスワード（確認）", validators=[DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")]
    )
