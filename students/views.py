from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import Scope
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.views import render_list

from .filtersets import StudentFilterSet
from .selectors import student_get, student_list


@login_required
def student_list_view(request):
    return render_list(request, scope=Scope.for_user(request.user), selector=student_list, filterset_class=StudentFilterSet,
                       template="students/student_list.html")


@login_required
def student_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    # Audit (the audit app hears it): a full ID number shown, when this scope shows it in full.
    id_numbers_shown.send(sender=type(student), request=request, scope=scope, records=[student])
    return render(request, "students/student_detail.html", {"student": student, "scope": scope})
