from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _l

from accounts.scope import Scope
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.views import render_list

from .filtersets import SchoolFilterSet
from .selectors import place_pickers, school_counts, school_get, school_list, school_search, scope_describe

# The school list's columns. 54,000 schools at most (a province's ~1,600): any column sorts on any list.
SCHOOL_LIST = ListSpec(
    what=_l("Trường học"),
    columns=(
        Column(_l("Mã trường"), "code", ("code",), indexed=True, unique=True, value=attr("code")),
        Column(_l("Tên trường"), "name", ("name",), indexed=True, value=attr("name")),
        Column(_l("Cấp học"), "level", ("level",), indexed=True, value=display("level")),
        Column(_l("Loại hình"), "ownership", ("ownership",), indexed=True, value=display("ownership")),
        Column(_l("Tỉnh/thành phố"), "province", ("province__name",), indexed=True, value=attr("province.name")),
        Column(_l("Xã/phường"), "commune", ("commune__name",), indexed=True, value=attr("commune.name")),
        Column(_l("Trạng thái"), "status", ("status",), indexed=True, value=display("status")),
        Column(_l("Kết nối"), value=attr("is_connected")),
    ))


def _list_filterset(scope: Scope, data):
    """The one SchoolFilterSet, its province and commune shown as pickers by name (no codes typed)."""
    filterset = SchoolFilterSet(data)
    choices = place_pickers(scope=scope, province=data.get("province", ""), commune=data.get("commune", ""))
    choices.pop("school", None)
    filterset.use_pickers(choices)
    return filterset


@login_required
def school_list_view(request):
    scope = Scope.for_user(request.user)
    return render_list(request, scope=scope, selector=school_list, template="schools/school_list.html",
                       filterset_class=lambda data: _list_filterset(scope, data), spec=SCHOOL_LIST,
                       scope_name=scope_describe)


@login_required
def school_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    school = school_get(scope=scope, pk=pk)
    return render(request, "schools/school_detail.html",
                  {"school": school, "counts": school_counts(school=school), "scope": scope})


@login_required
def school_pick_view(request):
    """The school picker's search (static/js/pickers.js): {"results": [{"id", "name", "code", "commune"}]}, the
    scope's schools only. Bad filters (an unknown province...) find nothing rather than fail."""
    scope = Scope.for_user(request.user)
    filterset = SchoolFilterSet({k: request.GET.get(k, "") for k in ("q", "province", "commune")})
    if not filterset.is_valid():
        return JsonResponse({"results": []})
    results = school_search(scope=scope, q=request.GET.get("q", ""), province=request.GET.get("province", ""),
                            commune=request.GET.get("commune", ""))
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
