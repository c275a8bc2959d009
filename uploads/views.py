"""Pages of uploads: thin doors onto uploads.services and uploads.selectors."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import COUNTRY, SCHOOL, Scope
from audit.models import Action, Door
from audit.services import id_numbers_viewed
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.views import render_list
from schools.models import School
from schools.selectors import place_pickers, scope_describe

from . import services
from .exports import XLSX_TYPE, template_csv, template_xlsx
from .filtersets import UploadFilterSet
from .forms import UploadForm
from .models import UploadKind
from .registry import importer_for, kinds_for
from .selectors import upload_file_get, upload_get, upload_list, upload_view


def _narrowed(scope, filters) -> bool:
    # A province's uploads (a few per school and year) sort by anything; the country's by time only.
    return scope.kind != COUNTRY or any(filters.get(k) for k in ("province", "commune", "school"))


UPLOAD_LIST = ListSpec(
    what=_l("Tải lên dữ liệu"), narrowed=_narrowed,
    columns=(
        Column(_l("Thời gian"), "time", ("created_at",), indexed=True, value=attr("created_at")),
        Column(_l("Loại"), "kind", ("kind",), value=display("kind")),
        Column(_l("Tệp"), "file", ("file_name",), value=attr("file_name")),
        Column(_l("Trường"), "school", ("school__name",), value=attr("school.name")),
        Column(_l("Người tải"), "user", ("uploaded_by__username",), value=attr("uploaded_by.username")),
        Column(_l("Dòng"), "rows", ("total_rows",), css="text-end", value=attr("total_rows")),
        Column(_l("Mới"), "new", ("new_count",), css="text-end", value=attr("new_count")),
        Column(_l("Thay đổi"), "changed", ("changed_count",), css="text-end", value=attr("changed_count")),
        Column(_l("Lỗi"), "errors", ("error_count",), css="text-end", value=attr("error_count")),
        Column(_l("Trạng thái"), "status", ("status",), value=display("status")),
    ))


def _list_filterset(scope, data):
    filterset = UploadFilterSet(data)
    filterset.use_pickers(place_pickers(scope=scope, province=data.get("province", ""),
                                        commune=data.get("commune", ""), school=data.get("school", "")),
                          search={"school": reverse("schools:pick")})
    return filterset


@login_required
def upload_list_view(request):
    scope = Scope.for_user(request.user)
    return render_list(request, scope=scope, selector=upload_list, template="uploads/upload_list.html",
                       filterset_class=lambda data: _list_filterset(scope, data), spec=UPLOAD_LIST,
                       scope_name=scope_describe)


@login_required
def upload_new_view(request):
    scope = Scope.for_user(request.user)
    kinds = kinds_for(scope)
    on_behalf = scope.kind != SCHOOL
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, on_behalf=on_behalf,
                      initial={"kind": request.GET.get("kind", "pupils")})
    if request.method == "POST" and form.is_valid():
        school = None
        code = form.cleaned_data.get("school_code", "").strip()
        if code:
            school = scope.filter(School.objects.all(), school_field="").filter(code=code).first()
        try:
            if on_behalf and code and school is None:
                raise AppError(gettext("Không có trường mã '%(code)s' trong phạm vi của bạn.") % {"code": code})
            upload = services.upload_create(user=request.user, kind=form.cleaned_data["kind"],
                                            file=form.cleaned_data["file"], school=school)
        except AppError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("uploads:detail", pk=upload.pk)
    templates = [(k, UploadKind(k).label) for k in kinds]
    return render(request, "uploads/upload_new.html",
                  {"form": form, "templates": templates, "limits": services.limits_text(), "scope": scope})


@login_required
def upload_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    upload = upload_view(scope=scope, user=request.user, pk=pk)
    importer = importer_for(upload.kind)
    return render(request, "uploads/upload_detail.html", {"upload": upload, "scope": scope, "importer": importer})


@login_required
def upload_status_view(request, pk: int):
    """The progress bar, polled by htmx; once the work is done the page reloads to show the preview."""
    upload = upload_get(scope=Scope.for_user(request.user), pk=pk)
    response = render(request, "uploads/_progress.html", {"upload": upload})
    if not upload.in_progress:
        response["HX-Refresh"] = "true"
    return response


def _upload_action(request, pk: int, service):
    """A button on the upload's page (confirm, cancel): a refusal the user can act on is shown
    there as a message; an upload out of scope stays a 404."""
    try:
        service(user=request.user, upload_id=pk)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    return redirect("uploads:detail", pk=pk)


@login_required
@require_POST
def upload_confirm_view(request, pk: int):
    return _upload_action(request, pk, services.upload_confirm)


@login_required
@require_POST
def upload_answer_view(request, pk: int):
    """The user's choice of each questioned date column's order; the file is checked again with it."""
    upload = upload_get(scope=Scope.for_user(request.user), pk=pk)
    answers = {q["column"]: request.POST.get(f"order_{q['column']}", "") for q in upload.questions}
    try:
        services.upload_answer(user=request.user, upload_id=pk, date_orders=answers)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    return redirect("uploads:detail", pk=pk)


def _file_response(request, upload, field, filename: str) -> FileResponse:
    """A file of an upload holds full ID numbers: the download is audited like a view of them,
    and never cached (selectors.upload_file_get decides who may have it)."""
    if not field or not field.storage.exists(field.name):
        raise Http404  # work files are deleted once the upload is committed, cancelled or expired
    id_numbers_viewed(user=request.user, model="uploads.upload", record_ids=[upload.pk],
                      door=Door.WEB, request_id=getattr(request, "request_id", ""), action=Action.EXPORT_ID)
    response = FileResponse(field.open("rb"), as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def upload_cancel_view(request, pk: int):
    return _upload_action(request, pk, services.upload_cancel)


@login_required
def upload_error_file_view(request, pk: int):
    upload = upload_file_get(scope=Scope.for_user(request.user), user=request.user, pk=pk)
    ext = upload.error_file.name.rsplit(".", 1)[-1] if upload.error_file else ""
    stem = upload.file_name.rsplit(".", 1)[0]
    return _file_response(request, upload, upload.error_file, f"{stem}_loi.{ext}")


@login_required
def upload_original_view(request, pk: int):
    upload = upload_file_get(scope=Scope.for_user(request.user), user=request.user, pk=pk)
    return _file_response(request, upload, upload.file, upload.file_name)


@login_required
def template_view(request, kind: str, fmt: str):
    if kind not in kinds_for(Scope.for_user(request.user)) or fmt not in ("csv", "xlsx"):
        raise Http404
    importer = importer_for(kind)
    if fmt == "csv":
        response = HttpResponse(template_csv(importer), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(template_xlsx(importer), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau_{kind}.{fmt}"'
    return response
