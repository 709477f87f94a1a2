"""The map: the Folium page for PCs and smartphones, lists for keitai, GeoJSON for the map and other systems."""
from __future__ import annotations

import math
import secrets
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required

from ..clock import from_jst_fields, jst_fields
from ..communities import directory, events
from ..dbutil import as_id
from ..errors import Forbidden, Invalid
from ..forms import ConfirmForm
from ..geo.bbox import parse_bbox
from ..geo.position import carrier_position, distance_m
from ..images import send_image
from ..members.models import DISTRICTS
from ..mobile import is_lite, per_page, render
from ..request_size import takes_uploads
from ..urls import page_number
from . import folium_page, services, tiles
from .categories import CATEGORIES, CATEGORY_CODES, SHELTER_STATUSES, category_label, shelter_status_label
from .forms import PinForm, ShelterStatusForm

bp = Blueprint("maps", __name__)

GEOJSON_PER_PAGE = 500
GEOJSON_PER_PAGE_MAX = 1000


# --- query parameters ----------------------------------------------------------------------------

def _categories() -> tuple[str, ...]:
    """?category=facility,hazard or ?category=facility&category=hazard; unknown names are dropped."""
    asked = [c for value in request.args.getlist("category") for c in value.split(",") if c]
    return tuple(code for code in CATEGORY_CODES if code in asked)


def _period() -> str:
    return services.ALL_PERIODS if request.args.get("period") == services.ALL_PERIODS else services.CURRENT


def _bbox() -> tuple[float, float, float, float] | None:
    return parse_bbox(request.args.get("bbox"))


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip().replace("，", ".").replace("．", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --- the map page ----------------------------------------------------------------------------------

@bp.get("/map")
@login_required
def index():
    categories, period = _categories(), _period()
    if not is_lite():
        frame = url_for("maps.frame", category=",".join(categories) or None,
                        period=period if period != services.CURRENT else None)
        return render("maps/index.html", frame=frame, categories=categories, period=period,
                      all_categories=CATEGORIES)
    # Keitai: a list, nearest first when the phone sent its position or a district was chosen.
    district = request.args.get("district") if request.args.get("district") in DISTRICTS else None
    near = carrier_position(request.args)
    where = services.PinFilter(categories=categories, period=period, district=district)
    page = services.pin_list(current_user, where, page_number(), per_page(), near=near)
    distances = {pin.id: distance_m(near[0], near[1], pin.lat, pin.lon) for pin in page.items} if near else {}
    return render("maps/list.html", page=page, categories=categories, period=period, district=district,
                  near=near, distances=distances, all_categories=CATEGORIES, districts=DISTRICTS,
                  position_link=_position_link(), category_label=category_label)


def _position_link() -> str | None:
    """Where this phone's "現在地から探す" link goes: each carrier answers to our URL in its own format."""
    device = request.device
    back = url_for("maps.index", _external=True)
    if device.carrier == "au":
        return f"device:gpsone?url={back}&ver=1&datum=0&unit=0&acry=0&number=0"
    if device.carrier == "softbank":
        return f"location:auto?url={back}"
    if device.carrier == "docomo":
        return back  # with the `lcs` attribute in the template: the phone adds lat, lon and geo
    return None


class _FramePolicy:
    """The map frame's CSP, read per request: tiles from the host the settings name, Folium's inline
    styles under the nonce, and framing by our own pages only."""

    def __bool__(self) -> bool:
        return True

    def items(self):
        policy = dict(current_app.config["EJAN_CSP"])
        source = tiles.tile_source()
        if source:
            policy["img-src"] = f"{policy.get('img-src', '')} {source}".strip()
        policy["frame-ancestors"] = "'self'"
        return policy.items()


@bp.get("/map/frame")
@login_required
def frame():
    place = request.args.get("place") == "1"
    lat, lon = _number(request.args.get("lat")), _number(request.args.get("lon"))
    marker = ((lat, lon) if place and lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
              else None)
    document = _document(str(get_locale()), _categories(), _period(), place, marker, tiles.tiles_url(),
                         tiles.attribution(), url_for("maps.geojson"), () if place else _shown_layers())
    nonce = getattr(request, "csp_nonce", "")
    response = current_app.response_class(folium_page.with_nonce(document, nonce), mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    return response


frame.talisman_view_options = {  # read by Flask-Talisman (ejan/security.py) for this view only
    "frame_options": "SAMEORIGIN",
    "content_security_policy": _FramePolicy(),
    "content_security_policy_nonce_in": ["script-src", "style-src"],
}


def _shown_layers() -> tuple[tuple[str, str], ...]:
    """(name, label) of the layers other features put on the map now (ejan.features.MapLayer; e.g.
    disaster mode's reports while an event is on, marked 訓練 in a drill). The map imports none of them:
    it reads what they declared. The label is part of the document's cache key, as it can change."""
    declared = current_app.extensions.get("ejan.map_layers", {})
    return tuple((name, layer.label_now()) for name, layer in declared.items() if layer.shown())


@lru_cache(maxsize=64)
def _document(locale: str, categories, period, place, marker, tiles_url, attribution, geojson_url,
              shown_layers: tuple[tuple[str, str], ...] = ()) -> str:
    """Folium's document for these options (the language is part of the key: layer names are words).

    Cached: the document never holds a pin, so it changes only with the options."""
    declared = current_app.extensions.get("ejan.map_layers", {})
    layers = tuple((name, label, url_for(declared[name].endpoint), declared[name].colour,
                    declared[name].icon, declared[name].muted_colour) for name, label in shown_layers)
    options = folium_page.MapOptions(geojson_url=geojson_url, tiles_url=tiles_url, attribution=attribution,
                                     categories=categories, period=period, place=place, marker=marker,
                                     layers=layers)
    labels = {"base": _("地図"), "hidden": _("（非表示中）")}
    return folium_page.build(options, lambda path: url_for("static", filename=path), labels)


# --- GeoJSON ---------------------------------------------------------------------------------------

@bp.get("/api/pins.geojson")
def geojson():
    if not current_user.is_authenticated:
        return _json_error(_("ログインしてください。"), 401)
    try:
        bbox = _bbox()
    except Invalid as error:
        return _json_error(error.message, 400)
    size = min(GEOJSON_PER_PAGE_MAX, max(1, request.args.get("per_page", GEOJSON_PER_PAGE, type=int)))
    where = services.PinFilter(categories=_categories(), period=_period(), bbox=bbox)
    rows, next_after = services.pins_in(current_user, where, after=as_id(request.args.get("after")), per_page=size)
    links = []
    if next_after is not None:
        args = request.args.to_dict(flat=False)
        args["after"] = [str(next_after)]
        links.append({"rel": "next", "type": "application/geo+json", "href": url_for("maps.geojson", **args)})
    body = {"type": "FeatureCollection", "features": [_feature(row) for row in rows],
            "numberReturned": len(rows), "links": links}
    response = jsonify(body)
    response.mimetype = "application/geo+json"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _feature(row) -> dict:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": {"type": "Point", "coordinates": [round(row.lon, 6), round(row.lat, 6)]},
        "properties": {
            "id": row.id,
            "title": row.title,
            "category": row.category,
            "category_label": str(category_label(row.category)),
            "url": url_for("maps.show", pin_id=row.id),
            "starts_at": _iso(row.starts_at),
            "ends_at": _iso(row.ends_at),
            "shelter_status": row.shelter_status,
            "shelter_status_label": str(shelter_status_label(row.shelter_status)) or None,
            "hidden": row.hidden_at is not None,
        },
    }


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="minutes") + "Z" if moment else None


