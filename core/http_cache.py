"""Conditional GET for API reads (RFC 9110): a strong ETag hashed from the rendered body, and
304 Not Modified, with no body, when the client's If-None-Match already names it.

The body is still computed for a 304: what it saves is the transfer and the client's parsing.
Hashing the body rather than keeping a version number means the ETag can't go stale: it
changes exactly when the bytes do, the viewer's own vote (`my_vote`) included."""

import hashlib

from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    quote_etag,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

# What a response may differ by: the viewer (session cookie or token) and the renderer DRF
# picks from Accept (JSON, or the browsable API's HTML).
VARY = ("Accept", "Authorization", "Cookie")


def etag_of(content: bytes) -> str:
    """A strong entity tag for these bytes, quoted."""
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


class ConditionalGetMixin:
    """For an APIView: each 200 answer to GET or HEAD carries ETag, Vary and
    `Cache-Control: no-cache` (`private` too for a logged-in viewer), so a client or a cache
    may keep it but asks again each time, and gets a 304 while nothing changed."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False):
            return response
        response.render()
        response["ETag"] = etag_of(response.content)
        patch_vary_headers(response, VARY)
        patch_cache_control(response, no_cache=True)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return get_conditional_response(request, etag=response["ETag"], response=response)


# The schema of a view with the mixin: its parameters and its 304.
CONDITIONAL_GET_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The ETag of a copy the client holds: 304 with no body while it is current.",
    ),
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="A strong entity tag of the body; it changes whenever the body would, the "
        "viewer's own vote included.",
    ),
]
LINK_PARAMETER = OpenApiParameter(
    "Link",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description='The other pages (RFC 8288), e.g. `<https://host/api/ideas/?page=3>; rel="next"`: '
    'rel "first" and "prev" from page 2 on, "next" and "last" while more follow.',
)
NOT_MODIFIED = {
    304: OpenApiResponse(
        description="Not Modified: If-None-Match names the current ETag. No body; the ETag, "
        "Vary and Cache-Control headers are the 200's."
    )
}
