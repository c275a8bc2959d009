"""The official rollup (reporting.official_rollup), and the frozen rows of every period already approved summed
into it: the columns of this migration's time (a metric added later has its own migration)."""

import django.db.models.deletion
from django.db import migrations, models

from reporting.official_rollup import rollup_rebuild

_NOT_METRICS = {"id", "period", "province_id", "commune_id", "level", "ownership", "approved"}


def backfill(apps, schema_editor):
    rollup = apps.get_model("reporting", "OfficialRollup")
    metrics = [f.column for f in rollup._meta.concrete_fields if f.name not in _NOT_METRICS]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT s.period_id, p.school_year, o.province_id, o.commune_id"
                       " FROM reporting_officialfigures o JOIN reporting_submission s ON s.id = o.submission_id"
                       " JOIN reporting_reportingperiod p ON p.id = s.period_id")
        by_period: dict[tuple[int, int], set[tuple[str, str]]] = {}
        for period_id, year, province, commune in cursor.fetchall():
            by_period.setdefault((period_id, year), set()).add((province, commune))
        for (period_id, year), areas in sorted(by_period.items()):
            rollup_rebuild(cursor, period_id=period_id, school_year=year, areas=areas, metrics=metrics)


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0007_pupil_lock_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='OfficialRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('province_id', models.CharField(max_length=2)),
                ('commune_id', models.CharField(blank=True, max_length=5)),
                ('level', models.CharField(max_length=20)),
                ('ownership', models.CharField(max_length=20)),
                ('approved', models.IntegerField(default=0)),
                ('pupils', models.IntegerField(default=0)),
                ('pupils_female', models.IntegerField(default=0)),
                ('pupils_male', models.IntegerField(default=0)),
                ('pupils_grade_0', models.IntegerField(default=0)),
                ('pupils_grade_1', models.IntegerField(default=0)),
                ('pupils_grade_2', models.IntegerField(default=0)),
                ('pupils_grade_3', models.IntegerField(default=0)),
                ('pupils_grade_4', models.IntegerField(default=0)),
                ('pupils_grade_5', models.IntegerField(default=0)),
                ('pupils_grade_6', models.IntegerField(default=0)),
                ('pupils_grade_7', models.IntegerField(default=0)),
                ('pupils_grade_8', models.IntegerField(default=0)),
                ('pupils_grade_9', models.IntegerField(default=0)),
                ('pupils_grade_10', models.IntegerField(default=0)),
                ('pupils_grade_11', models.IntegerField(default=0)),
                ('pupils_grade_12', models.IntegerField(default=0)),
                ('pupils_age_nt_3_12', models.IntegerField(default=0)),
                ('pupils_age_nt_13_24', models.IntegerField(default=0)),
                ('pupils_age_nt_25_36', models.IntegerField(default=0)),
                ('pupils_age_mg_3_4', models.IntegerField(default=0)),
                ('pupils_age_mg_4_5', models.IntegerField(default=0)),
                ('pupils_age_mg_5_6', models.IntegerField(default=0)),
                ('enrol_transferred_out', models.IntegerField(default=0)),
                ('enrol_dropped_out', models.IntegerField(default=0)),
                ('enrol_completed', models.IntegerField(default=0)),
                ('enrol_deceased', models.IntegerField(default=0)),
                ('enrol_moved_abroad', models.IntegerField(default=0)),
                ('enrol_transferred_in', models.IntegerField(default=0)),
                ('pupils_ver_unverified', models.IntegerField(default=0)),
                ('pupils_ver_queued', models.IntegerField(default=0)),
                ('pupils_ver_verified', models.IntegerField(default=0)),
                ('pupils_ver_mismatch', models.IntegerField(default=0)),
                ('pupils_ver_not_found', models.IntegerField(default=0)),
                ('pupils_ver_invalid_id', models.IntegerField(default=0)),
                ('pupils_ver_error', models.IntegerField(default=0)),
                ('pupils_without_id', models.IntegerField(default=0)),
                ('pupils_with_result', models.IntegerField(default=0)),
                ('pupils_with_physical', models.IntegerField(default=0)),
                ('pupils_complete', models.IntegerField(default=0)),
                ('staff', models.IntegerField(default=0)),
                ('staff_female', models.IntegerField(default=0)),
                ('staff_teacher', models.IntegerField(default=0)),
                ('staff_principal', models.IntegerField(default=0)),
                ('staff_vice_principal', models.IntegerField(default=0)),
                ('staff_other', models.IntegerField(default=0)),
                ('teachers_qualified', models.IntegerField(default=0)),
                ('teachers_roadmap', models.IntegerField(default=0)),
                ('teachers_exempt', models.IntegerField(default=0)),
                ('teachers_below', models.IntegerField(default=0)),
                ('staff_qual_below_college', models.IntegerField(default=0)),
                ('staff_qual_college', models.IntegerField(default=0)),
                ('staff_qual_bachelor', models.IntegerField(default=0)),
                ('staff_qual_master', models.IntegerField(default=0)),
                ('staff_qual_doctor', models.IntegerField(default=0)),
                ('staff_ver_unverified', models.IntegerField(default=0)),
                ('staff_ver_queued', models.IntegerField(default=0)),
                ('staff_ver_verified', models.IntegerField(default=0)),
                ('staff_ver_mismatch', models.IntegerField(default=0)),
                ('staff_ver_not_found', models.IntegerField(default=0)),
                ('staff_ver_invalid_id', models.IntegerField(default=0)),
                ('staff_ver_error', models.IntegerField(default=0)),
                ('learning_0_hoan_thanh_xuat_sac', models.IntegerField(default=0)),
                ('learning_0_hoan_thanh_tot', models.IntegerField(default=0)),
                ('learning_0_hoan_thanh', models.IntegerField(default=0)),
                ('learning_0_chua_hoan_thanh', models.IntegerField(default=0)),
                ('conduct_0_primary_tot', models.IntegerField(default=0)),
                ('conduct_0_primary_dat', models.IntegerField(default=0)),
                ('conduct_0_primary_can_co_gang', models.IntegerField(default=0)),
                ('learning_0_tot', models.IntegerField(default=0)),
                ('learning_0_kha', models.IntegerField(default=0)),
                ('learning_0_dat', models.IntegerField(default=0)),
                ('learning_0_chua_dat', models.IntegerField(default=0)),
                ('conduct_0_secondary_tot', models.IntegerField(default=0)),
                ('conduct_0_secondary_kha', models.IntegerField(default=0)),
                ('conduct_0_secondary_dat', models.IntegerField(default=0)),
                ('conduct_0_secondary_chua_dat', models.IntegerField(default=0)),
                ('learning_1_hoan_thanh_xuat_sac', models.IntegerField(default=0)),
                ('learning_1_hoan_thanh_tot', models.IntegerField(default=0)),
                ('learning_1_hoan_thanh', models.IntegerField(default=0)),
                ('learning_1_chua_hoan_thanh', models.IntegerField(default=0)),
                ('conduct_1_primary_tot', models.IntegerField(default=0)),
                ('conduct_1_primary_dat', models.IntegerField(default=0)),
                ('conduct_1_primary_can_co_gang', models.IntegerField(default=0)),
                ('learning_1_tot', models.IntegerField(default=0)),
                ('learning_1_kha', models.IntegerField(default=0)),
                ('learning_1_dat', models.IntegerField(default=0)),
                ('learning_1_chua_dat', models.IntegerField(default=0)),
                ('conduct_1_secondary_tot', models.IntegerField(default=0)),
                ('conduct_1_secondary_kha', models.IntegerField(default=0)),
                ('conduct_1_secondary_dat', models.IntegerField(default=0)),
                ('conduct_1_secondary_chua_dat', models.IntegerField(default=0)),
                ('learning_2_hoan_thanh_xuat_sac', models.IntegerField(default=0)),
                ('learning_2_hoan_thanh_tot', models.IntegerField(default=0)),
                ('learning_2_hoan_thanh', models.IntegerField(default=0)),
                ('learning_2_chua_hoan_thanh', models.IntegerField(default=0)),
                ('conduct_2_primary_tot', models.IntegerField(default=0)),
                ('conduct_2_primary_dat', models.IntegerField(default=0)),
                ('conduct_2_primary_can_co_gang', models.IntegerField(default=0)),
                ('learning_2_tot', models.IntegerField(default=0)),
                ('learning_2_kha', models.IntegerField(default=0)),
                ('learning_2_dat', models.IntegerField(default=0)),
                ('learning_2_chua_dat', models.IntegerField(default=0)),
                ('conduct_2_secondary_tot', models.IntegerField(default=0)),
                ('conduct_2_secondary_kha', models.IntegerField(default=0)),
                ('conduct_2_secondary_dat', models.IntegerField(default=0)),
                ('conduct_2_secondary_chua_dat', models.IntegerField(default=0)),
                ('nutrition_severe_thin', models.IntegerField(default=0)),
                ('nutrition_underweight', models.IntegerField(default=0)),
                ('nutrition_normal', models.IntegerField(default=0)),
                ('nutrition_overweight', models.IntegerField(default=0)),
                ('nutrition_obese', models.IntegerField(default=0)),
                ('height_severe_stunted', models.IntegerField(default=0)),
                ('height_stunted', models.IntegerField(default=0)),
                ('height_normal', models.IntegerField(default=0)),
                ('fac_schools', models.IntegerField(default=0)),
                ('fac_sites', models.IntegerField(default=0)),
                ('fac_sites_water', models.IntegerField(default=0)),
                ('fac_sites_power', models.IntegerField(default=0)),
                ('fac_sites_internet', models.IntegerField(default=0)),
                ('fac_pupils', models.IntegerField(default=0)),
                ('fac_classes', models.IntegerField(default=0)),
                ('fac_classrooms', models.IntegerField(default=0)),
                ('fac_classrooms_solid', models.IntegerField(default=0)),
                ('fac_classrooms_semi_solid', models.IntegerField(default=0)),
                ('fac_classrooms_temporary', models.IntegerField(default=0)),
                ('fac_classrooms_borrowed', models.IntegerField(default=0)),
                ('fac_toilets', models.IntegerField(default=0)),
                ('fac_toilets_standard', models.IntegerField(default=0)),
                ('fac_computers_pupils', models.IntegerField(default=0)),
                ('fac_computers_teaching', models.IntegerField(default=0)),
                ('fac_equipment_required', models.IntegerField(default=0)),
                ('fac_equipment_present', models.IntegerField(default=0)),
                ('fac_std_assessed', models.IntegerField(default=0)),
                ('fac_std_level_1', models.IntegerField(default=0)),
                ('fac_std_level_2', models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name='officialfigures',
            index=models.Index(fields=['school_year', 'commune_id'], name='official_year_commune'),
        ),
        migrations.AddField(
            model_name='officialrollup',
            name='period',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reporting.reportingperiod'),
        ),
        migrations.AddIndex(
            model_name='officialrollup',
            index=models.Index(condition=models.Q(('commune_id', '')), fields=['period', 'province_id'], name='official_rollup_province_grain'),
        ),
        migrations.AddConstraint(
            model_name='officialrollup',
            constraint=models.UniqueConstraint(fields=('period', 'province_id', 'commune_id', 'level', 'ownership'), name='one_official_rollup_row'),
        ),
        # The rollup's metric columns are those of this migration's model (the frozen rows are read in SQL).
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