def _json_error(message: str, status: int):
    response = jsonify({"error": message})
    response.status_code = status
    return response


# --- one pin ----------------------------------------------------------------------------------------

@bp.get("/map/pins/<int:pin_id>")
@login_required
def show(pin_id: int):
    pin = services.get_pin(current_user, pin_id)
    return render("maps/show.html", pin=pin, actions=services.pin_actions(current_user, pin),
                  place_link=tiles.place_link(pin.lat, pin.lon), label=category_label(pin.category),
                  status_label=shelter_status_label(pin.shelter_status), confirm=ConfirmForm(),
                  status_form=ShelterStatusForm(status=pin.shelter_status or ""))


@bp.get("/map/pins/<int:pin_id>/photo/<variant>")
@login_required
def photo(pin_id: int, variant: str):
    return send_image(services.photo_of(current_user, pin_id), variant)


def _form(pin=None) -> PinForm:
    form = PinForm(obj=_as_typed(pin)) if pin is not None else PinForm()
    codes = [code for code in CATEGORY_CODES if services.may_add_category(current_user, code)
             or (pin is not None and pin.category == code)]
    communities = directory.my_communities(current_user, 1, 50).items
    upcoming = events.upcoming_for(current_user, 1, 50).items
    form.fill_choices(codes, communities, upcoming)
    if request.method == "GET" and pin is None:
        form.submit_token.data = secrets.token_urlsafe(16)
        form.lat.data, form.lon.data = request.args.get("lat", ""), request.args.get("lon", "")
        form.category.data = request.args.get("category") if request.args.get("category") in CATEGORIES else None
        form.event_id.data = request.args.get("event_id") or ""
    return form


