from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from accounts.sessions import (
    SEEN_AT,
    TOUCH_EVERY,
    client_of,
    login_session_forget,
    login_session_rekey,
    login_session_touch,
)

TOUCH_EVERY_S = TOUCH_EVERY.total_seconds()


class LoginSessionMiddleware:
    """Keeps each logged-in session's record (accounts.sessions) current: when it was last
    used, written at most every TOUCH_EVERY (the last write's time is kept in the session, so
    most requests cost nothing), and its key, which Django changes at a log-in, a password
    change or a log-out. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._touch(request)
        response = self.get_response(request)
        self._follow_key(request)
        return response

    def _touch(self, request) -> None:
        session = request.session
        now = int(timezone.now().timestamp())
        if SESSION_KEY not in session or now - session.get(SEEN_AT, 0) < TOUCH_EVERY_S:
            return
        # Loads the user, as the view would, and checks the session's auth hash.
        if not request.user.is_authenticated:
            return
        session[SEEN_AT] = now
        login_session_touch(
            user=request.user,
            session_key=session.session_key,
            expires_at=session.get_expiry_date(),
            **client_of(request),
        )

    def _follow_key(self, request) -> None:
        old = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        session = getattr(request, "session", None)
        if not old or session is None:
            return
        new = session.session_key
        if new == old:
            return
        if new and SESSION_KEY in session and request.user.is_authenticated:
            login_session_rekey(user=request.user, old_key=old, new_key=new)
        else:
            login_session_forget(session_key=old)
