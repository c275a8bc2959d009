"""Term results typed by hand: the class sheet (sổ điểm lớp: one row per pupil of a class, one cell
per subject of the grade) and the one-pupil form and API use the same read and the same write.

Kept apart from services.py and selectors.py (which it follows in shape: `class_sheet_rows` reads,
`class_results_record` and `student_result_record` write) because the two halves share the row type and its messages.

The rules are the upload's, not copies of them: a cell is read by the upload's cell reader
(students.importers.results.parse_subject_scores, so "8,5", "Đạt", "HTT, 9" mean what they mean in
a file) and a row is rated by students.assessment.result_assess by the pupil's grade (Thông tư
22/2021, Thông tư 27/2020). All rows are validated before anything is written: one bad row and
nothing is saved (the sheet is one transaction), so a class is never half-recorded.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.scope import Scope
from edu_portal.common.api.importing import validate_like_upload
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.importing import parse_choice
from edu_portal.common.models import school_year_label
from edu_portal.common.names import vietnamese_order
from edu_portal.common.queue import enqueue_on_commit
from schools.models import School

from . import assessment
from .importers import PHYSICAL
from .importers.results import FORM, parse_subject_scores
from .models import OPEN_ENROLLMENT, AcademicResult, ConductRating, Enrollment, LearningRating, PhysicalRecord, Student
from .services import physical_record_add

# Cell keys in the details of a refusal: "subject_scores.Toán" (one cell), the others as the model's.
CELL = "subject_scores."


@dataclass
class ResultRow:
    """One pupil's term result as typed. `subject_scores`: subject name -> a cell as typed ("8,5",
    "Đạt", "HTT, 9") or a JSON value (8.5, {"rating": "Hoàn thành tốt", "test": 9}); blank cells are
    left out. `seen`: the stored result's updated_at the user saw ("" = none on file then; None = do
    not check, the API's last-writer-wins when the client sends no updated_at)."""

    pupil_code: str
    conduct_rating: str = ""
    learning_rating: str = ""
    subject_scores: dict = field(default_factory=dict)
    seen: str | None = None

    @property
    def blank(self) -> bool:
        return not (self.conduct_rating or self.learning_rating or self.subject_scores)


@dataclass
class SheetRow:
    student: Student
    enrollment: Enrollment
    result: AcademicResult | None


def class_sheet_rows(*, scope: Scope, school: School, grade: int, class_name: str, school_year: int,
                     term: int) -> list[SheetRow]:
    """The pupils of a class this year (not those transferred out: their results follow them), in
    Vietnamese name order, each with their result of the term. Two queries whatever the class size."""
    if not scope.contains_school(school):
        raise NotInScope()
    enrollments = list(_class_enrollments(school=school, grade=grade, class_name=class_name,
                                          school_year=school_year))
    results = {r.student_id: r for r in AcademicResult.objects.filter(
        student_id__in=[e.student_id for e in enrollments], school_year=school_year, term=term)}
    return [SheetRow(e.student, e, results.get(e.student_id)) for e in enrollments]


def school_classes(*, scope: Scope, school: School, school_year: int) -> list[dict]:
    """The school's classes this year with their head counts: the class sheet's picker."""
    if not scope.contains_school(school):
        raise NotInScope()
    return list(Enrollment.objects.filter(OPEN_ENROLLMENT, school=school, school_year=school_year, grade__gte=1)
                .values("grade", "class_name").order_by("grade", "class_name").annotate(pupils=Count("id")))


def _class_enrollments(*, school, grade, class_name, school_year):
    return (Enrollment.objects.filter(OPEN_ENROLLMENT, school=school, school_year=school_year, grade=grade,
                                      class_name__iexact=class_name.strip())
            .select_related("student")
            .order_by(*vietnamese_order("student__full_name"), "student_id"))


