class IdConverter:
    """An id in a URL: digits that fit a 64-bit integer column, so a huge number is a 404
    rather than an overflow in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class UsernameConverter:
    """A username in a URL: anything but a slash or a control character, which no username
    holds (PostgreSQL refuses a NUL in a query outright), so such a name is a 404 before any
    view or query sees it."""

    regex = r"[^/\x00-\x1f\x7f-\x9f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
