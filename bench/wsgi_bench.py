"""What bench/run.py serves under gunicorn: the site exactly as wsgi.py builds it (settings from EJAN_*
variables), plus a bare Flask app answering /hello, the floor every page is compared with. Both live in
the same gunicorn workers, so they share every server setting by construction. The site also answers
bench/floors.py's two floor pages, which only the bench serves."""
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench.floors import add_floors
from ejan import create_app

hello = Flask("hello")


@hello.get("/")
def say_hello():
    return "hello"


app = DispatcherMiddleware(add_floors(create_app()), {"/hello": hello})
