from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .scope import Scope
from .selectors import home_summary


@login_required
def home_view(request):
    scope = Scope.for_user(request.user)
    return render(request, "home.html", {"scope": scope, "summary": home_summary(scope=scope)})
