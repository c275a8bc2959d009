"""The tokens page: ministry users issue tokens to client systems and revoke them."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr
from edu_portal.common.views import list_page
from schools.selectors import scope_describe

from .forms import ApiProfileForm, ApiTokenForm
from .models import ApiProfile, ApiToken
from .services import api_profile_save, api_token_create, api_token_revoke


def _require_ministry(user) -> None:
    if not (user.role == Role.MINISTRY or user.is_superuser):
        raise PermissionDenied


def _rights(token, scope) -> str:
    rights = str(_("Đọc và ghi") if token.can_write else _("Chỉ đọc"))
    return rights + (", " + str(_("xem đầy đủ số định danh")) if token.can_view_id_numbers else "")


# The tokens (a few hundred at most): any column sorts. Exported without secrets (only their prefixes exist).
TOKEN_LIST = ListSpec(
    what=_l("Mã truy cập API"),
    columns=(
        Column(_l("Tên"), "name", ("name",), indexed=True, value=attr("name")),
        Column(_l("Tiền tố"), "prefix", ("key_prefix",), indexed=True, value=attr("key_prefix")),
        Column(_l("Người dùng"), "user", ("user__username",), indexed=True, value=attr("user.username")),
        Column(_l("Người cấp"), "issuer", ("created_by__username",), indexed=True, value=attr("created_by.username")),
        Column(_l("Phạm vi"), value=lambda token, scope: token.scope_in_words()),
        Column(_l("Quyền"), value=_rights),
        Column(_l("Hồ sơ truy cập"), "profile", ("profile__name",), indexed=True, value=attr("profile.name")),
        Column(_l("Tạo lúc"), "created", ("created_at",), indexed=True, value=attr("created_at")),
        Column(_l("Dùng lần cuối"), "used", ("last_used_at",), indexed=True, value=attr("last_used_at")),
        Column(_l("Trạng thái"), "revoked", ("revoked_at",), indexed=True, value=attr("revoked_at")),
        Column(""),
    ))


@login_required
def token_list_view(request):
    _require_ministry(request.user)
    new_secret = new_token = None
    profile_form = ApiProfileForm()
    if request.method == "POST" and "profile_name" in request.POST:
        form = ApiTokenForm(initial={"user": request.user.pk})
        profile_form = _profile_saved(request, ApiProfileForm(request.POST))
    elif request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # Capped at the issuer's own rights: whoever issues a token receives its secret.
                new_token, new_secret = api_token_create(user=data["user"], name=data["name"], scope=data["scope"],
                                                         can_write=data["can_write"],
                                                         can_view_id_numbers=data["can_view_id_numbers"],
                                                         created_by=request.user, profile=data.get("profile"))
            except AppError as exc:
                form.add_error(None, exc.message)
            else:
                form = ApiTokenForm(initial={"user": request.user.pk})
    else:
        form = ApiTokenForm(initial={"user": request.user.pk})
    tokens = ApiToken.objects.select_related("user", "province", "school", "created_by", "profile").order_by("-id")
    answer = list_page(request, queryset=tokens, spec=TOKEN_LIST, scope=Scope.for_user(request.user),
                       scope_name=scope_describe)
    if isinstance(answer, HttpResponseBase):
        return answer
    # The secret is rendered in this response only (never stored, never redirected with it).
    response = render(request, "api/token_list.html", {**answer, "form": form, "new_token": new_token,
                                                         "new_secret": new_secret,
                                                         "profiles": ApiProfile.objects.all(),
                                                         "profile_form": profile_form})
    response["Cache-Control"] = "no-store"
    return response


def _profile_saved(request, form: ApiProfileForm) -> ApiProfileForm:
    """A profile created or changed from the page: a fresh form when saved, the form and its errors when not."""
    if not form.is_valid():
        return form
    data = form.cleaned_data
    try:
        profile = api_profile_save(name=data["profile_name"], rules=data["rules"], description=data["description"])
    except AppError as exc:
        form.add_error("rules" if exc.code == "invalid_profile" else "profile_name", exc.message)
        return form
    messages.success(request, _("Đã lưu hồ sơ truy cập %(name)s.") % {"name": profile.name})
    return ApiProfileForm()


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    _require_ministry(request.user)
    token = get_object_or_404(ApiToken, pk=pk)
    api_token_revoke(token=token)
    messages.success(request, _("Đã thu hồi mã truy cập %(name)s.") % {"name": token.name})
    return redirect("api:tokens")
