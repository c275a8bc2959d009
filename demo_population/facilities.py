"""Demo facilities (issue 18): every demo school's sites (điểm trường), their facilities for each seeded school
year, and the school's teaching equipment, written set-based (one COPY of the schools, then INSERT ... SELECT),
so that the national scale (54,000 schools, ~100,000 sites) takes seconds, not a loop per school.

Realistic by region: in the northern mountains and the Central Highlands (population.REMOTE_PROVINCES)
preschools and primary schools have more satellite sites (điểm trường lẻ in the villages: 1-6, ~3 on average,
against ~1 elsewhere), more temporary and semi-solid classrooms, fewer standard toilets, and satellites more
often without the grid, clean water or internet. Lower secondary schools sometimes have one satellite, upper
secondary schools and continuing-education centres none. Each province's first school (code ending 000001,
the `school` demo login's in Hà Nội) has exactly one satellite: two sites.

Standing under Thông tư 13/2020 (facilities/standard.py): left to the draws above, hardly a school would meet
level 1 (every criterion must hold at once) and a province could have none. So each province's schools under
the circular (not continuing-education centres) are ranked, those whose size allows the circular's number of
classes first, then by a draw, and the first share of them are built to the standard (tier 1: land, a
classroom for each class, the rooms the level needs, standard toilets, water, power and internet at every
site): about 30% of a province's schools, 15% in the remote provinces, and at least one in every province
with two or more. About one in six of those also meets level 2 (tier 2: a multi-purpose hall, every classroom
solid this year). Some met it only lately (no computer room yet, or a last semi-solid room, in an older year),
so that the share rises over the years. The others keep the draws and lack specific criteria.

Draws come from hashtext() of the school's code (with the site's code, the item's) and the seed, never of a row id
(ids depend on what the database held before): the same rows for the same seed. Older years
have a few more semi-solid rooms (rooms made solid since) and slightly fewer pupils. The rows satisfy the
model's rules (facilities.models clean()): they are consistent by construction, as the other demo rows.
"""
from __future__ import annotations

import io

from django.utils import timezone

from facilities.selectors import taught_grades
from facilities.standard import CRITERIA

from .population import REMOTE_PROVINCES

SCHOOL_COLUMNS = "id, code, level, province, commune, pupils, gmin, gmax, remote"
# The share of a province's schools built to level 1 of Thông tư 13/2020 (elsewhere, remote), and the share of
# those that meet level 2 as well.
LEVEL_1_SHARE, LEVEL_1_SHARE_REMOTE, LEVEL_2_SHARE = 0.30, 0.15, 0.17
SIZE = {"preschool": 25, "primary": 32}  # pupils per class at a main site (_facilities); 40 at the others


def _u(key: str, salt: str, seed: int) -> str:
    """A uniform draw in [0, 1) from the key (an SQL expression) and a salt."""
    return f"(((hashtext({key} || ':{salt}:{seed}') & 2147483647) %% 100000) / 100000.0)"


def facilities_seed(cursor, *, schools, years: list[int], seed: int) -> dict[str, int]:
    """Sites, facilities rows of `years` and equipment holdings for `schools` (SchoolPlan-like objects: id, code,
    level, province, commune, pupils this year). Returns the rows written per table."""
    buf = io.StringIO()
    for s in schools:
        grades = taught_grades(s.level)
        buf.write(f"{s.id}\t{s.code}\t{s.level}\t{s.province}\t{s.commune}\t{s.pupils}\t{min(grades)}\t"
                  f"{max(grades)}\t{'t' if s.province in REMOTE_PROVINCES else 'f'}\n")
    buf.seek(0)
    # Dropped at commit; a second call in the same transaction (a test's) finds them still there.
    cursor.execute("DROP TABLE IF EXISTS demo_fac_school, demo_fac_site, demo_fac_year")
    cursor.execute("CREATE TEMP TABLE demo_fac_school (id bigint PRIMARY KEY, code text, level text, province text, "
                   "commune text, pupils int, gmin int, gmax int, remote bool) ON COMMIT DROP")
    cursor.copy_expert(f"COPY demo_fac_school ({SCHOOL_COLUMNS}) FROM STDIN", buf)
    _tiers(cursor, seed)
    now = timezone.now().isoformat()
    counts = {"sites": _sites(cursor, seed, now)}
    counts["site_facilities"] = _facilities(cursor, seed, now, years)
    counts["equipment_holdings"] = _equipment(cursor, seed, now, years)
    return counts


