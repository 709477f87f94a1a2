"""One place that turns service exceptions and HTTP errors into pages, in both template sets."""
from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..mobile import render

_STATUS = {NotFound: 404, Forbidden: 403, Invalid: 400}


def init_app(app: Flask) -> None:
    @app.errorhandler(NotFound)
    @app.errorhandler(Forbidden)
    @app.errorhandler(Invalid)
    def service_error(error):
        status = _STATUS[type(error)]
        db.session.rollback()
        return render("errors/error.html", status=status, code=status, message=error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return render("errors/error.html", status=400, code="csrf", message="")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        # A failed statement leaves the transaction aborted (PostgreSQL): the page needs a fresh one.
        db.session.rollback()
        return render("errors/error.html", status=error.code, code=error.code, message="")
