"""Disaster mode's pages: parse, call a service, render (the rules are in events/services)."""
from flask import Blueprint, redirect, url_for

bp = Blueprint("disaster", __name__)


@bp.get("/disaster")
def index():
    return redirect(url_for("site.home"))