def _as_typed(pin) -> SimpleNamespace:
    """A stored pin as its edit form shows it: numbers as text, times in Japan time."""
    return SimpleNamespace(
        title=pin.title, category=pin.category, description=pin.description, lat=f"{pin.lat:.6f}",
        lon=f"{pin.lon:.6f}", district=pin.district or "", community_id=str(pin.community_id or ""),
        event_id=str(pin.event_id or ""), starts_at=_local(pin.starts_at), ends_at=_local(pin.ends_at))


def _local(moment):
    """A stored time as the Japan time the form shows."""
    return datetime.combine(*jst_fields(moment)) if moment else None


def _utc(local):
    """A typed Japan time as stored; None for a moment the calendar cannot hold."""
    return from_jst_fields(local.date(), local.time()) if local else None


def _input(form: PinForm) -> services.PinInput:
    return services.PinInput(
        title=form.title.data or "", category=form.category.data or "", description=form.description.data or "",
        lat=_number(form.lat.data), lon=_number(form.lon.data), district=form.district.data or None,
        community_id=as_id(form.community_id.data), event_id=as_id(form.event_id.data),
        starts_at=_utc(form.starts_at.data), ends_at=_utc(form.ends_at.data))


def _upload(form: PinForm):
    return form.photo.data.stream if form.photo.data and getattr(form.photo.data, "filename", "") else None


def _form_page(form: PinForm, pin=None, status: int = 200):
    frame = url_for("maps.frame", place="1", lat=form.lat.data or None, lon=form.lon.data or None)
    return render("maps/form.html", status=status, form=form, pin=pin, frame=frame)


@bp.route("/map/pins/new", methods=["GET", "POST"])
@login_required
@takes_uploads
def new():
    form = _form()
    if form.validate_on_submit(lambda: services.check_pin(current_user, _input(form))):
        try:
            pin = services.create_pin(current_user, _input(form), photo=_upload(form),
                                      submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("ピンを立てました。"))
            return redirect(url_for("maps.show", pin_id=pin.id))
    return _form_page(form, status=400 if request.method == "POST" else 200)


@bp.route("/map/pins/<int:pin_id>/edit", methods=["GET", "POST"])
@login_required
@takes_uploads
def edit(pin_id: int):
    try:
        pin = services.editable_pin(current_user, pin_id)
    except Forbidden:
        return redirect(url_for("maps.show", pin_id=pin_id))
    form = _form(pin)
    if form.validate_on_submit(lambda: services.check_pin(current_user, _input(form))):
        try:
            services.update_pin(current_user, pin.id, _input(form), photo=_upload(form),
                                remove_photo=form.remove_photo.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("ピンを更新しました。"))
            return redirect(url_for("maps.show", pin_id=pin.id))
    return _form_page(form, pin, status=400 if request.method == "POST" else 200)


@bp.route("/map/pins/<int:pin_id>/delete", methods=["GET", "POST"])
@login_required
def delete(pin_id: int):
    try:
        pin = services.editable_pin(current_user, pin_id)
    except Forbidden:
        return redirect(url_for("maps.show", pin_id=pin_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_pin(current_user, pin.id)
        flash(_("ピンを削除しました。"))
        return redirect(url_for("maps.index"))
    return render("maps/delete.html", pin=pin, form=form)


@bp.post("/map/pins/<int:pin_id>/hide")
@login_required
def hide(pin_id: int):
    return _set_hidden(pin_id, True)


@bp.post("/map/pins/<int:pin_id>/unhide")
@login_required
def unhide(pin_id: int):
    return _set_hidden(pin_id, False)


def _set_hidden(pin_id: int, hidden: bool):
    if ConfirmForm().validate_on_submit():
        services.set_hidden(current_user, pin_id, hidden)
        flash(_("ピンを非表示にしました。") if hidden else _("ピンを再び表示しました。"))
    return redirect(url_for("maps.show", pin_id=pin_id))


@bp.post("/map/pins/<int:pin_id>/shelter-status")
@login_required
def shelter_status(pin_id: int):
    pin = services.get_pin(current_user, pin_id)
    form = ShelterStatusForm()
    if form.validate_on_submit():
        status = form.status.data if form.status.data in SHELTER_STATUSES else None
        services.set_shelter_status(current_user, pin, status)
        flash(_("避難所の状況を更新しました。"))
    return redirect(url_for("maps.show", pin_id=pin.id))
