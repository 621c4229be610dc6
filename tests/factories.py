import factory
from django.utils import timezone

from accounts.models import User
from ideas.markdown import render_markdown
from ideas.models import Category, Idea


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"Idea number {n}")
    description = "Please build **this**."
    description_html = factory.LazyAttribute(lambda i: render_markdown(i.description))
    author = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    created_at = factory.LazyFunction(timezone.now)
