"""Vietnamese number formats: Django's own, with figures grouped by thousands (38.809), which Django's Vietnamese
locale leaves ungrouped (NUMBER_GROUPING 0), so that intcomma and number_format group as in English (38,809)."""
from django.conf.locale.vi.formats import *  # noqa: F403 - Django's Vietnamese formats, extended below

NUMBER_GROUPING = 3