class RowsInvalid(AppError):
    """Some rows break the rules: `details` maps a pupil code to {field or "subject_scores.<name>":
    [messages]}; nothing was written."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]):
        first_code, first = next(iter(errors.items()))
        first_message = next(iter(first.values()))[0]
        super().__init__(_("Chưa lưu: %(n)s học sinh có kết quả không hợp lệ (đầu tiên: %(code)s — %(message)s). "
                           "Không có kết quả nào được lưu.")
                         % {"n": len(errors), "code": first_code, "message": first_message},
                         code="invalid_rows", details=errors)


def class_results_record(*, scope: Scope, school: School, grade: int, class_name: str, school_year: int,
                         term: int, rows: Iterable[ResultRow]) -> list[AcademicResult]:
    """The class sheet's save: every non-blank row of a class's pupils for one term, all or nothing."""
    if not scope.contains_school(school):
        raise NotInScope()
    enrollments = list(_class_enrollments(school=school, grade=grade, class_name=class_name,
                                          school_year=school_year))
    return _results_record(enrollments=enrollments, school_year=school_year, term=term, rows=rows)


def student_result_record(*, scope: Scope, student: Student, school_year: int, term: int,
                          row: ResultRow) -> AcademicResult:
    """One pupil's term result (the pupil's page and the API): the refusal's details are the row's own."""
    if not scope.contains_school(student.school):
        raise NotInScope()
    enrollment = (Enrollment.objects.filter(OPEN_ENROLLMENT, student=student, school_year=school_year)
                  .select_related("student").first())
    if enrollment is None:
        raise AppError(_("Học sinh không có ghi danh năm học %(year)s.") % {"year": school_year_label(school_year)},
                       code="no_enrollment", details={"school_year": [_("Không có ghi danh năm học này.")]})
    row.pupil_code = student.pupil_code
    try:
        written = _results_record(enrollments=[enrollment], school_year=school_year, term=term, rows=[row])
        # Nothing written: the same values were on file already.
        return written[0] if written else AcademicResult.objects.get(student=student, school_year=school_year,
                                                                     term=term)
    except RowsInvalid as exc:
        details = exc.details[student.pupil_code]
        code = "stale" if "updated_at" in details else "invalid"
        raise AppError(next(iter(details.values()))[0], code=code, details=details,
                       status_code=409 if code == "stale" else None) from None


@transaction.atomic
def _results_record(*, enrollments: list[Enrollment], school_year: int, term: int,
                   rows: Iterable[ResultRow]) -> list[AcademicResult]:
    """Record (or correct) the term results of these pupils (scope already checked) in one transaction: every row is checked
    first (the pupil is one of `enrollments`, the cells, the ratings by the pupil's grade, a result
    changed by someone else since it was shown); then new results are inserted and changed ones
    updated, each in one statement. Blank rows are skipped (a stored result is kept). Returns the
    results written (unchanged ones are not rewritten)."""
    if term not in (0, 1, 2):
        raise AppError(_("Học kỳ phải là 1, 2 hoặc 0 (cả năm)."), details={"term": [_("Không hợp lệ.")]})
    by_code = {e.student.pupil_code: e for e in enrollments}
    rows = [r for r in rows if not r.blank]
    errors: dict[str, dict[str, list[str]]] = {}
    wanted = []
    for row in rows:
        enrollment = by_code.get(row.pupil_code)
        if enrollment is None:
            errors.setdefault(row.pupil_code or "?", {}).setdefault("pupil_code", []).append(
                _("Không phải học sinh của lớp này trong năm học %(year)s.") % {"year": school_year_label(school_year)})
        elif any(w.pupil_code == row.pupil_code for w, _e in wanted):
            errors.setdefault(row.pupil_code, {}).setdefault("pupil_code", []).append(_("Học sinh có hai dòng."))
        else:
            wanted.append((row, enrollment))
    student_ids = [e.student_id for _r, e in wanted]
    # Locked until the commit: a result someone saves meanwhile waits, then meets the stale check.
    stored = {r.student_id: r for r in AcademicResult.objects.select_for_update().filter(
        student_id__in=student_ids, school_year=school_year, term=term)}
    terms: dict[tuple[int, int], dict] = {}
    if term == 0:
        terms = {(sid, t): scores for sid, t, scores in AcademicResult.objects.filter(
            student_id__in=student_ids, school_year=school_year, term__in=(1, 2))
            .values_list("student_id", "term", "subject_scores")}
    now = timezone.now()
    new, changed = [], []
    for row, enrollment in wanted:
        sid = enrollment.student_id
        row_errors = _stale(row, stored.get(sid))
        scores, cell_errors = _cells(row.subject_scores)
        row_errors.update(cell_errors)
        # The ratings read as the upload reads them (a code or its label).
        conduct, why = parse_choice(row.conduct_rating, tuple(ConductRating.choices))
        if why:
            row_errors.setdefault("conduct_rating", []).append(why)
        learning, why = parse_choice(row.learning_rating, tuple(LearningRating.choices), required=False)
        if why:
            row_errors.setdefault("learning_rating", []).append(why)
        if not row_errors:
            try:
                rating, canonical = assessment.result_assess(
                    grade=enrollment.grade, term=term, learning_rating=str(learning or ""),
                    conduct_rating=conduct, subjects=scores,
                    first=terms.get((sid, 1)) or None, second=terms.get((sid, 2)) or None)
            except assessment.AssessmentError as e:
                row_errors.update(_placed(e, scores))
        if row_errors:
            errors[row.pupil_code] = row_errors
            continue
        old = stored.get(sid)
        values = {"school_id": enrollment.student.school_id, "learning_rating": str(rating),
                  "conduct_rating": str(conduct), "subject_scores": canonical}
        if old is None:
            new.append(AcademicResult(student_id=sid, school_year=school_year, term=term, **values))
        elif (old.school_id, old.learning_rating, old.conduct_rating, old.subject_scores) != tuple(values.values()):
            for key, value in values.items():
                setattr(old, key, value)
            old.updated_at = now
            changed.append(old)
    if errors:
        raise RowsInvalid(errors)
    try:
        with transaction.atomic():
            created = AcademicResult.objects.bulk_create(new)
    except IntegrityError:
        # Another save inserted one of these results after the lock was taken (there was no row to lock).
        raise AppError(_("Kết quả vừa được người khác ghi trong lúc bạn lưu; hãy tải lại trang rồi lưu lần nữa."),
                       code="stale", status_code=409) from None
    AcademicResult.objects.bulk_update(changed, ["school_id", "learning_rating", "conduct_rating",
                                                 "subject_scores", "updated_at"])
    written = created + changed
    if written:
        # The dashboards' per-school figures, after the commit (by task name: records do not import dashboards).
        enqueue_on_commit("dashboards.refresh_schools", sorted({r.school_id for r in written}))
    return written


def _stale(row: ResultRow, old: AcademicResult | None) -> dict[str, list[str]]:
    if row.seen is None:
        return {}
    seen = parse_datetime(row.seen) if row.seen else None
    if (old is None and seen is None) or (old is not None and seen == old.updated_at):
        return {}
    if old is None:
        why = _("Kết quả này vừa bị xoá sau khi bạn mở trang; hãy tải lại trang.")
    else:
        why = _("Kết quả này vừa được người khác ghi (lúc %(at)s) sau khi bạn mở trang nên chưa được lưu; "
                "hãy tải lại trang để xem kết quả hiện có.") % {
            "at": timezone.localtime(old.updated_at).strftime("%H:%M %d/%m/%Y")}
    return {"updated_at": [why]}


def _cells(subject_scores: dict) -> tuple[dict, dict[str, list[str]]]:
    """Typed cells read as an upload's 'Điểm các môn' cell reads them (one subject at a time, so that a
    mistake is shown next to its cell); JSON numbers and objects from the API pass as they are."""
    scores, errors = {}, {}
    for name, value in subject_scores.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, str):
            scores[name] = value
            continue
        parsed, why = parse_subject_scores(f"{name}: {value.strip()}")
        if why:
            errors[f"{CELL}{name}"] = [_cell_message(why, value)]
        else:
            scores.update(parsed)
    return scores, errors


def _cell_message(why: str, value: str) -> str:
    # The upload's message explains the whole cell's form ('Toán: 8,5; ...'); here a cell holds one subject.
    why = why.replace(f" ({FORM})", "")
    if why.startswith("không đúng"):
        why = _("'%(value)s' không hợp lệ: ghi điểm 0-10, Đạt/Chưa đạt, hoặc mức HTT/HT/CHT (kèm điểm kiểm "
                "tra, ví dụ 'HTT, 9')") % {"value": value}
    return why


def _placed(error: assessment.AssessmentError, scores: dict) -> dict[str, list[str]]:
    """The rules' message next to the cells it names ("môn Toán ..."), the rest on the row."""
    if error.field != "subject_scores":
        return {"school_year" if error.field == "grade" else error.field: [str(error)]}
    out: dict[str, list[str]] = {}
    names = sorted(scores, key=len, reverse=True)
    for part in str(error).split("; "):
        name = next((n for n in names if part.startswith((f"môn {n} ", f"môn '{n}'"))), None)
        out.setdefault(f"{CELL}{name}" if name else "subject_scores", []).append(part)
    return out


