from django.contrib.auth.models import AbstractUser

PRODUCT_MANAGERS = "Product managers"
MODERATORS = "Moderators"
ROLE_GROUPS = {"pm": PRODUCT_MANAGERS, "moderator": MODERATORS}


class User(AbstractUser):
    """A member of the board. Custom from day one so fields can be added without pain."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def _in_group(self, name: str) -> bool:
        if not self.is_authenticated:
            return False
        if self.is_superuser:
            return True
        # Cached per instance: templates ask several times per page.
        cache = self.__dict__.setdefault("_group_names", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self.__dict__["_group_names"] = cache
        return name in cache

    @property
    def is_product_manager(self) -> bool:
        return self._in_group(PRODUCT_MANAGERS)

    @property
    def is_moderator(self) -> bool:
        return self._in_group(MODERATORS)
