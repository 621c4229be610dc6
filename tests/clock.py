import datetime as dt


class Clock:
    """Stands in for the wall clock (django.utils.timezone.now) so tests can move time."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now
