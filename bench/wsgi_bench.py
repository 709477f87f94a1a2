"""What bench/run.py serves under gunicorn: the site exactly as wsgi.py builds it (settings from EJAN_*
variables), plus a bare Flask app answering /hello, the floor every page is compared with. Both live in
the same gunicorn workers, so they share every server setting by construction."""
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from ejan import create_app

hello = Flask("hello")


@hello.get("/")
def say_hello():
    return "hello"


app = DispatcherMiddleware(create_app(), {"/hello": hello})
