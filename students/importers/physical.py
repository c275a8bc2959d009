"""Physical measurements: BMI and the WHO nutrition category are derived, never typed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from edu_portal.common.importing import (
    Column,
    ImportContext,
    RecordImporter,
    RowError,
    as_text,
    formula_errors,
    parse_code,
    parse_date,
    parse_decimal,
)
from edu_portal.common.models import current_school_year

from ..nutrition import OutsideReference, bmi_exact, bmi_of, height_for_age, nutrition_classify
from ..writers import write_physical
from .shared import pupil_here, row_state


class PhysicalImporter(RecordImporter):
    kind = "physical"
    writer = staticmethod(write_physical)
    label = "Thể lực (chiều cao, cân nặng)"
    columns = (
        Column("pupil_code", "Mã học sinh", example="HS0000000001"),
        Column("measured_on", "Ngày đo", help="dd/mm/yyyy", example="15/09/2025", date=True),
        Column("height_cm", "Chiều cao (cm)", help="40 đến 230", example="128,5"),
        Column("weight_kg", "Cân nặng (kg)", help="2 đến 200", example="26,0"),
    )
    key_fields = ("pupil_code", "measured_on")
    code_field, code_table = "pupil_code", ("students_student", "pupil_code", "school_id")
    stage_columns = (("pupil_code", "varchar(20)"), ("measured_on", "date"), ("school_year", "smallint"),
                     ("height_cm", "numeric(5,1)"), ("weight_kg", "numeric(5,1)"), ("bmi", "numeric(4,1)"),
                     ("bmi_z_score", "numeric(4,2)"), ("nutrition_status", "varchar(12)"),
                     ("height_z_score", "numeric(4,2)"), ("height_status", "varchar(16)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        get = row.get
        code, why = parse_code(get("pupil_code"))
        if why:
            errors.append(RowError("pupil_code", as_text(get("pupil_code")), why))
        measured_on, why = parse_date(get("measured_on"), earliest=dt.date(context.today.year - 20, 1, 1),
                                      latest=context.today, order=context.date_order("measured_on"))
        if why:
            errors.append(RowError("measured_on", as_text(get("measured_on")), why))
        height, why = parse_decimal(get("height_cm"), low=Decimal(40), high=Decimal(230))
        if why:
            errors.append(RowError("height_cm", as_text(get("height_cm")), why))
        weight, why = parse_decimal(get("weight_kg"), low=Decimal(2), high=Decimal(200))
        if why:
            errors.append(RowError("weight_kg", as_text(get("weight_kg")), why))
        if errors:
            return None, errors
        return {"pupil_code": code, "measured_on": measured_on, "height_cm": height, "weight_kg": weight,
                "school_year": current_school_year(measured_on), "bmi": bmi_of(height, weight)}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = list({c["pupil_code"] for _, c in rows})
        with connection.cursor() as cursor:
            cursor.execute("""SELECT pupil_code, id, school_id, date_of_birth, gender FROM students_student
                              WHERE pupil_code = ANY(%s)""", [codes])
            pupils = {r[0]: r for r in cursor.fetchall()}
            cursor.execute(
                """SELECT s.pupil_code, p.measured_on, p.height_cm, p.weight_kg FROM students_physicalrecord p
                   JOIN students_student s ON s.id = p.student_id WHERE s.pupil_code = ANY(%s)""", [codes])
            records = {(r[0], r[1]): r[2:] for r in cursor.fetchall()}
        out = []
        for rownum, c in rows:
            refused = pupil_here(rownum, c, pupils, context)
            if refused:
                out.append(refused)
                continue
            dob, gender = pupils[c["pupil_code"]][3:5]
            if c["measured_on"] < dob:
                out.append((rownum, c, None, [RowError("measured_on", as_text(c["measured_on"]),
                                                       "trước ngày sinh của học sinh")]))
                continue
            try:
                # The unrounded BMI: c["bmi"] is rounded for display.
                z, status = nutrition_classify(bmi=bmi_exact(c["height_cm"], c["weight_kg"]), date_of_birth=dob,
                                               measured_on=c["measured_on"], gender=gender)
                height_z, height_status = height_for_age(height_cm=c["height_cm"], date_of_birth=dob,
                                                         measured_on=c["measured_on"], gender=gender)
            except OutsideReference as past:
                out.append((rownum, c, None, [RowError("measured_on", as_text(c["measured_on"]), str(past))]))
                continue
            c["bmi_z_score"] = Decimal(str(z))
            c["nutrition_status"] = str(status)
            c["height_z_score"], c["height_status"] = Decimal(str(height_z)), str(height_status)
            out.append((rownum, c, row_state(records.get(self.key(c)), (c["height_cm"], c["weight_kg"])), []))
        return out


PHYSICAL = PhysicalImporter()
