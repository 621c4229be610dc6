"""Categories as admins manage them (/manage/categories/): create, edit, reorder, retire and
restore, merge. Every change is audited and clears the visitors' page cache. An idea never
loses its category: a retired one keeps its ideas, a merge moves them in one UPDATE."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from core.audit import audit_record
from core.pagecache import board_changed
from ideas.models import Category, Idea


def _unique_check(*, name: str, slug: str, exclude: int | None = None) -> None:
    others = Category.objects.exclude(pk=exclude) if exclude else Category.objects.all()
    errors = {}
    if others.filter(name__iexact=name).exists():
        errors["name"] = f"There is already a category called “{name}”."
    if others.filter(slug=slug).exists():
        errors["slug"] = f"The address /{slug}/ is taken by another category; choose another."
    if errors:
        raise ValidationError(errors)


def _clean(name: str, slug: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    slug = (slug or "").strip().lower() or slugify(name)[:60]
    if not name:
        raise ValidationError({"name": "Give the category a name."})
    if not slug:
        raise ValidationError({"slug": "Give the category an address of letters or digits."})
    return name, slug


@transaction.atomic
def category_create(*, actor, name: str, slug: str = "", description: str = "") -> Category:
    """A new category, last in the order. The slug is made from the name unless given."""
    name, slug = _clean(name, slug)
    _unique_check(name=name, slug=slug)
    last = Category.objects.aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            category = Category.objects.create(
                name=name,
                slug=slug,
                description=description.strip(),
                position=0 if last is None else last + 1,
            )
    except IntegrityError:  # another admin took the name or slug a moment ago
        raise ValidationError({"name": "That name or address was just taken."}) from None
    audit_record(actor=actor, action="category.created", target=category)
    board_changed()
    return category


@transaction.atomic
def category_update(
    *, actor, category: Category, name: str, slug: str, description: str = ""
) -> Category:
    """Rename, re-address or describe. Ideas follow: they point at the row."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    name, slug = _clean(name, slug)
    _unique_check(name=name, slug=slug, exclude=category.pk)
    before = {"name": category.name, "slug": category.slug, "description": category.description}
    category.name, category.slug, category.description = name, slug, description.strip()
    after = {"name": category.name, "slug": category.slug, "description": category.description}
    if before == after:
        return category
    try:
        with transaction.atomic():
            category.save(update_fields=["name", "slug", "description"])
    except IntegrityError:
        raise ValidationError({"name": "That name or address was just taken."}) from None
    audit_record(
        actor=actor, action="category.changed", target=category, before=before, after=after
    )
    board_changed()
    return category


@transaction.atomic
def category_move(*, actor, category: Category, offset: int) -> None:
    """Move one place up (-1) or down (+1) in the order the submit form and lists show.
    Positions are renumbered 0..n-1 under a lock, so concurrent moves can't collide."""
    ordered = list(Category.objects.select_for_update().order_by("position", "name", "pk"))
    index = next(i for i, c in enumerate(ordered) if c.pk == category.pk)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    changed = []
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
            changed.append(item)
    Category.objects.bulk_update(changed, ["position"])
    audit_record(
        actor=actor,
        action="category.moved",
        target=category,
        after={"position": target + 1, "of": len(ordered)},
    )
    board_changed()


@transaction.atomic
def category_retire(*, actor, category: Category, retired: bool = True) -> Category:
    """Retire (no new ideas; ideas and URL kept) or bring back a category. The last category
    that takes ideas can't be retired: the board would take no ideas at all."""
    # Every category locked: two admins retiring the last two open ones take turns, and the
    # second is refused.
    locked = {c.pk: c for c in Category.objects.select_for_update().order_by("pk")}
    category = locked[category.pk]
    if retired == category.is_retired:
        return category
    if retired and not Category.objects.active().exclude(pk=category.pk).exists():
        raise ValidationError("Keep at least one category open for new ideas.")
    if not retired and category.merged_into_id:
        raise ValidationError(
            "This category was merged into another; its ideas are there now. Create a new "
            "category instead."
        )
    category.retired_at = timezone.now() if retired else None
    category.save(update_fields=["retired_at"])
    audit_record(
        actor=actor, action="category.retired" if retired else "category.restored", target=category
    )
    board_changed()
    return category


@transaction.atomic
def category_merge(*, actor, source: Category, target: Category) -> int:
    """Move every idea of `source` into `target` and retire `source` (its URL leads to
    `target`). Returns how many ideas moved. The caller (actions.categories) also moves Storm
    Sessions' categories."""
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose another category to merge into."})
    locked = {
        c.pk: c for c in Category.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    if target.is_retired:
        raise ValidationError(
            {"target": f"“{target.name}” is retired: merge into an open category."}
        )
    if source.merged_into_id:
        raise ValidationError("This category was already merged.")
    moved = Idea.objects.filter(category=source).update(category=target)
    # Categories merged into the source earlier now lead to the target too.
    Category.objects.filter(merged_into=source).update(merged_into=target)
    source.retired_at = source.retired_at or timezone.now()
    source.merged_into = target
    source.save(update_fields=["retired_at", "merged_into"])
    audit_record(
        actor=actor,
        action="category.merged",
        target=source,
        after={"into": target.name, "ideas_moved": moved},
    )
    board_changed()
    return moved
