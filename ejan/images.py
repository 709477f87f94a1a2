"""Serving a stored image variant; the feature's service has already decided the viewer may see it."""
from flask import abort, current_app, send_file

from . import media


def send_image(key: str | None, variant: str):
    if not key:
        abort(404)
    path, mimetype = media.image_file(current_app.config["EJAN_MEDIA_DIR"], key, variant)
    response = send_file(path, mimetype=mimetype, max_age=3600)
    # Every image is for logged-in members only: a shared proxy must never hand one to someone else.
    response.cache_control.public = False  # send_file marks it public; both at once contradict each other
    response.cache_control.private = True
    return response