def _tiers(cursor, seed: int) -> None:
    """Which schools are built to level 1 (tier 1) or level 2 (tier 2): the first share of each province's
    schools under the circular, in the order of a draw; the fraction left over is drawn too (a province of one
    school has it built to the standard with that chance), and a province of two or more has at least one."""
    rank = _u("s.code", "tier", seed)
    # Schools whose size allows the circular's number of classes come first (class sizes as _facilities draws
    # them for a main site): the others cannot meet level 1 however they are built.
    scale = next(c for c in CRITERIA if c.code == "scale_classes").level_1
    sized = " ".join(f"WHEN '{level}' THEN ceil(s.pupils / {SIZE.get(level, 40)}.0) BETWEEN {low} AND {high}"
                     for level, (low, high) in scale.items())
    cursor.execute(f"""
        ALTER TABLE demo_fac_school ADD COLUMN tier int NOT NULL DEFAULT 0;
        WITH ranked AS (
            SELECT s.id, row_number() OVER (PARTITION BY s.province
                                            ORDER BY (CASE s.level {sized} ELSE true END) DESC, {rank}, s.id) AS rk,
                   count(*) OVER (PARTITION BY s.province) AS n,
                   CASE WHEN s.remote THEN {LEVEL_1_SHARE_REMOTE} ELSE {LEVEL_1_SHARE} END AS share,
                   {_u("s.code", "fraction", seed)} AS fraction, {_u("s.code", "level2", seed)} AS level2
            FROM demo_fac_school s WHERE s.level <> 'continuing'),
        chosen AS (
            SELECT id, level2 FROM ranked
            WHERE rk <= floor(n * share) OR (rk = floor(n * share) + 1 AND fraction < n * share - floor(n * share))
                  OR (rk = 1 AND n >= 2))
        UPDATE demo_fac_school s SET tier = CASE WHEN c.level2 < {LEVEL_2_SHARE} THEN 2 ELSE 1 END
        FROM chosen c WHERE c.id = s.id""", [])  # noqa: S608 -- constants and the seed only


def _sites(cursor, seed: int, now: str) -> int:
    u = _u("s.code", "sites", seed)
    satellites = f"""CASE
        WHEN s.code LIKE '%%000001' THEN 1
        WHEN s.level IN ('preschool', 'primary') AND s.remote THEN 1 + floor({u} * 6)::int
        WHEN s.level IN ('preschool', 'primary') THEN (CASE WHEN {u} < 0.40 THEN 0 WHEN {u} < 0.75 THEN 1
                                                           WHEN {u} < 0.95 THEN 2 ELSE 3 END)
        WHEN s.level = 'lower_secondary' THEN (CASE WHEN {u} < (CASE WHEN s.remote THEN 0.35 ELSE 0.10 END)
                                               THEN 1 ELSE 0 END)
        WHEN s.level = 'multi_level' THEN (CASE WHEN {u} < 0.2 THEN 1 ELSE 0 END)
        ELSE 0 END"""
    d = _u("s.code || n::text", "distance", seed)
    cursor.execute(f"""
        INSERT INTO facilities_site (school_id, code, name, kind, commune_id, address, latitude, longitude,
                                     distance_km, active, created_at, updated_at)
        SELECT s.id, 'DT' || lpad(n::text, 2, '0'),
               CASE WHEN n = 1 THEN 'Điểm trường chính' ELSE 'Điểm trường lẻ số ' || (n - 1) END,
               CASE WHEN n = 1 THEN 'main' ELSE 'satellite' END, s.commune,
               CASE WHEN n = 1 THEN '' ELSE 'Thôn ' || (n - 1) END, NULL, NULL,
               CASE WHEN n = 1 THEN NULL
                    ELSE round((1.5 + {d} * (CASE WHEN s.remote THEN 35 ELSE 12 END))::numeric, 1) END,
               true, %s, %s
        FROM demo_fac_school s CROSS JOIN LATERAL generate_series(1, 1 + {satellites}) n
        """, [now, now])  # noqa: S608 -- constants and the seed only
    return cursor.rowcount


