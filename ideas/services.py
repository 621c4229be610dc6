from django.db import transaction
from django.utils import timezone

from ideas.markdown import render_markdown
from ideas.models import Category, Idea
from ideas.pagecache import board_changed


@transaction.atomic
def idea_create(*, author, title: str, description: str, category: Category) -> Idea:
    """Create an idea. It starts at score 0: the author may promote it like anyone else."""
    board_changed()
    return Idea.objects.create(
        author=author,
        title=title.strip(),
        description=description.strip(),
        description_html=render_markdown(description),
        category=category,
        created_at=timezone.now(),
    )
