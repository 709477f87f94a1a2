"""The one "communities" blueprint that every views module of the feature registers its routes on."""
from flask import Blueprint

bp = Blueprint("communities", __name__)