def _facilities(cursor, seed: int, now: str, years: list[int]) -> int:
    current = max(years)

    def u(salt: str, alias: str = "r") -> str:
        return _u(f"{alias}.site_key", salt, seed)

    # Per site: its pupils this year (satellites small; the main site the rest), class size by level.
    cursor.execute(f"""
        CREATE TEMP TABLE demo_fac_site ON COMMIT DROP AS
        WITH t AS (
            SELECT f.id AS site_id, s.code || ':' || f.code AS site_key, f.kind, s.id AS school_id, s.level,
                   s.remote, s.pupils, s.tier,
                   CASE WHEN f.kind = 'main' THEN 0
                        ELSE (CASE WHEN s.level = 'preschool' THEN 15 WHEN s.level = 'primary' THEN 20 ELSE 30 END)
                             + floor({_u("s.code || ':' || f.code", "satpupils", seed)} * 40)::int END AS sat_pupils
            FROM facilities_site f JOIN demo_fac_school s ON s.id = f.school_id)
        SELECT t.*, CASE WHEN t.kind = 'main'
                         THEN greatest(30, t.pupils - sum(t.sat_pupils) OVER (PARTITION BY t.school_id))
                         ELSE t.sat_pupils END AS site_pupils,
               CASE WHEN t.kind = 'satellite' THEN 20 WHEN t.level = 'preschool' THEN 25
                    WHEN t.level = 'primary' THEN 32 ELSE 40 END AS class_size
        FROM t""", [])  # noqa: S608 -- (parameters given, empty: the "%%" of the draws is read as "%")
    toilets_m = (f"greatest(1, ceil(t.p / 2.0 / 30))::int + (CASE WHEN {u('tm', 't')} < 0.3 THEN 1 ELSE 0 END)"
                 f" - (CASE WHEN {u('tm', 't')} > 0.85 AND t.p > 120 AND t.tier = 0 THEN 1 ELSE 0 END)")
    # Per site and year: pupils, classes, rooms by type (older years: a few more semi-solid rooms).
    cursor.execute(f"""
        CREATE TEMP TABLE demo_fac_year ON COMMIT DROP AS
        WITH y AS (
            SELECT t.*, yr.school_year,
                   greatest(5, round(t.site_pupils * (1 - 0.02 * ({current} - yr.school_year))))::int AS p
            FROM demo_fac_site t CROSS JOIN unnest(%s::int[]) AS yr(school_year)),
        c AS (
            SELECT t.*, greatest(1, ceil(t.p::numeric / t.class_size))::int AS classes,
                   CASE WHEN t.tier = 2 THEN 0
                        WHEN t.remote THEN 0.10 + {u('temp', 't')} * 0.25 ELSE {u('temp', 't')} * 0.06 END AS temp_share,
                   CASE WHEN t.tier = 2 THEN 0
                        WHEN t.remote THEN 0.15 + {u('semi', 't')} * 0.30
                        ELSE 0.05 + {u('semi', 't')} * 0.15 END AS semi_share,
                   -- a tier-1 school that had no computer room yet in an older year (more often the older)
                   t.tier > 0 AND {u("late", "t")} < 0.2 * ({current} - t.school_year) AS late
            FROM y t)
        SELECT * FROM c""", [years])  # noqa: S608
    cursor.execute(f"""
        INSERT INTO facilities_sitefacilities (
            site_id, school_id, school_year, pupils, classes, land_area_m2, classrooms_solid, classrooms_semi_solid,
            classrooms_temporary, classrooms_borrowed, classrooms_in_use, classrooms_need_repair,
            classroom_floor_area_m2, subject_rooms, library_rooms, computer_rooms, laboratories, multipurpose_halls,
            medical_rooms, toilets_male, toilets_male_standard, toilets_female, toilets_female_standard,
            toilets_staff, water_source, electricity, internet, internet_mbps, computers_teaching, computers_pupils,
            created_at, updated_at)
        SELECT r.site_id, r.school_id, r.school_year, r.p, r.classes,
               round(r.p * (CASE WHEN r.kind = 'main' AND r.tier > 0 THEN 10 + {u('land')} * 16
                                WHEN r.kind = 'main' THEN 6 + {u('land')} * 20 ELSE 15 + {u('land')} * 45 END))::int,
               r.solid, r.semi, r.temp, r.borrowed, r.rooms - r.borrowed - greatest(0, r.rooms - r.borrowed - r.classes),
               round(r.rooms * {u('repair')} * (CASE WHEN r.remote THEN 0.25 ELSE 0.12 END))::int,
               (r.rooms - r.borrowed) * (45 + floor({u('floor')} * 16)::int),
               CASE WHEN r.kind = 'main' AND r.level <> 'preschool' THEN 1 + floor({u('subject')} * 4)::int ELSE 0 END,
               CASE WHEN r.kind = 'main' AND (r.tier > 0 OR {u('library')} < 0.95) THEN 1 ELSE 0 END,
               r.computer_rooms,
               CASE WHEN r.kind = 'main' AND r.level IN ('lower_secondary', 'upper_secondary', 'multi_level')
                         AND (r.tier > 0 OR {u('lab')} < 0.85) THEN 1 + floor({u('labs')} * 3)::int ELSE 0 END,
               CASE WHEN r.kind = 'main' AND r.level <> 'preschool'
                         AND (r.tier = 2 OR {u('hall')} < (CASE WHEN r.remote THEN 0.08 ELSE 0.30 END)) THEN 1 ELSE 0 END,
               CASE WHEN r.kind = 'main' AND (r.tier > 0 OR {u('medical')} < 0.9) THEN 1 ELSE 0 END,
               r.toilets_m, r.toilets_m - (CASE WHEN {u('std_m')} < r.unsanitary THEN least(r.toilets_m, 1) ELSE 0 END),
               r.toilets_f, r.toilets_f - (CASE WHEN {u('std_f')} < r.unsanitary THEN least(r.toilets_f, 1) ELSE 0 END),
               CASE WHEN r.kind = 'main' THEN 2 ELSE 1 END,
               r.water, r.power, r.net,
               CASE r.net WHEN 'fibre' THEN 50 + floor({u('mbps')} * 250)::int
                          WHEN 'mobile' THEN 5 + floor({u('mbps')} * 45)::int
                          WHEN 'satellite' THEN 5 + floor({u('mbps')} * 15)::int END,
               CASE WHEN r.kind = 'main' THEN 2 + floor({u('pcs')} * 9)::int ELSE 0 END,
               CASE WHEN r.computer_rooms > 0 THEN r.computer_rooms * (20 + floor({u('pcp')} * 26)::int) ELSE 0 END,
               %s, %s
        FROM (
            SELECT t.*, k.rooms, k.borrowed, k.temp, k.semi, k.rooms - k.borrowed - k.temp - k.semi AS solid,
                   CASE WHEN t.kind = 'main' AND t.level <> 'preschool'
                             AND (CASE WHEN t.tier > 0 THEN NOT t.late
                                       ELSE {u('computer', 't')} < (CASE WHEN t.remote THEN 0.6 ELSE 0.9 END) END)
                        THEN (CASE WHEN t.level = 'upper_secondary' THEN 2 ELSE 1 END) ELSE 0 END AS computer_rooms,
                   {toilets_m} AS toilets_m,
                   -- a preschool built to the standard: a toilet area for each group or class (Điều 6)
                   greatest(greatest(1, ceil(t.p / 2.0 / 20))::int + (CASE WHEN {u('tf', 't')} < 0.3 THEN 1 ELSE 0 END)
                                - (CASE WHEN {u('tf', 't')} > 0.85 AND t.p > 120 AND t.tier = 0 THEN 1 ELSE 0 END),
                            CASE WHEN t.tier > 0 AND t.level = 'preschool' THEN t.classes - ({toilets_m}) ELSE 0 END)
                       AS toilets_f,
                   CASE WHEN t.tier > 0 THEN 0 WHEN t.remote THEN 0.5 ELSE 0.2 END AS unsanitary,
                   CASE WHEN t.kind = 'satellite' AND t.tier = 0
                             AND {u('water', 't')} < (CASE WHEN t.remote THEN 0.12 ELSE 0.02 END) THEN 'none'
                        WHEN t.remote THEN (ARRAY['well', 'spring', 'rain', 'piped'])[1 + floor({u('wk', 't')} * 4)::int]
                        ELSE (ARRAY['piped', 'piped', 'piped', 'well'])[1 + floor({u('wk', 't')} * 4)::int] END AS water,
                   CASE WHEN t.kind = 'satellite' AND t.remote AND t.tier = 0 AND {u('power', 't')} < 0.05 THEN 'none'
                        WHEN t.kind = 'satellite' AND t.remote AND {u('power', 't')} < 0.15 THEN 'own'
                        ELSE 'grid' END AS power,
                   CASE WHEN t.kind = 'main' AND {u('net', 't')} < (CASE WHEN t.remote THEN 0.6 ELSE 0.88 END) THEN 'fibre'
                        WHEN t.kind = 'main' AND (t.tier > 0 OR {u('net', 't')} < 0.97) THEN 'mobile'
                        WHEN t.kind = 'main' THEN 'none'
                        WHEN {u('net', 't')} < (CASE WHEN t.remote THEN 0.25 ELSE 0.55 END) THEN 'mobile'
                        WHEN {u('net', 't')} < (CASE WHEN t.remote THEN 0.30 ELSE 0.65 END) THEN 'fibre'
                        ELSE 'none' END AS net
            FROM demo_fac_year t
            CROSS JOIN LATERAL (
                SELECT rooms, borrowed, least(rooms - borrowed, round(rooms * t.temp_share)::int) AS temp,
                       least(rooms - borrowed - least(rooms - borrowed, round(rooms * t.temp_share)::int),
                             round(rooms * t.semi_share)::int
                             + least({current} - t.school_year, 1) * (CASE WHEN {u('aged', 't')} < 0.5 THEN 1 ELSE 0 END)) AS semi
                FROM (SELECT greatest(1, t.classes + floor({u('rooms', 't')} * 3)::int
                                         - (CASE WHEN t.tier > 0 THEN 0 ELSE 1 END)) AS rooms,
                             CASE WHEN t.tier = 0 AND {u('borrow', 't')} < 0.03 THEN 1 ELSE 0 END AS borrowed) z) k
        ) r""", [now, now])  # noqa: S608
    return cursor.rowcount


