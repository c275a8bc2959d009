"""The facilities pages of a school: its sites, each site's facilities of a school year (an htmx form that
updates in place), its equipment against the minimum lists and its standing under Thông tư 13/2020. A school
user reaches their own school's from the menu; a province or the ministry from a school of their scope."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from schools.selectors import school_for_entry, school_get

from .forms import SiteFacilitiesForm, SiteForm
from .selectors import (
    equipment_completeness,
    facilities_standard,
    school_facilities,
    site_facilities_of_year,
    site_get,
    sites_of_school,
)
from .services import (
    FIRST_YEAR,
    equipment_holdings_save,
    site_create,
    site_deactivate,
    site_facilities_save,
    site_update,
)

YEARS_SHOWN = 5  # the year picker: the next year, the current one and the ones before it


def _year(request) -> int:
    """The school year asked for (?year=, or the form's), else the current one; out of range: the current."""
    raw = request.POST.get("school_year") or request.GET.get("year")
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return current_school_year()
    return year if FIRST_YEAR <= year <= current_school_year() + 1 else current_school_year()


def _years() -> list[int]:
    latest = current_school_year()
    return list(range(latest, latest - YEARS_SHOWN, -1))


@login_required
def facilities_mine_view(request):
    """The menu's "Cơ sở vật chất": a school user's own school (others open a school's from its page)."""
    school = school_for_entry(scope=Scope.for_user(request.user), pk=None)
    return redirect("facilities:school", pk=school.pk)


@login_required
def school_facilities_view(request, pk: int):
    scope = Scope.for_user(request.user)
    school = school_get(scope=scope, pk=pk)
    year = _year(request)
    sites = list(sites_of_school(scope=scope, school=school))
    rows = site_facilities_of_year(scope=scope, school=school, school_year=year)
    site_forms = [(site, SiteFacilitiesForm(row=rows.get(site.pk), prefix=f"site{site.pk}"), rows.get(site.pk))
                  for site in sites]
    return render(request, "facilities/school_facilities.html", {
        "school": school, "scope": scope, "year": year, "years": _years(), "site_forms": site_forms,
        "totals": school_facilities(scope=scope, school=school, school_year=year),
        "standard": facilities_standard(scope=scope, school=school, school_year=year),
        "equipment": equipment_completeness(scope=scope, school=school, school_year=year)})


@login_required
def site_new_view(request, pk: int):
    scope = Scope.for_user(request.user)
    school = school_get(scope=scope, pk=pk)
    form = SiteForm(request.POST or None, school=school,
                    initial={"kind": "satellite" if sites_of_school(scope=scope, school=school).exists() else "main",
                             "commune": school.commune_id})
    if request.method == "POST" and form.is_valid():
        try:
            site = site_create(scope=scope, school=school, **form.service_kwargs)
        except NotInScope:
            raise
        except AppError as exc:
            form.add_app_error(exc)
        else:
            messages.success(request, _("Đã thêm điểm trường %(name)s.") % {"name": site.name})
            return redirect("facilities:school", pk=school.pk)
    return render(request, "facilities/site_form.html", {"form": form, "school": school, "scope": scope})


@login_required
def site_edit_view(request, pk: int):
    scope = Scope.for_user(request.user)
    site = site_get(scope=scope, pk=pk)
    initial = {f: getattr(site, f) for f in ("code", "name", "address", "latitude", "longitude", "distance_km")}
    form = SiteForm(request.POST or None, school=site.school, site=site, initial={**initial, "commune": site.commune_id})
    if request.method == "POST" and form.is_valid():
        try:
            site = site_update(scope=scope, site=site, **form.service_kwargs)
        except NotInScope:
            raise
        except AppError as exc:
            form.add_app_error(exc)
        else:
            messages.success(request, _("Đã lưu điểm trường %(name)s.") % {"name": site.name})
            return redirect("facilities:school", pk=site.school_id)
    return render(request, "facilities/site_form.html", {"form": form, "school": site.school, "site": site,
                                                         "scope": scope})


@login_required
@require_POST
def site_deactivate_view(request, pk: int):
    scope = Scope.for_user(request.user)
    site = site_get(scope=scope, pk=pk)
    try:
        site_deactivate(scope=scope, site=site)
    except NotInScope:
        raise
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Điểm trường %(name)s đã ngừng sử dụng.") % {"name": site.name})
    return redirect("facilities:school", pk=site.school_id)


@login_required
def site_facilities_view(request, pk: int):
    """One site's facilities of a year. With htmx (the school's page) the form answers in place, errors next to
    the fields; without it, a POST redirects back to the school's page."""
    scope = Scope.for_user(request.user)
    site = site_get(scope=scope, pk=pk)
    year = _year(request)
    row = site_facilities_of_year(scope=scope, school=site.school, school_year=year).get(site.pk)
    prefix = f"site{site.pk}"
    form = SiteFacilitiesForm(request.POST or None, row=row, prefix=prefix)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            row = site_facilities_save(scope=scope, site=site, school_year=year, **form.service_kwargs)
        except NotInScope:
            raise
        except AppError as exc:
            form.add_app_error(exc)
        else:
            saved = True
            if not request.htmx:
                messages.success(request, _("Đã lưu cơ sở vật chất của %(name)s.") % {"name": site.name})
                return redirect(f"{_school_url(site.school_id)}?year={year}")
            form = SiteFacilitiesForm(row=row, prefix=prefix)
    template = "facilities/_site_facilities_form.html" if request.htmx else "facilities/site_facilities.html"
    # Saved in place: the school's standing at the top of the page is sent again (out of band), so that the
    # clerk sees at once what the figures just entered change.
    standard = (facilities_standard(scope=scope, school=site.school, school_year=year)
                if saved and request.htmx else None)
    # A refused form is answered 200 too: htmx swaps only successful answers, and the errors are the content.
    return render(request, template, {"site": site, "form": form, "row": row, "year": year, "saved": saved,
                                      "scope": scope, "school": site.school, "standard_oob": standard})


def _school_url(pk: int) -> str:
    return reverse("facilities:school", kwargs={"pk": pk})


@login_required
@require_POST
def equipment_save_view(request, pk: int):
    """The equipment list of a year: every item's quantity and working quantity, written together or not at
    all."""
    scope = Scope.for_user(request.user)
    school = school_get(scope=scope, pk=pk)
    year = _year(request)
    codes = [key[len("quantity-"):] for key in request.POST if key.startswith("quantity-")]
    holdings = [{"item": code, "quantity": request.POST.get(f"quantity-{code}", ""),
                 "working": request.POST.get(f"working-{code}", "")} for code in codes]
    try:
        written = equipment_holdings_save(scope=scope, school=school, school_year=year, holdings=holdings)
    except NotInScope:
        raise
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã lưu %(n)s dòng thiết bị.") % {"n": written})
    return redirect(f"{_school_url(school.pk)}?year={year}#equipment")
