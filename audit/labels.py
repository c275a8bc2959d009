"""Words the trail's pages use for what the trail stores as names: tasks, and the few columns whose
field has no label of its own. Field labels are otherwise the models' verbose names, translated at
render time (audit.describe.label_text); the ones no page shows elsewhere are listed at the end so
that makemessages finds them."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

# One record's kind, singular ("Học sinh Nguyễn Văn A" is "Pupil Nguyễn Văn A"; the menu's "Học sinh" is
# "Pupils"): the models' verbose names, with a context of their own for English.
KIND_LABELS = {
    "students.student": pgettext_lazy("record kind", "Học sinh"),
    "teachers.staffmember": pgettext_lazy("record kind", "Cán bộ, giáo viên"),
    "schools.school": pgettext_lazy("record kind", "Trường"),
    "students.enrollment": pgettext_lazy("record kind", "Ghi danh"),
    "students.academicresult": pgettext_lazy("record kind", "Kết quả học tập"),
    "students.physicalrecord": pgettext_lazy("record kind", "Thể lực"),
    "students.transferrequest": pgettext_lazy("record kind", "Đề nghị chuyển trường"),
    "accounts.user": pgettext_lazy("record kind", "Người dùng"),
    "facilities.site": pgettext_lazy("record kind", "Điểm trường"),
    "facilities.sitefacilities": pgettext_lazy("record kind", "Cơ sở vật chất điểm trường"),
    "facilities.equipmentholding": pgettext_lazy("record kind", "Thiết bị hiện có"),
    "teachers.staffposting": pgettext_lazy("record kind", "Quá trình công tác"),
    "teachers.staffreassignment": pgettext_lazy("record kind", "Đề nghị điều chuyển công tác"),
    "facilities.equipmentitem": pgettext_lazy("record kind", "Thiết bị trong danh mục tối thiểu"),
}

# Columns named in the trail whose field carries no Vietnamese label (or that several models share).
FIELD_LABELS = {
    "student_id": KIND_LABELS["students.student"],
    "school_id": KIND_LABELS["schools.school"],
    "staff_id": KIND_LABELS["teachers.staffmember"],
    "reason": _("Lý do"),
    "kind": _("Loại hồ sơ"),
    "code": _("Mã"),
    "record_id": _("Mã hồ sơ (id)"),
}

# A task by what it does for people ("#123" follows when the task names its subject: the upload,
# the verification run; audit.celery_signals). A key ending in "." covers every task of that app.
TASK_WORDS = {
    "uploads.tasks.upload_commit_task": _("Tải lên"),
    "uploads.tasks.upload_validate_task": _("Kiểm tra tệp tải lên"),
    "uploads.expire_work_files": _("Dọn tệp tải lên cũ"),
    "uploads.bulk_run": _("Ghi hàng loạt qua API"),
    "verification.tasks.verify_records": _("Xác thực theo lô"),
    "verification.identities_verify": _("Gửi xác thực hồ sơ mới sửa"),
    "verification.tasks.run_plan_task": _("Đợt xác thực"),
    "verification.tasks.verification_sweep": _("Xác thực định kỳ"),
    "verification.tasks.enrichment_push": _("Gửi dữ liệu giáo dục sang CSDL dân cư"),
    "verification.population_fetch": _("Lấy thông tin từ CSDL dân cư"),
    "verification.": _("Xác thực định danh"),
    "students.year_end_commit": _("Xét lên lớp cuối năm"),
    "students.year_rollover": _("Chuyển năm học"),
    "students.year_rollover_part": _("Chuyển năm học"),
    "students.transfers_escalate": _("Chuyển đề nghị chuyển trường quá hạn lên Sở"),
    "students.duplicates_scan_": _("Tìm hồ sơ nghi trùng"),
    "students.": _("Tác vụ hồ sơ học sinh"),
    "dashboards.": _("Cập nhật số liệu thống kê"),
    "facilities.standings_refresh": _("Cập nhật mức đạt chuẩn cơ sở vật chất"),
    "reporting.": _("Báo cáo định kỳ"),
    "webhooks.": _("Webhook"),
}
# "students.duplicates_scan_" is a prefix too (students.duplicates_scan_pupils, ...): prefixes are keys that
# end in "." or "_"; the longest matching one wins.

# Verbose names of audited fields that no page shows elsewhere (capitalised as the trail shows them).
gettext_noop("Chứng chỉ bồi dưỡng nghiệp vụ sư phạm")
gettext_noop("Cập nhật lúc")
gettext_noop("Dự kiến (chờ trường xác nhận lớp)")
gettext_noop("Ghi chú lý do chưa có số định danh")
gettext_noop("Ghi danh")
gettext_noop("Lần kiểm tra cuối")
gettext_noop("Lỗi gần nhất")
gettext_noop("Mã giữ số định danh (0 = đã xác nhận)")
gettext_noop("Ngày bắt đầu")
gettext_noop("Người quyết định")
gettext_noop("Người đề nghị")
gettext_noop("Nơi sinh (tỉnh)")
gettext_noop("Sáp nhập vào")
gettext_noop("Số lần thử")
gettext_noop("Số lớp/nhóm lớp")
gettext_noop("Thời điểm chuyển lên Sở")
gettext_noop("Thời điểm quyết định")
gettext_noop("Thời điểm đề nghị")
gettext_noop("Trường sai lệch")
gettext_noop("Trạng thái xác thực")
gettext_noop("Tình trạng nhân viên")
gettext_noop("Vai trò")
gettext_noop("Xếp lớp tạm khi chuyển năm học (chưa xét lên lớp)")
gettext_noop("Điểm/ mức đánh giá môn học")
gettext_noop("Đạt chuẩn trình độ")
gettext_noop("Đề nghị chuyển trường")
gettext_noop("Băng thông internet (Mbps)")
gettext_noop("BMI theo tuổi (z)")
gettext_noop("Chiều cao theo tuổi (z)")
gettext_noop("Tình trạng chiều cao")
gettext_noop("Nhà vệ sinh học sinh nam đạt chuẩn vệ sinh")
gettext_noop("Nhà vệ sinh học sinh nữ đạt chuẩn vệ sinh")
gettext_noop("Phòng tin học")
gettext_noop("Số lượng dùng được")
gettext_noop("Số lượng hiện có")
gettext_noop("Thiết bị hiện có")
