import factory
from django.utils import timezone

from accounts.models import User
from core.markdown import render_markdown
from ideas.models import Category, Idea
from ideas.search import search_documents_refresh


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")
    # Verified, as most members are; tests of unverified members set it to None.
    email_verified_at = factory.LazyFunction(timezone.now)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Idea number {n}")
    description = "Please build **this**."
    description_html = factory.LazyAttribute(lambda i: render_markdown(i.description))
    author = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def search_document(idea, create, extracted, **kwargs):
        # ideas.services writes the search row; a factory-made idea needs it too.
        if create:
            search_documents_refresh([idea.pk])


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    idea = factory.SubFactory(IdeaFactory)
    kind = "status"
    message = factory.LazyAttribute(lambda n: f"“{n.idea.title}” is now Planned.")
    created_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.Comment"

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = "I would use **this** every day."
    body_html = factory.LazyAttribute(lambda c: render_markdown(c.body))
    created_at = factory.LazyFunction(timezone.now)
