from flask import Blueprint

from ejan.mobile import render

bp = Blueprint("toy", __name__, template_folder="templates")


@bp.get("/toy")
def page():
    return render("toy/page.html")
