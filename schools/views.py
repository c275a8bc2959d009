from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import Scope
from edu_portal.common.views import render_list

from .filtersets import SchoolFilterSet
from .selectors import school_counts, school_get, school_list


@login_required
def school_list_view(request):
    return render_list(request, scope=Scope.for_user(request.user), selector=school_list, filterset_class=SchoolFilterSet,
                       template="schools/school_list.html")


@login_required
def school_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    school = school_get(scope=scope, pk=pk)
    return render(request, "schools/school_detail.html",
                  {"school": school, "counts": school_counts(school=school), "scope": scope})
