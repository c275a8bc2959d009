"""Administrative units after the 2025 reform (34 provinces, 3,321 communes; no districts),
the 63 pre-2025 provinces whose codes personal ID numbers still carry, and the 54 ethnic groups."""
from django.db import models


class Province(models.Model):
    code = models.CharField("mã tỉnh", max_length=2, primary_key=True)
    name = models.CharField("tên", max_length=100)
    division_type = models.CharField("loại", max_length=40)
    codename = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "tỉnh/thành phố"
        verbose_name_plural = "tỉnh/thành phố"

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    code = models.CharField("mã xã", max_length=5, primary_key=True)
    name = models.CharField("tên", max_length=100)
    division_type = models.CharField("loại", max_length=40)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")

    class Meta:
        ordering = ["code"]
        verbose_name = "xã/phường"
        verbose_name_plural = "xã/phường"

    def __str__(self) -> str:
        return self.name


class LegacyProvince(models.Model):
    """A pre-2025 province: the first three digits of an ID number name the one of birth."""

    code = models.CharField("mã cũ", max_length=3, primary_key=True)
    name = models.CharField("tên", max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="legacy_provinces",
                                 verbose_name="tỉnh mới (sau 2025)")

    class Meta:
        ordering = ["code"]
        verbose_name = "tỉnh cũ (trước 2025)"
        verbose_name_plural = "tỉnh cũ (trước 2025)"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EthnicGroup(models.Model):
    """One of the 54 ethnic groups (Quyết định 121-TCTK/PPCĐ of 1979). Pupils and staff store the
    official name as text (their write path stays a plain column); uploads, forms and the API map
    the other spellings in `aliases` to it."""

    code = models.CharField("mã dân tộc", max_length=2, primary_key=True)
    name = models.CharField("tên chính thức", max_length=40, unique=True)
    aliases = models.JSONField("tên gọi khác", default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "dân tộc"
        verbose_name_plural = "dân tộc"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PopulationCount(models.Model):
    """Children living in a commune by single age and gender in a school year, as the population
    registry's statistics give them (thống kê dân số theo độ tuổi, xã): counts, no person. The
    denominators of the enrolment ratios (GER, NER, intake rate). A year's rows are replaced
    together when the registry is asked again (verification.population)."""

    school_year = models.PositiveSmallIntegerField("năm học")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+", verbose_name="tỉnh")
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name="xã")
    # By year of birth (school year - birth year), as the school ages of Luật Giáo dục 2019 are counted.
    age = models.PositiveSmallIntegerField("tuổi")
    gender = models.CharField("giới tính", max_length=1)
    count = models.PositiveIntegerField("số trẻ")
    fetched_at = models.DateTimeField("lấy lúc")

    class Meta:
        verbose_name = "dân số theo độ tuổi"
        verbose_name_plural = "dân số theo độ tuổi"
        constraints = [models.UniqueConstraint(fields=["school_year", "commune", "age", "gender"],
                                               name="one_population_count_per_cell")]
        indexes = [models.Index(fields=["school_year", "province"], name="population_year_province"),
                   models.Index(fields=["fetched_at"], name="population_fetched_at")]

    def __str__(self) -> str:
        return f"{self.school_year}/{self.commune_id}/{self.age}{self.gender}: {self.count}"
