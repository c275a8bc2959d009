from django.contrib import admin
from django.db import transaction

from accounts.scope import Scope
from edu_portal.common.admin import ADMIN_DELETE_REASON, IdNumberAdminMixin

from .models import AcademicResult, Enrollment, PhysicalRecord, Student
from .services import student_delete


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    raw_id_fields = ("school",)
    extra = 0


@admin.register(Student)
class StudentAdmin(IdNumberAdminMixin, admin.ModelAdmin):
    """ID numbers: masked, unsearchable and out of the form without the right; audited with it."""

    list_display = ("pupil_code", "full_name", "date_of_birth", "gender", "school", "verification_status")
    list_filter = ("gender", "verification_status")
    search_fields = ("=pupil_code", "full_name")  # + "=id_number" for users with the right (the mixin)
    raw_id_fields = ("school", "birth_province")
    list_select_related = ("school",)
    inlines = [EnrollmentInline]
    # Counting 24 million rows for every admin page would take seconds.
    show_full_result_count = False

    # Deletes go through the service, as the API's do: it checks the user's scope and writes the
    # tombstone that tells clients syncing with `updated_since` (the deleted/ feed); a plain delete
    # would leave them holding a record that no longer exists. Admin's confirmation page asks for no
    # reason: the deletion is named as made here (the audit trail has who).
    def delete_model(self, request, obj):
        student_delete(scope=Scope.for_user(request.user), student=obj, reason=ADMIN_DELETE_REASON)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        scope = Scope.for_user(request.user)
        for record in queryset.select_related("school"):
            student_delete(scope=scope, student=record, reason=ADMIN_DELETE_REASON)


@admin.register(AcademicResult)
class AcademicResultAdmin(admin.ModelAdmin):
    list_display = ("student", "school_year", "term", "learning_rating", "conduct_rating")
    list_filter = ("school_year", "term", "learning_rating", "conduct_rating")
    search_fields = ("=student__pupil_code",)
    raw_id_fields = ("student", "school")
    show_full_result_count = False


@admin.register(PhysicalRecord)
class PhysicalRecordAdmin(admin.ModelAdmin):
    list_display = ("student", "measured_on", "height_cm", "weight_kg", "bmi", "nutrition_status")
    list_filter = ("school_year", "nutrition_status")
    search_fields = ("=student__pupil_code",)
    raw_id_fields = ("student", "school")
    show_full_result_count = False
