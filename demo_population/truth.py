"""What the population registry holds about an ID number, as a pure function of number and seed.

An ID number (số định danh cá nhân) carries the birth province (digits 1-3), century and gender
(digit 4) and year of birth (digits 5-6); the registry's name and day of birth for it are drawn
from a hash of the number. A fixed share of well-formed numbers are unknown to the registry.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from edu_portal.common.identity import CENTURY_INDEX, CENTURY_START

from .names import full_name

# Share of well-formed ID numbers the registry has no citizen for (NOT_FOUND), per mille.
NOT_FOUND_PER_MILLE = 25


@dataclass(frozen=True)
class Citizen:
    id_number: str
    full_name: str
    date_of_birth: dt.date
    gender: str  # "M" or "F"


def _hash(seed: int, id_number: str) -> int:
    digest = hashlib.blake2b(f"{seed}:{id_number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def registry_knows(id_number: str, seed: int) -> bool:
    return _hash(seed, id_number) % 1000 >= NOT_FOUND_PER_MILLE


def citizen_for(id_number: str, seed: int) -> Citizen | None:
    """The registry's record for this number, or None when it has none (NOT_FOUND)."""
    if len(id_number) != 12 or not id_number.isdigit():
        return None
    h = _hash(seed, id_number)
    if h % 1000 < NOT_FOUND_PER_MILLE:
        return None
    digit = int(id_number[3])
    gender = "F" if digit % 2 else "M"
    year = CENTURY_START[digit // 2] + int(id_number[4:6])
    month = 1 + (h >> 24) % 12
    day = 1 + (h >> 32) % 28
    return Citizen(id_number, full_name(h >> 10, gender), dt.date(year, month, day), gender)


def id_number_for(*, legacy_province_code: str, year_of_birth: int, gender: str, serial: int) -> str:
    """Compose a well-formed ID number; `serial` (0-999999) makes it unique within its bucket."""
    century_index = CENTURY_INDEX[year_of_birth // 100]
    digit = century_index * 2 + (1 if gender == "F" else 0)
    return f"{legacy_province_code}{digit}{year_of_birth % 100:02d}{serial:06d}"
