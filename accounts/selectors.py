from .scope import Scope


def home_summary(*, scope: Scope) -> dict:
    """What the home page shows: the user's scope and how many records it holds (exact counts
    over the school indexes; the dashboards serve pre-aggregated figures at national scale)."""
    from schools.models import School
    from schools.selectors import scope_describe
    from students.models import Student
    from teachers.models import StaffMember

    return {
        "scope_name": scope_describe(scope),
        "schools": scope.filter(School.objects.all(), school_field="").count(),
        "staff": scope.filter(StaffMember.objects.all()).count(),
        "students": scope.filter(Student.objects.all()).count(),
    }
