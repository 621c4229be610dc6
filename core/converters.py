class IdConverter:
    """An id in a URL: digits that fit a 64-bit integer column, so a huge number is a 404
    rather than an overflow in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
