"""The training standard for teachers, Luật Giáo dục 2019, Điều 72: a pedagogy college degree for
preschool teachers, a bachelor's degree (or higher) for primary, lower and upper secondary."""
from schools.models import SchoolLevel

from .models import Qualification

_RANK = {Qualification.BELOW_COLLEGE: 0, Qualification.COLLEGE: 1, Qualification.BACHELOR: 2,
         Qualification.MASTER: 3, Qualification.DOCTOR: 4}
_REQUIRED = {SchoolLevel.PRESCHOOL: Qualification.COLLEGE}


def meets_qualification_standard(*, school_level: str, qualification: str) -> bool:
    required = _REQUIRED.get(school_level, Qualification.BACHELOR)
    return _RANK[Qualification(qualification)] >= _RANK[required]
