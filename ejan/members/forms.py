from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import REQUIRED, BaseForm
from .models import DISTRICTS

DISTRICT_CHOICES = [("", "選択してください")] + [(d, d) for d in DISTRICTS]


class LoginForm(BaseForm):
    email = EmailField("メールアドレス", validators=[DataRequired(REQUIRED)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED)])


class InviteForm(BaseForm):
    email = EmailField("招待する方のメールアドレス", validators=[DataRequired(REQUIRED)])
    message = TextAreaField("ひとことメッセージ（任意）", validators=[Optional(), Length(max=1000)])


class RegisterForm(BaseForm):
    nickname = StringField("ニックネーム", validators=[DataRequired(REQUIRED), Length(max=40)])
    district = SelectField("お住まいの地区", choices=DISTRICT_CHOICES, validators=[Optional()])
    password = PasswordField("パスワード（8文字以上）", validators=[DataRequired(REQUIRED)])
    password_confirm = PasswordField(
        "パスワード（確認）", validators=[DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")]
    )


class ProfileForm(BaseForm):
    nickname = StringField("ニックネーム", validators=[DataRequired(REQUIRED), Length(max=40)])
    district = SelectField("お住まいの地区", choices=DISTRICT_CHOICES, validators=[Optional()])
    intro = TextAreaField("自己紹介", validators=[Optional(), Length(max=5000)])
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
