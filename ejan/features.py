"""What a feature package brings, and the one loop that plugs every feature into the app.

Each feature package has a `feature.py` whose `feature` object says what the package brings: its
blueprints, its Celery task modules, the modules that connect its signal receivers, its entries in
the main menu of both template sets, and the wording of the notifications it sends. The factory
walks the `EJAN_FEATURES` setting (a list of package names) and calls nothing feature-specific, so a
new feature is a new package plus one line in that list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Callable, Mapping

from flask import Blueprint, Flask

from .navigation import NavLink


@dataclass(frozen=True)
class Fact:
    """Something operators watch that a feature knows best (a worker heartbeat, a disaster in force).

    `read()` returns a number, a bool, None (unknown: left out of the metrics), or a dict of
    label value -> number (one series per label value, labelled `label`). /metrics shows every fact as
    a gauge named `ejan_<name>`; /readyz also reports the ones marked `ready`, never failing on them,
    so `read` must be cheap and must not need a request.
    """
    read: Callable[[], object]
    help: str
    ready: bool = False
    label: str = "state"


@dataclass(frozen=True)
class MonthlyCount:
    """A figure of the site's monthly statistics (ejan/admin) that a feature's table holds.

    Rows are counted by the Japan-time month of `column` (a DateTime column of the feature's model), in one
    grouped query; `cumulative` adds the months up (members, communities). Two features may declare the same
    `name` (diary and topic comments are both "comments"): the statistics add them together.
    """
    name: str
    label: object  # lazy gettext
    column: object
    cumulative: bool = False
    order: int = 50


@dataclass(frozen=True)
class MapLayer:
    """A layer a feature adds to the city map (ejan/maps) without the map knowing the feature.

    `endpoint` names a view answering GeoJSON for `?bbox=min_lon,min_lat,max_lon,max_lat` (the
    format of /api/pins.geojson: a FeatureCollection whose features' properties carry `id`, `title`,
    `url`, and optionally `badge`, a short mark shown with the title, and `muted`, drawn in
    `muted_colour`). It must keep to the bounding box, answer only what the viewer may see and stay
    bounded (a limit, a fixed number of statements). `shown()` says whether the layer is on the map
    now; it runs on every map page, so it must be cheap (a cached value, not a scan).
    `colour` and `icon` are an awesome-markers colour name and a Font Awesome 4 icon name (as in
    ejan/maps/categories.py).
    """
    label: object  # lazy gettext, or a function giving the text now: the layer control's name for it
    endpoint: str
    colour: str = "red"
    icon: str = "exclamation-circle"
    muted_colour: str = "lightgray"
    shown: Callable[[], bool] = lambda: True

    def label_now(self) -> str:
        return str(self.label() if callable(self.label) else self.label)


@dataclass(frozen=True)
class Feature:
    name: str
    blueprints: tuple[Blueprint, ...] = ()
    tasks: tuple[str, ...] = ()  # modules defining Celery tasks: a worker must import them all
    receivers: tuple[str, ...] = ()  # modules whose import connects signal receivers
    nav: tuple[NavLink, ...] = ()
    # Notification kind -> wording (lazy gettext; %(who)s is the actor, %(subject)s the thing's title), or an
    # ejan.notify.kinds.Kind when the kind is chatty (daily digest), or reaches keitai mail by default.
    notifications: Mapping[str, object] = field(default_factory=dict)
    # Kinds of things residents can report (通報): kind -> reports.targets.TsuhoKind.
    tsuho_targets: Mapping[str, object] = field(default_factory=dict)
    # Operational facts for /metrics and /readyz (ejan/ops): name -> Fact.
    facts: Mapping[str, Fact] = field(default_factory=dict)
    # Links on the admin menu (/admin) to the feature's own admin pages.
    admin_links: tuple[NavLink, ...] = ()
    # Figures for the monthly statistics (/admin/stats).
    monthly: tuple[MonthlyCount, ...] = ()
    # Layers for the city map (ejan/maps): name -> MapLayer.
    map_layers: Mapping[str, MapLayer] = field(default_factory=dict)
    setup: Callable[[Flask], None] | None = None  # anything else the feature must hook into the app


def load(app: Flask) -> list[Feature]:
    """Import each configured feature's `feature` object; nothing is registered yet."""
    return [import_module(f"{package}.feature").feature for package in app.config["EJAN_FEATURES"]]


def install(app: Flask, features: list[Feature]) -> None:
    """Register what every feature brings, in the configured order."""
    from . import navigation

    for feature in features:
        for blueprint in feature.blueprints:
            app.register_blueprint(blueprint)
        for module in feature.receivers:
            import_module(module)
        if feature.setup:
            feature.setup(app)
    kinds = _merged(features, "notifications")
    app.extensions["ejan.features"] = features
    app.extensions["ejan.notification_wording"] = kinds
    app.extensions["ejan.tsuho_targets"] = _merged(features, "tsuho_targets")
    app.extensions["ejan.facts"] = _merged(features, "facts")
    app.extensions["ejan.admin_links"] = sorted((link for feature in features for link in feature.admin_links),
                                                key=lambda link: link.order)
    app.extensions["ejan.monthly"] = [count for feature in features for count in feature.monthly]
    app.extensions["ejan.map_layers"] = _merged(features, "map_layers")
    navigation.init_app(app, [link for feature in features for link in feature.nav])


def _merged(features: list[Feature], attribute: str) -> dict:
    """One mapping from what every feature declares; two features claiming one key stop the app."""
    merged: dict = {}
    for feature in features:
        declared = getattr(feature, attribute)
        clash = merged.keys() & declared.keys()
        if clash:
            raise ValueError(f"{attribute} {sorted(clash)} declared by two features")
        merged.update(declared)
    return merged


def task_modules(features: list[Feature]) -> tuple[str, ...]:
    return tuple(module for feature in features for module in feature.tasks)
