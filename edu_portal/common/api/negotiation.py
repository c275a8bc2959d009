"""Content negotiation that refuses `?format=` with no value instead of silently picking JSON."""
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if name and name in request.query_params and not request.query_params.get(name, "").strip():
            raise ValidationError({name: ["Không được để trống."]})
        return super().select_renderer(request, renderers, format_suffix)
