import datetime as dt

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.roles import is_product_manager

register = template.Library()


@register.inclusion_tag("pm/link.html", takes_context=True)
def pm_link(context) -> dict:
    """`{% pm_link %}`: the header's link to the dashboard, for product managers only."""
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {
        # The request's user carries its roles (User.objects.with_roles): no query here.
        "show": is_product_manager(user),
        "current": (current or "").startswith("pm-"),
    }


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A wait in the largest unit that reads well: "3.5 days", "5 hours", "20 minutes"."""
    if value is None:
        return _("none yet")
    hours = value.total_seconds() / 3600
    if hours >= 48:
        days = round(hours / 24, 1)
        return _("%(n)s days") % {"n": f"{days:g}"}
    if hours >= 1:
        n = round(hours)
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    n = max(0, round(value.total_seconds() / 60))
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


@register.filter
def percent(value: float | None) -> str:
    return _("n/a") if value is None else f"{round(value * 100)}%"
