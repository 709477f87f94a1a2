"""What every feature's forms share: the common message and mapping service errors onto fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from .errors import Invalid

REQUIRED = _l("入力してください。")


class BaseForm(FlaskForm):
    # WTForms' own messages come in the page's language (WTF_I18N_ENABLED, see config.py).

    def add_error(self, error: Invalid) -> None:
        """Show a service's Invalid next to the field it names, or above the form."""
        field = getattr(self, error.code, None) if error.code else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [error.message]
        else:
            self.form_errors.append(error.message)


class ConfirmForm(BaseForm):
    """A bare form: its CSRF token is the proof that the button was pressed on our own page."""
