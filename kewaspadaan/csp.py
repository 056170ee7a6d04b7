"""Content Security Policy exceptions. The portal's policy is ``SECURE_CSP`` (settings): only
its own files, no inline script or style. Two pages of third-party HTML carry inline style
attributes and a <style> block: Swagger UI (``/api/docs/``) and DRF's browsable API. For
those pages only, styles may be inline; scripts stay 'self' everywhere."""

from django.conf import settings
from django.utils.csp import CSP
from rest_framework.renderers import BrowsableAPIRenderer


def docs_policy() -> dict:
    return {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}


class PortalBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's HTML view of the API, under the docs policy (its template has style= attributes)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_config = docs_policy()
        return super().render(data, accepted_media_type, renderer_context)
