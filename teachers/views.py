from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import Scope
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.views import render_list

from .filtersets import StaffFilterSet
from .selectors import staff_get, staff_list


@login_required
def staff_list_view(request):
    return render_list(request, scope=Scope.for_user(request.user), selector=staff_list, filterset_class=StaffFilterSet,
                       template="teachers/staff_list.html")


@login_required
def staff_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    staff = staff_get(scope=scope, pk=pk)
    # Audit (the audit app hears it): a full ID number shown, when this scope shows it in full.
    id_numbers_shown.send(sender=type(staff), request=request, scope=scope, records=[staff])
    return render(request, "teachers/staff_detail.html", {"staff": staff, "scope": scope})
