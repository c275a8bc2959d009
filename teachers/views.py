from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import Scope
from audit.services import id_numbers_shown
from edu_portal.common.views import render_list

from .filtersets import StaffFilterSet
from .selectors import staff_get, staff_list


@login_required
def staff_list_view(request):
    return render_list(request, selector=staff_list, filterset_class=StaffFilterSet,
                       template="teachers/staff_list.html")


@login_required
def staff_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    staff = staff_get(scope=scope, pk=pk)
    id_numbers_shown(request=request, scope=scope, records=[staff])  # audit: full ID number shown
    return render(request, "teachers/staff_detail.html", {"staff": staff, "scope": scope})
