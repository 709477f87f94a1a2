"""Small database helpers shared by features."""
from sqlalchemy.exc import IntegrityError

from .extensions import db


def add_once(row) -> bool:
    """Insert a row whose key may already exist (a double tap, two tabs); an existing row is as good.

    Commits on its own, so call it after the main change of a request has been committed.
    """
    db.session.add(row)
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False
