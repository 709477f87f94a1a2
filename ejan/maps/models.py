"""Pins on the city map."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member


class Pin(db.Model):
    __tablename__ = "pins"
    __table_args__ = (
        # The map asks for a bounding box, with or without a category: the range on lat narrows
        # 200,000 pins to a band, lon is checked inside the index.
        Index("ix_pins_lat_lon", "lat", "lon"),
        Index("ix_pins_category_lat_lon", "category", "lat", "lon"),
        # The keitai list: by district and category, newest first.
        Index("ix_pins_district_category", "district", "category", "created_at"),
        Index("ix_pins_author_created", "author_id", "created_at"),
        Index("ix_pins_community", "community_id"),
        Index("ix_pins_event", "event_id"),
        # A double submit carries the same form token: the second insert is refused.
        UniqueConstraint("author_id", "submit_token", name="uq_pins_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))  # a code of ejan/maps/categories.py
    description: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float] = mapped_column(Float)  # WGS84 degrees
    lon: Mapped[float] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(String(20))  # one of members.models.DISTRICTS
    photo_key: Mapped[str | None] = mapped_column(String(32))  # ejan/media.py
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("community_events.id", ondelete="SET NULL"))
    # The optional period (events, road works), naive UTC; a pin whose end has passed leaves the default view.
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    shelter_status: Mapped[str | None] = mapped_column(String(10))  # shelters only: open / full / closed

    author: Mapped[Member] = relationship(foreign_keys=[author_id])
