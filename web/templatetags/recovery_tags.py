from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("accounts/_recovery_links.html")
def recovery_links(next_url: str = "") -> dict:
    """`{% recovery_links next %}` on the log-in page: "Forgot your password?" and "Email me a
    sign-in link"; nothing when members log in by single sign-on only (IDEASTORM_SSO_ONLY)."""
    return {"show": not settings.IDEASTORM_SSO_ONLY, "next": next_url}
