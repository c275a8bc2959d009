"""Writes on sites, their facilities and the schools' equipment: keyword-only plain values, validated in full,
atomic, within the caller's scope (a school its own, a province its schools, the ministry all). The audit
trail records every write (triggers: facilities/migrations/0002)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope, full_clean_or_raise
from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue_on_commit
from schools.models import School

from .models import EquipmentHolding, EquipmentItem, Site, SiteFacilities, SiteKind, great_circle_km
from .selectors import equipment_items_for

SITE_EDITABLE = ("code", "name", "commune", "address", "latitude", "longitude", "distance_km")
FACILITIES_FIELDS = tuple(f.name for f in SiteFacilities._meta.fields
                          if f.name not in ("id", "site", "school", "school_year", "created_at", "updated_at"))
FIRST_YEAR = 2000  # the oldest school year a row may be recorded for


# Refusals the upload gives too (facilities/importers.py), in the same words.
def main_site_exists(name: str) -> str:
    return _("Trường đã có điểm trường chính (%(name)s).") % {"name": name}


def item_refused(code: str, *, known: bool) -> str:
    return (_("Thiết bị không thuộc danh mục của cấp học của trường.") if known
            else _("Không có thiết bị mã '%(c)s' trong danh mục.") % {"c": code})


def latest_school_year() -> int:
    """The latest school year a row may be recorded for: the next one (planned before it starts)."""
    return current_school_year() + 1


MAIN_SITE_FIRST = gettext_lazy("Hãy ghi điểm trường chính trước các điểm trường lẻ.")
INACTIVE_SITE = gettext_lazy("Điểm trường đã ngừng sử dụng: không ghi số liệu mới.")


def _in_scope_or_raise(scope: Scope, school: School) -> None:
    if not scope.contains_school(school):
        raise NotInScope()


def _figures_follow(school_id: int) -> None:
    """Once the write commits, the statistics of the school are recomputed, its standing under Thông tư
    13/2020 first (dashboards.refresh_schools calls facilities.standings): the dashboards follow every write."""
    enqueue_on_commit("dashboards.refresh_schools", [int(school_id)])


def _decimal_or_raise(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise AppError(_("Giá trị '%(v)s' không phải là số.") % {"v": value},
                       details={field: [_("Nhập một số (dấu thập phân là dấu phẩy hoặc dấu chấm).")]}) from None


def _main_site(school_id: int, *, lock: bool = False) -> Site | None:
    qs = Site.objects.filter(school_id=school_id, kind=SiteKind.MAIN)
    return (qs.select_for_update() if lock else qs).first()


def _distance_apply(site: Site, main: Site | None) -> None:
    """A satellite's distance to the main site: computed from the coordinates when both are known (what was
    typed gives way to it), else what was entered."""
    if site.kind == SiteKind.MAIN:
        site.distance_km = None
    elif main is not None and None not in (site.latitude, site.longitude, main.latitude, main.longitude):
        site.distance_km = great_circle_km(site.latitude, site.longitude, main.latitude, main.longitude)


def _satellites_distance_refresh(main: Site) -> None:
    """The main site moved (or got coordinates): its satellites with coordinates are measured again."""
    for satellite in Site.objects.select_for_update().filter(school_id=main.school_id, kind=SiteKind.SATELLITE,
                                                             latitude__isnull=False, longitude__isnull=False):
        before = satellite.distance_km
        _distance_apply(satellite, main)
        if satellite.distance_km != before:
            satellite.updated_at = timezone.now()
            full_clean_or_raise(satellite)
            satellite.save(update_fields=["distance_km", "updated_at"])


def _save_site(site: Site) -> Site:
    if Site.objects.filter(school_id=site.school_id, code=site.code).exclude(pk=site.pk).exists():
        raise AppError(_("Mã điểm trường '%(code)s' đã có ở trường này.") % {"code": site.code},
                       details={"code": [_("Mã đã có ở trường này.")]})
    full_clean_or_raise(site)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as exc:  # a concurrent writer took the code or the main site meanwhile
        raise AppError(_("Mã điểm trường đã có ở trường này, hoặc trường đã có điểm trường chính."),
                       details={"code": [_("Mã đã có ở trường này.")]}, status_code=409) from exc
    return site


@transaction.atomic
def site_create(*, scope: Scope, school: School, code: str, name: str, kind: str, commune: str, address: str = "",
                latitude=None, longitude=None, distance_km=None) -> Site:
    """A site of `school` (commune: the commune's code). The school's first site is its main site; there
    is exactly one."""
    _in_scope_or_raise(scope, school)
    School.objects.select_for_update().filter(pk=school.pk).first()  # one site creation per school at a time
    main = _main_site(school.pk, lock=True)
    if kind == SiteKind.MAIN and main is not None:
        raise AppError(main_site_exists(main.name),
                       details={"kind": [_("Trường đã có điểm trường chính.")]})
    if kind == SiteKind.SATELLITE and main is None:
        raise AppError(str(MAIN_SITE_FIRST),
                       details={"kind": [_("Trường chưa có điểm trường chính.")]})
    site = Site(school=school, code=(code or "").strip(), name=" ".join((name or "").split()), kind=kind,
                commune_id=(commune or "").strip() or None, address=" ".join((address or "").split()),
                latitude=_decimal_or_raise(latitude, "latitude"), longitude=_decimal_or_raise(longitude, "longitude"),
                distance_km=_decimal_or_raise(distance_km, "distance_km"))
    _distance_apply(site, main)
    _save_site(site)
    _figures_follow(school.pk)
    return site


@transaction.atomic
def site_update(*, scope: Scope, site: Site, **changes) -> Site:
    """Edit a site's code, name, place and distance. Its kind is not edited (one main site, always)."""
    unknown = set(changes) - set(SITE_EDITABLE)
    if unknown:
        raise AppError(_("Không thể sửa trường thông tin: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    site = Site.objects.select_for_update().select_related("school").get(pk=site.pk)
    _in_scope_or_raise(scope, site.school)
    for key, value in changes.items():
        if key in ("latitude", "longitude", "distance_km"):
            value = _decimal_or_raise(value, key)
        elif key == "commune":
            key, value = "commune_id", (value or "").strip() or None
        else:
            value = " ".join((value or "").split())
        setattr(site, key, value)
    _distance_apply(site, None if site.kind == SiteKind.MAIN else _main_site(site.school_id))
    site.updated_at = timezone.now()
    _save_site(site)
    if site.kind == SiteKind.MAIN:
        _satellites_distance_refresh(site)
    _figures_follow(site.school_id)
    return site


@transaction.atomic
def site_deactivate(*, scope: Scope, site: Site) -> Site:
    """A satellite no longer used (merged into another, closed): kept with its years, no longer counted."""
    site = Site.objects.select_for_update().select_related("school").get(pk=site.pk)
    _in_scope_or_raise(scope, site.school)
    if site.kind == SiteKind.MAIN:
        raise AppError(_("Không thể ngừng sử dụng điểm trường chính."), code="main_site", status_code=409)
    if site.active:
        site.active = False
        site.updated_at = timezone.now()
        site.save(update_fields=["active", "updated_at"])
        _figures_follow(site.school_id)
    return site


def _school_year_or_raise(school_year) -> int:
    try:
        year = int(school_year)
    except (TypeError, ValueError):
        year = 0
    latest = latest_school_year()
    if not FIRST_YEAR <= year <= latest:
        raise AppError(_("Năm học phải từ %(first)s đến %(last)s.") % {"first": FIRST_YEAR, "last": latest},
                       details={"school_year": [_("Năm học không hợp lệ.")]})
    return year


@transaction.atomic
def site_facilities_save(*, scope: Scope, site: Site, school_year: int, **values) -> SiteFacilities:
    """The site's facilities of a school year, created or replaced as a whole (fields not given keep their
    defaults on a new row and their value on an existing one)."""
    unknown = set(values) - set(FACILITIES_FIELDS)
    if unknown:
        raise AppError(_("Không có trường thông tin: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    site = Site.objects.select_related("school").get(pk=site.pk)
    _in_scope_or_raise(scope, site.school)
    if not site.active:
        raise AppError(str(INACTIVE_SITE), code="inactive_site",
                       status_code=409)
    year = _school_year_or_raise(school_year)
    row = (SiteFacilities.objects.select_for_update().filter(site=site, school_year=year).first()
           or SiteFacilities(site=site, school_id=site.school_id, school_year=year))
    for key, value in values.items():
        setattr(row, key, None if value == "" else value)
    row.updated_at = timezone.now()
    full_clean_or_raise(row)
    row.save()
    _figures_follow(site.school_id)
    return row


@transaction.atomic
def equipment_holdings_save(*, scope: Scope, school: School, school_year: int, holdings: list[dict]) -> int:
    """A school's equipment of a school year, as a list of {"item": catalogue code, "quantity": n,
    "working": n}: all rows are checked first and written together (upsert by item), or none. Items not in
    the list keep what they had. Returns the number of rows written."""
    _in_scope_or_raise(scope, school)
    year = _school_year_or_raise(school_year)
    items = {item.code: item for item in equipment_items_for(school=school)}
    errors: dict[str, dict[str, list[str]]] = {}
    rows: dict[int, EquipmentHolding] = {}
    now = timezone.now()
    for entry in holdings:
        code = str(entry.get("item", "")).strip()
        item = items.get(code)
        if item is None:
            known = EquipmentItem.objects.filter(code=code).exists()
            errors[code or "?"] = {"item": [item_refused(code, known=known)]}
            continue
        row = EquipmentHolding(school=school, school_year=year, item=item, updated_at=now,
                               quantity=_count(entry.get("quantity"), errors, code, "quantity"),
                               working=_count(entry.get("working"), errors, code, "working"))
        if code in errors:
            continue
        try:
            full_clean_or_raise(row, exclude=["school", "item"])
        except AppError as exc:
            errors[code] = exc.details
            continue
        if item.pk in rows:
            errors[code] = {"item": [_("Thiết bị được ghi hai lần.")]}
        rows[item.pk] = row
    if errors:
        first_code, first = next(iter(errors.items()))
        first_message = next(iter(first.values()))[0]
        raise AppError(_("%(n)s thiết bị có lỗi, chưa ghi dòng nào. %(code)s: %(msg)s") % {
            "n": len(errors), "code": first_code, "msg": first_message}, details=errors)
    EquipmentHolding.objects.bulk_create(
        rows.values(), update_conflicts=True, unique_fields=["school", "school_year", "item"],
        update_fields=["quantity", "working", "updated_at"])
    _figures_follow(school.pk)
    return len(rows)


def _count(value, errors: dict, code: str, field: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.setdefault(code, {})[field] = [_("Nhập một số nguyên.")]
        return 0
    if number < 0:
        errors.setdefault(code, {})[field] = [_("Không được là số âm.")]
    return number