def _equipment(cursor, seed: int, now: str, years: list[int]) -> int:
    """Holdings of the catalogue items of each school's grades, around the minimum (remote schools further
    below it); about one item in ten not held at all (no row). A school's holding of an item is drawn once and
    grows a little each year (an item bought, a few more sets), so that completeness rises over the years as
    the other figures do; the broken share is drawn each year."""
    item = "s.code || ':' || i.code"
    key = f"{item} || ':' || yr.school_year::text"
    u = _u(item, "eq", seed)
    current = max(years)
    covered = "(least(i.grade_to, s.gmax) - greatest(i.grade_from, s.gmin) + 1)"
    required = f"""i.min_quantity * CASE i.per WHEN 'school' THEN 1 WHEN 'grade' THEN {covered}
                   ELSE greatest({covered}, ceil(s.pupils / 32.0 * {covered} / (s.gmax - s.gmin + 1)))::int END"""
    cursor.execute(f"""
        INSERT INTO facilities_equipmentholding (school_id, school_year, item_id, quantity, working, created_at,
                                                 updated_at)
        SELECT q.school_id, q.school_year, q.item_id, q.quantity,
               q.quantity - floor(q.quantity * q.broken)::int, %s, %s
        FROM (
            SELECT s.id AS school_id, yr.school_year, i.id AS item_id,
                   greatest(1, round(({required}) * ((CASE WHEN s.remote THEN 0.35 ELSE 0.6 END) + {u} * 0.7
                                                     - 0.06 * ({current} - yr.school_year))))::int AS quantity,
                   {_u(key, "broken", seed)} * 0.3 AS broken,
                   {_u(item, "held", seed)} - 0.03 * ({current} - yr.school_year) AS held
            FROM demo_fac_school s
            JOIN facilities_equipmentitem i ON i.grade_from <= s.gmax AND i.grade_to >= s.gmin
            CROSS JOIN unnest(%s::int[]) AS yr(school_year)
        ) q
        WHERE q.held >= 0.1""", [now, now, years])  # noqa: S608
    return cursor.rowcount
