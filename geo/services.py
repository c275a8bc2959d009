"""Load administrative units from the vietnam-provinces package (never typed by hand) and the
ethnic groups from geo/data/ethnic_groups.csv."""
import csv

from django.db import transaction
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import Ward as VnWard

from edu_portal.common.identity import LEGACY_PROVINCES_CSV

from .ethnicity import ethnic_groups_read
from .models import Commune, EthnicGroup, LegacyProvince, Province


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
