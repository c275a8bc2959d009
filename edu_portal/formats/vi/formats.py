"""Vietnamese number formats: Django's, with thousands grouped (1.553, 26.600.000). Django's own vi formats
name the separator "." but no grouping, so intcomma wrote 38809 where a Vietnamese reader expects 38.809."""
from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
