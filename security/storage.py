"""Static files storage for production: hashed names (safe to cache forever) and compressed
copies served by whitenoise."""
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    def keep(pattern) -> bool:
        regex = pattern[0] if isinstance(pattern, tuple) else pattern
        return "sourceMappingURL" not in regex

    return tuple((extension, tuple(p for p in group if keep(p))) for extension, group in patterns)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # Vendored minified libraries (Chart.js, ...) name source maps that we do not ship; leave
    # those comments alone instead of failing collectstatic on the missing .map files.
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
