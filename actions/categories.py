"""A category merge reaches past ideas: Storm Sessions limited to the merged category take the
one it went into."""

from django.db import transaction

from ideas.categories import category_merge
from ideas.models import Category
from storms.services import storm_categories_replace


@transaction.atomic
def categories_merge(*, actor, source: Category, target: Category) -> int:
    moved = category_merge(actor=actor, source=source, target=target)
    storm_categories_replace(old_category_id=source.pk, new_category_id=target.pk)
    return moved
