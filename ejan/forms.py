"""What every feature's forms share: Japanese messages and mapping service errors onto fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from .cleaning import single_line
from .errors import Invalid

REQUIRED = "入力してください。"


class BaseForm(FlaskForm):
    class Meta:
        # WTForms' own Japanese catalogue, for the messages our validators do not word themselves.
        locales = ("ja_JP", "ja")

        def bind_field(self, form, unbound_field, options):
            # One-line inputs (nickname, title, search, e-mail) never keep a line break a client sent.
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), single_line]
            return unbound_field.bind(form=form, **options)

    def add_error(self, error: Invalid) -> None:
        """Show a service's Invalid next to the field it names, or above the form."""
        field = getattr(self, error.code, None) if error.code else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [error.message]
        else:
            self.form_errors.append(error.message)


class ConfirmForm(BaseForm):
    """A bare form: its CSRF token is the proof that the button was pressed on our own page."""
