"""What every feature's forms share: the common message and mapping service errors onto fields."""
from __future__ import annotations

from typing import Callable

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from .cleaning import single_line
from .errors import Invalid
from .mobile.roundtrip import restore

REQUIRED = _l("入力してください。")
# Dates and times are typed in two plain fields: keitai browsers have no date pickers.
DATE_FORMAT = _l("日付を 2026-12-05 の形で入力してください。")
TIME_FORMAT = _l("時刻を 13:30 の形で入力してください。")
KEITAI_EDIT_REFUSED = _l("この携帯電話で表示できない文字（〓）のすぐ近くが変更されたため、保存しませんでした。"
                         "元の文章はそのままです。〓の前後を変えずに直すか、PCやスマートフォンから編集してください。")


class PlausibleDate:
    """A date a resident could mean: year 1 or 9999 is a slip of the finger, and near the ends of the
    calendar turning Japan time into UTC (or back, to show it) overflows."""

    def __init__(self, message, first_year: int = 1900, last_year: int = 2999):
        self.message, self.first_year, self.last_year = message, first_year, last_year

    def __call__(self, form, field) -> None:
        if field.data is not None and not self.first_year <= field.data.year <= self.last_year:
            raise ValidationError(self.message)


class BaseForm(FlaskForm):
    # WTForms' own messages come in the page's language (WTF_I18N_ENABLED, see config.py).

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # One-line inputs (nickname, title, search, e-mail) never keep a line break a client sent.
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), single_line]
            return unbound_field.bind(form=form, **options)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An edit form filled from a stored object remembers its texts, so a keitai save can be merged back.
        obj = kwargs.get("obj")
        self._stored_text = {
            field.name: getattr(obj, field.name) for field in self
            if isinstance(field, StringField) and isinstance(getattr(obj, field.name, None), str)
        }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        return self._keep_what_the_phone_could_not_show() and valid

    def _keep_what_the_phone_could_not_show(self) -> bool:
        """On a Shift_JIS phone, put back the characters it saw as 〓; refuse an edit made right at one."""
        encoding = request.device.encoding if has_request_context() else "utf-8"
        if encoding == "utf-8":
            return True
        kept = True
        for name, stored in self._stored_text.items():
            field = self[name]
            if not isinstance(field.data, str):
                continue
            restored = restore(stored, field.data, encoding)
            if restored is None:
                field.errors.append(KEITAI_EDIT_REFUSED)
                kept = False
            else:
                field.data = restored
        return kept

    def validate_on_submit(self, check: Callable[[], object] | None = None, extra_validators=None) -> bool:
        """Submitted, and nothing wrong with it.

        `check` is the service's own rules for this input (a function that raises Invalid). The
        service applies them itself when it acts; when the form has already found a fault, they run
        here too, so one submission shows every problem at once instead of one per try."""
        if not self.is_submitted():
            return False
        if self.validate(extra_validators=extra_validators):
            return True
        if check is not None:
            try:
                check()
            except Invalid as error:
                self.add_error(error)
        return False

    def add_error(self, error: Invalid) -> None:
        """Show every problem of a service's Invalid next to the field it names, or above the form.

        A field that already shows a problem gets no second one: the form and the service may say
        the same thing in other words ("入力してください。" and "タイトルを入力してください。")."""
        for problem in error.problems:
            field = getattr(self, problem.code, None) if problem.code else None
            if field is not None and hasattr(field, "errors"):
                if not field.errors:
                    field.errors = [problem.message]
            elif problem.message not in self.form_errors:
                self.form_errors.append(problem.message)


class ConfirmForm(BaseForm):
    """A bare form: its CSRF token is the proof that the button was pressed on our own page."""
