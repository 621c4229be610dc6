"""What every template may ask about the whole site: `demo` (IDEASTORM_DEMO), so base.html can
say on each page that the board is a demo with public logins (includes/demo_banner.html)."""

from django.conf import settings
from django.http import HttpRequest


def demo(request: HttpRequest) -> dict:
    return {"demo": settings.IDEASTORM_DEMO}