def cell_text(value) -> str:
    """A stored subject result as a cell shows it (the upload's notation: "8,5", "Đạt", "Hoàn thành tốt, 9")."""
    if isinstance(value, dict):
        return f"{value.get('rating', '')}, {value.get('test', '')}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


@transaction.atomic
def physical_record_save(*, scope: Scope, student: Student, measured_on, height_cm, weight_kg,
                         seen: str | None = None) -> PhysicalRecord:
    """A measurement typed on the pupil's page or sent by the API (a new date adds one, a date on file
    corrects it): the cells go through the upload's row rules (PhysicalImporter.validate_row), then
    physical_record_add derives BMI and the WHO statuses. `seen` as for results: a record of that
    date saved by someone else since the form was shown is refused, not overwritten."""
    if not scope.contains_school(student.school):
        raise NotInScope()
    cleaned = validate_like_upload(PHYSICAL, {"pupil_code": student.pupil_code, "measured_on": measured_on,
                                              "height_cm": height_cm, "weight_kg": weight_kg},
                                   scope=scope, school=student.school)
    old = PhysicalRecord.objects.select_for_update().filter(student=student,
                                                            measured_on=cleaned["measured_on"]).first()
    if seen is not None:
        seen_at = parse_datetime(seen) if seen else None
        if (old is None) != (seen_at is None) or (old is not None and old.updated_at != seen_at):
            at = timezone.localtime(old.updated_at).strftime("%H:%M %d/%m/%Y") if old else ""
            message = (_("Đã có số đo ngày %(day)s (ghi lúc %(at)s) nên số đo của bạn chưa được lưu. Số đo hiện có "
                         "được ghi bên dưới; bấm Lưu lần nữa nếu vẫn muốn sửa.")
                       % {"day": cleaned["measured_on"].strftime("%d/%m/%Y"), "at": at}) if old else \
                _("Số đo này vừa bị xoá sau khi bạn mở trang; hãy tải lại trang.")
            raise AppError(message, code="stale", status_code=409, details={"updated_at": [message]})
    return physical_record_add(scope=scope, student=student, measured_on=cleaned["measured_on"],
                               height_cm=cleaned["height_cm"], weight_kg=cleaned["weight_kg"])
