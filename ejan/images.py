"""Serving a stored image variant; the feature's service has already decided the viewer may see it.

From a directory the file is sent as it is, or, with EJAN_MEDIA_ACCEL set (deploy/nginx), handed to
nginx by X-Accel-Redirect so no web worker is held while a phone downloads it; from a bucket the
bytes are read and sent.
"""
from flask import abort, current_app, send_file

from . import media
from .storage import store_at

MAX_AGE = 3600


def send_image(key: str | None, variant: str):
    if not key:
        abort(404)
    location = current_app.config["EJAN_MEDIA_DIR"]
    name, mimetype = media.find_variant(location, key, variant)
    path = store_at(location).local_path(name)
    accel = current_app.config.get("EJAN_MEDIA_ACCEL")
    if path is None:
        response = current_app.response_class(store_at(location).read(name), mimetype=mimetype)
        response.cache_control.max_age = MAX_AGE
    elif accel:
        response = current_app.response_class(b"", mimetype=mimetype)
        response.headers["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{name}"
        response.cache_control.max_age = MAX_AGE
    else:
        response = send_file(path, mimetype=mimetype, max_age=MAX_AGE)
    # Every image is for logged-in members only: a shared proxy must never hand one to someone else.
    response.cache_control.public = False  # send_file marks it public; both at once contradict each other
    response.cache_control.private = True
    return response
