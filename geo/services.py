"""Load administrative units from the vietnam-provinces package (never typed by hand) and the
ethnic groups from geo/data/ethnic_groups.csv."""
import csv
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import Ward as VnWard

from edu_portal.common.identity import LEGACY_PROVINCES_CSV

from .ethnicity import ethnic_groups_read
from .models import Commune, EthnicGroup, LegacyProvince, PopulationCount, Province

log = logging.getLogger(__name__)


def _code(value, width: int) -> str:
    return f"{int(value):0{width}d}"


@transaction.atomic
def admin_units_load() -> dict[str, int]:
    """Insert or update every province, commune and legacy province; safe to run again."""
    provinces = [
        Province(code=_code(p.code.value, 2), name=p.name, division_type=p.division_type.value,
                 codename=p.codename)
        for p in VnProvince.iter_all()
    ]
    Province.objects.bulk_create(provinces, update_conflicts=True, unique_fields=["code"],
                                 update_fields=["name", "division_type", "codename"])
    communes = [
        Commune(code=_code(w.code.value, 5), name=w.name, division_type=w.division_type.value,
                province_id=_code(w.province_code.value, 2))
        for w in VnWard.iter_all()
    ]
    Commune.objects.bulk_create(communes, update_conflicts=True, unique_fields=["code"],
                                update_fields=["name", "division_type", "province"], batch_size=2000)
    with LEGACY_PROVINCES_CSV.open(encoding="utf-8") as f:
        legacy = [
            LegacyProvince(code="0" + row["legacy_code"], name=row["name"],
                           province_id=row["new_province_code"])
            for row in csv.DictReader(f)
        ]
    LegacyProvince.objects.bulk_create(legacy, update_conflicts=True, unique_fields=["code"],
                                       update_fields=["name", "province"])
    groups = [EthnicGroup(code=code, name=name, aliases=aliases) for code, name, aliases in ethnic_groups_read()]
    EthnicGroup.objects.bulk_create(groups, update_conflicts=True, unique_fields=["code"],
                                    update_fields=["name", "aliases"])
    return {"provinces": len(provinces), "communes": len(communes), "legacy_provinces": len(legacy),
            "ethnic_groups": len(groups)}


GENDERS = ("F", "M")
MAX_AGE = 30


def population_counts_replace(*, school_year: int, rows: list[dict], fetched_at: dt.datetime | None = None) -> int:
    """Replace the population counts of `school_year` with `rows` ({province, commune, age, gender,
    count}, as the registry's statistics give them), all at once: readers see the old year or the new
    one, never half. The commune's province is ours (the registry's `province` is checked against it);
    a row of a commune we do not know, or malformed, is left out and logged rather than failing the
    year. Returns the rows stored."""
    provinces = dict(Commune.objects.values_list("code", "province_id"))
    fetched_at = fetched_at or timezone.now()
    cells: dict[tuple[str, int, str], int] = {}
    skipped = 0
    for row in rows:
        try:
            commune, age, gender, count = str(row["commune"]), int(row["age"]), str(row["gender"]), int(row["count"])
        except (KeyError, TypeError, ValueError):
            skipped += 1
            continue
        province = provinces.get(commune)
        if province is None or province != str(row.get("province", province)) or gender not in GENDERS \
                or not 0 <= age <= MAX_AGE or count < 0:
            skipped += 1
            continue
        cells[(commune, age, gender)] = cells.get((commune, age, gender), 0) + count
    if skipped:
        log.warning("population %s: %s rows of the registry left out (unknown commune or malformed)",
                    school_year, skipped)
    objects = [PopulationCount(school_year=school_year, province_id=provinces[c], commune_id=c, age=a, gender=g,
                               count=n, fetched_at=fetched_at) for (c, a, g), n in sorted(cells.items())]
    with transaction.atomic():
        PopulationCount.objects.filter(school_year=school_year).delete()
        PopulationCount.objects.bulk_create(objects, batch_size=5000)
    return len(objects)
