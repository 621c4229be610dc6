"""Load a demo board that reads like a real one: categories, the demo cast, customers, ideas
and votes spread over months; the hand-written ideas also get tags, their status history with
official responses, and discussions. The same --seed gives the same board; big sizes load in
bulk."""

import io
import random
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from accounts.models import MODERATORS, PRODUCT_MANAGERS, User
from comments.models import Comment
from core.markdown import render_markdown
from demo import content
from ideas.models import Category, Idea, IdeaSearch, Status, StatusChange, Tag
from ideas.search import search_documents_refresh
from storms.models import StormSession
from votes.models import Vote
from votes.rebuild import rankings_rebuild

DEFAULT_USERS = 150  # enough voters that popular ideas can pull far ahead of the long tail
DEFAULT_VOTES = 1500
DEFAULT_SEED = 2007

HOUR = 3600
DAY = 24 * HOUR
BOARD_AGE = 240 * DAY  # the board opened about eight months ago
BATCH_SIZE = 2000
VOTE_CHUNK = 50_000
RECENT_SHARE = 0.03  # share of an ordinary idea's votes cast in the last few days
HOT_SHARE = 0.45  # share of a hot idea's votes cast in the last week
POPULARITY_SKEW = 1.5  # > 1 lets the favourites pull further ahead of the long tail

GENERATED_STATUSES = {
    Status.NEW: 80,
    Status.UNDER_REVIEW: 6,
    Status.PLANNED: 4,
    Status.IN_PROGRESS: 2,
    Status.IMPLEMENTED: 3,
    Status.DECLINED: 2,
    Status.DUPLICATE: 2,
    Status.ARCHIVED: 1,
}

# The steps a hand-written idea took from "new" to its status; its response comes with the last.
STATUS_PATHS = {
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.PLANNED: [Status.UNDER_REVIEW, Status.PLANNED],
    Status.IN_PROGRESS: [Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS],
    Status.IMPLEMENTED: [Status.UNDER_REVIEW, Status.PLANNED, Status.IMPLEMENTED],
    Status.DECLINED: [Status.UNDER_REVIEW, Status.DECLINED],
    Status.DUPLICATE: [Status.DUPLICATE],
    Status.ARCHIVED: [Status.ARCHIVED],
}
RESPONDER = "pat"  # the demo product manager


@dataclass
class Person:
    username: str
    first_name: str
    last_name: str
    joined: int  # epoch seconds
    activity: float  # relative weight as author and voter


@dataclass
class PlannedChange:
    old_status: str
    new_status: str
    response: str
    created: int  # epoch seconds


@dataclass
class PlannedComment:
    author: str  # username
    body: str
    created: int  # epoch seconds
    replies: list["PlannedComment"] = field(default_factory=list)


@dataclass
class PlannedIdea:
    title: str
    category: str  # slug
    status: str
    created: int  # epoch seconds
    author: str  # username
    description: str
    popularity: float
    hot: bool
    demote_rate: float
    # Only the hand-written ideas have these; DemoPlan.stories() fills the last two.
    tags: list[str] = field(default_factory=list)
    history: list[PlannedChange] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)

    @property
    def last_response(self) -> PlannedChange | None:
        """The step whose response the idea shows, as idea_status_set leaves it."""
        return next((c for c in reversed(self.history) if c.response), None)


class DemoPlan:
    """Everything the demo contains, drawn from one random.Random(seed) without touching the
    database, so the same seed always gives the same board (relative to `now`)."""

    def __init__(self, *, seed: int, now: int):
        self.rng = random.Random(seed)
        # Histories and discussions draw from their own stream, so they leave votes unchanged.
        self.story_rng = random.Random(f"{seed}/stories")
        self.now = now
        self.launch = now - BOARD_AGE
        self._html_cache: dict[str, str] = {}

    def named_people(self) -> list[Person]:
        joined = self.launch - 5 * DAY
        return [
            Person(username, first, last, joined, 1.0)
            for username, first, last, _group, _superuser in content.NAMED_USERS
        ]

    def customers(self, count: int, taken: set[str]) -> list[Person]:
        rng, people = self.rng, []
        taken = set(taken)
        while len(people) < count:
            first = rng.choice(content.FIRST_NAMES)
            last = rng.choice(content.LAST_NAMES)
            username = self._username(first, last)
            if username in taken:
                continue
            taken.add(username)
            # A launch rush in the first two weeks, then a steady trickle of sign-ups.
            if rng.random() < 0.3:
                joined = self.launch + rng.randrange(14 * DAY)
            else:
                joined = self.launch + rng.randrange(BOARD_AGE - DAY)
            activity = rng.lognormvariate(0, 1)
            people.append(Person(username, first.title(), last.title(), joined, activity))
        return people

    def _username(self, first: str, last: str) -> str:
        rng = self.rng
        style = rng.random()
        if style < 0.35:
            return f"{first}{rng.randint(1, 99)}"
        if style < 0.55:
            return f"{first}.{last[0]}"
        if style < 0.7:
            return f"{first}_{last}"
        if style < 0.85:
            return f"{first}{last[0]}{rng.randint(60, 99)}"
        return f"{rng.choice(content.HANDLES)}_{first}"

    def ideas(self, count: int, authors: list[Person]) -> list[PlannedIdea]:
        rng = self.rng
        cum = _cumulative([a.activity for a in authors])
        planned = []
        for spec in content.IDEAS[:count]:
            created = self.now - spec["days_ago"] * DAY - rng.randrange(12 * HOUR)
            author = content.IDEA_AUTHORS.get(spec["title"]) or self._author(
                authors, cum, before=created
            )
            planned.append(
                PlannedIdea(
                    title=spec["title"],
                    category=spec["category"],
                    status=spec["status"],
                    created=created,
                    author=author,
                    description=spec["body"],
                    popularity=spec["popularity"],
                    hot=spec.get("hot", False),
                    demote_rate=spec.get("demote_rate", 0.12),
                    tags=spec["tags"],
                )
            )
        categories = sorted(content.TEMPLATES)
        for _ in range(count - len(planned)):
            author = rng.choices(authors, cum_weights=cum)[0]
            start = max(self.launch, author.joined)
            # Boards grow: slightly more new ideas towards the present.
            created = start + int((self.now - HOUR - start) * rng.random() ** 0.8)
            category = rng.choice(categories)
            title = self._title(category)
            age = (self.now - created) / BOARD_AGE
            if self.now - created < 14 * DAY:
                status = Status.NEW
            else:
                status = rng.choices(
                    list(GENERATED_STATUSES), weights=list(GENERATED_STATUSES.values())
                )[0]
            planned.append(
                PlannedIdea(
                    title=title,
                    category=category,
                    status=status,
                    created=created,
                    author=author.username,
                    description=self._description(category),
                    # Capped long tail, below the hand-written favourites; older ideas have
                    # had longer to collect votes.
                    popularity=min(rng.paretovariate(1.5), 30.0) * (0.2 + age) ** 0.5,
                    hot=False,
                    demote_rate=rng.betavariate(2, 11),
                )
            )
        return planned

    def stories(self, ideas: list[PlannedIdea], customers: list[Person]) -> None:
        """Give the hand-written ideas their status history and discussion."""
        for idea, spec in zip(ideas, content.IDEAS, strict=False):
            idea.history = self._history(idea, spec.get("response", ""))
            discussion = content.DISCUSSIONS.get(idea.title, [])
            idea.comments = self._discussion(idea, discussion, customers)

    def _history(self, idea: PlannedIdea, response: str) -> list[PlannedChange]:
        steps = STATUS_PATHS.get(idea.status, [])
        # Product managers answer once an idea has gathered votes, leaving time for comments.
        span = self.now - HOUR - idea.created
        times = sorted(idea.created + int(span * self.story_rng.uniform(0.1, 0.8)) for _ in steps)
        history, old = [], Status.NEW
        for n, (new, created) in enumerate(zip(steps, times, strict=True)):
            last = n == len(steps) - 1
            history.append(PlannedChange(old, new, response if last else "", created))
            old = new
        return history

    def _discussion(
        self, idea: PlannedIdea, specs: list[dict], customers: list[Person]
    ) -> list[PlannedComment]:
        rng = self.story_rng
        decided = idea.history[-1].created if idea.history else None
        taken = {idea.author}
        comments = []
        for after in (False, True):
            group = [s for s in specs if bool(s.get("after_response") and decided) == after]
            start, end = (
                (decided, self.now - HOUR) if after else (idea.created, decided or self.now - HOUR)
            )
            # Talk is busiest just after an idea is posted and just after it is answered.
            times = sorted(start + int((end - start) * rng.uniform(0.1, 0.97) ** 2) for _ in group)
            for spec, created in zip(group, times, strict=True):
                comment = PlannedComment(
                    self._commenter(spec["by"], idea, created, taken, customers),
                    spec["body"],
                    created,
                )
                if reply := spec.get("reply"):
                    replied = created + int((end - created) * rng.uniform(0.05, 0.5)) + 60
                    author = self._commenter(
                        reply["by"], idea, replied, taken, customers, replying_to=comment.author
                    )
                    comment.replies.append(PlannedComment(author, reply["body"], replied))
                comments.append(comment)
        return comments

    def _commenter(
        self,
        who: str,
        idea: PlannedIdea,
        at: int,
        taken: set[str],
        customers: list[Person],
        *,
        replying_to: str | None = None,
    ) -> str:
        """The username behind a discussion's "by": a demo login, the idea's author ("op") or a
        customer who had joined by then and hasn't spoken yet in this discussion. Nobody
        replies to themselves."""
        if who != "customer":
            username = idea.author if who == "op" else who
            if username != replying_to:  # else "op" wrote the comment: a customer answers
                taken.add(username)
                return username
        for _ in range(50 if customers else 0):
            person = self.story_rng.choice(customers)
            if person.joined < at and person.username not in taken | {replying_to}:
                taken.add(person.username)
                return person.username
        # Too few customers: the cast speak up, again if they must.
        spare = [n for n in content.NAMED_VOTERS if n != replying_to]
        return next((n for n in spare if n not in taken), spare[0])

    def _author(self, authors: list[Person], cum: list[float], *, before: int) -> str:
        for _ in range(50):
            author = self.rng.choices(authors, cum_weights=cum)[0]
            if author.joined < before:
                return author.username
        return content.NAMED_VOTERS[0]

    def _title(self, category: str) -> str:
        rng = self.rng
        template = rng.choice(content.TEMPLATES[category])
        slots = {name: rng.choice(values) for name, values in content.SLOTS.items()}
        return template.format(**slots)

    def _description(self, category: str) -> str:
        rng = self.rng
        reasons = rng.sample(content.REASONS[category], 2 if rng.random() < 0.3 else 1)
        return "\n\n".join([*reasons, rng.choice(content.CLOSERS)])

    def html(self, text: str) -> str:
        # Generated descriptions repeat a lot; rendering each distinct text once saves seconds.
        if text not in self._html_cache:
            self._html_cache[text] = render_markdown(text)
        return self._html_cache[text]

    def vote_counts(self, ideas: list[PlannedIdea], total: int, cap: int) -> list[int]:
        """Split `total` votes over the ideas in proportion to popularity, at most `cap` each
        (one vote per voter), summing exactly to `total`."""
        if not total:
            return [0] * len(ideas)
        weights = [idea.popularity**POPULARITY_SKEW for idea in ideas]
        scale = total / sum(weights)
        counts = [min(cap, int(w * scale)) for w in weights]
        remaining = total - sum(counts)
        while remaining:
            open_ = [i for i, c in enumerate(counts) if c < cap]
            picks = self.rng.choices(open_, weights=[weights[i] for i in open_], k=remaining)
            for i in picks:
                if counts[i] < cap and remaining:
                    counts[i] += 1
                    remaining -= 1
        return counts

    def votes(
        self, ideas: list[PlannedIdea], voters: list[Person], total: int
    ) -> Iterator[list[tuple[int, int, int, int]]]:
        """Yield chunks of (voter index, idea index, value, created epoch seconds)."""
        rng, now = self.rng, self.now
        counts = self.vote_counts(ideas, total, len(voters))
        cum = _cumulative([v.activity for v in voters])
        indices = range(len(voters))
        chunk = []
        for idea_index, (idea, count) in enumerate(zip(ideas, counts, strict=True)):
            recent_share = HOT_SHARE if idea.hot else RECENT_SHARE
            recent_window = 7 * DAY if idea.hot else 3 * DAY
            for voter_index in self._pick_voters(indices, cum, count):
                low = max(idea.created, voters[voter_index].joined) + 60
                span = now - low
                if rng.random() < recent_share:
                    created = now - int(rng.random() * min(span, recent_window))
                else:
                    # Most votes come while an idea is fresh; the rest trickle in later.
                    u = rng.random()
                    created = low + int(span * (u**3 if rng.random() < 0.6 else u))
                value = -1 if rng.random() < idea.demote_rate else 1
                chunk.append((voter_index, idea_index, value, created))
                if len(chunk) >= VOTE_CHUNK:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def _pick_voters(self, indices: range, cum: list[float], count: int) -> list[int]:
        """`count` distinct voters, the active ones more likely."""
        rng = self.rng
        if count * 3 > len(indices):
            return rng.sample(indices, count)
        picked, seen = [], set()
        while len(picked) < count:
            for i in rng.choices(indices, cum_weights=cum, k=2 * (count - len(picked)) + 4):
                if i not in seen:
                    seen.add(i)
                    picked.append(i)
                    if len(picked) == count:
                        break
        return picked


def _cumulative(weights: list[float]) -> list[float]:
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total)
    return cum


def _as_datetime(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class Progress:
    """A text progress bar: redrawn in place on a terminal, a line per tenth otherwise."""

    WIDTH = 30

    def __init__(self, stdout, label: str, total: int, enabled: bool):
        self.stdout, self.label, self.total = stdout, label, total
        self.enabled = enabled and total > 0
        self.tty = self.enabled and stdout.isatty()
        self.shown_tenth = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        filled = self.WIDTH * done // self.total
        line = f"{self.label:<7}[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{self.total}"
        if self.tty:
            self.stdout.write("\r" + line, ending="\n" if done >= self.total else "")
            self.stdout.flush()
        elif (tenth := 10 * done // self.total) > self.shown_tenth:
            self.shown_tenth = tenth
            self.stdout.write(line)


class Command(BaseCommand):
    help = "Load demo data: categories, demo logins, customers, ideas and votes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            type=int,
            default=DEFAULT_USERS,
            help=f"users in all, the demo logins included (default {DEFAULT_USERS})",
        )
        parser.add_argument(
            "--ideas",
            type=int,
            default=len(content.IDEAS),
            help=f"ideas; beyond the {len(content.IDEAS)} hand-written ones they are generated",
        )
        parser.add_argument(
            "--votes", type=int, default=DEFAULT_VOTES, help=f"votes (default {DEFAULT_VOTES})"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same data"
        )

    def handle(self, *args, users: int, ideas: int, votes: int, seed: int, **options):
        if min(users, ideas, votes) < 0:
            raise CommandError("--users, --ideas and --votes can't be negative.")
        existing = Idea.objects.count()
        if existing:
            self.stdout.write(
                f"Demo data already loaded: the board has {existing} ideas. Nothing to do."
            )
            return
        self.verbose = options["verbosity"] >= 1
        started = time.monotonic()
        plan = DemoPlan(seed=seed, now=int(time.time()))

        named = plan.named_people()
        taken = set(User.objects.values_list("username", flat=True))
        taken.update(p.username for p in named)
        customers = plan.customers(max(0, users - len(named)), taken)
        members = [p for p in named if p.username in content.NAMED_VOTERS]
        voters = customers + members
        if votes > ideas * len(voters):
            raise CommandError(
                f"{votes} votes don't fit: {len(voters)} voters can cast at most one vote on "
                f"each of {ideas} ideas ({ideas * len(voters)} in all)."
            )

        with transaction.atomic():
            categories = self._categories()
            user_ids = self._users(named, customers)
            planned = plan.ideas(ideas, voters)
            plan.stories(planned, customers)
            idea_ids = self._ideas(plan, planned, categories, user_ids)
            comment_count = self._stories(plan, planned, idea_ids, user_ids)
            self._storm_session(plan, categories, user_ids)
            voter_ids = [user_ids[v.username] for v in voters]
            vote_count = self._votes(plan.votes(planned, voters, votes), votes, voter_ids, idea_ids)
            rankings_rebuild()
            if self.verbose:
                self.stdout.write("Indexing ideas for search")
            search_documents_refresh()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (User, Idea, Vote, IdeaSearch):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

        if self.verbose:
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded in {seconds:.1f}s: {len(categories)} categories, "
                    f"{User.objects.count()} users, {len(idea_ids)} ideas, {vote_count} votes, "
                    f"{comment_count} comments."
                )
            )
            self.stdout.write(
                f"Log in with password {content.DEMO_PASSWORD!r} as: {_cast()} "
                "(in demo mode, IDEASTORM_DEMO=true, or with DEBUG on)."
            )

    def _categories(self) -> dict[str, Category]:
        categories = {}
        for position, (name, slug, description) in enumerate(content.CATEGORIES):
            categories[slug], _ = Category.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )
        return categories

    def _users(self, named: list[Person], customers: list[Person]) -> dict[str, int]:
        # One hash for everyone: hashing thousands of passwords would take minutes.
        password = make_password(content.DEMO_PASSWORD)
        for person, (_, _, _, group, superuser) in zip(named, content.NAMED_USERS, strict=True):
            user, _ = User.objects.get_or_create(
                username=person.username,
                defaults={
                    **_user_fields(person, password),
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            if group:
                user.groups.add(Group.objects.get_or_create(name=group)[0])
        progress = Progress(self.stdout, "users", len(customers), self.verbose)
        for start in range(0, len(customers), BATCH_SIZE):
            batch = customers[start : start + BATCH_SIZE]
            User.objects.bulk_create([User(**_user_fields(p, password)) for p in batch])
            progress.update(start + len(batch))
        wanted = [p.username for p in named + customers]
        return dict(User.objects.filter(username__in=wanted).values_list("username", "id"))

    def _ideas(
        self,
        plan: DemoPlan,
        planned: list[PlannedIdea],
        categories: dict[str, Category],
        user_ids: dict[str, int],
    ) -> list[int]:
        progress = Progress(self.stdout, "ideas", len(planned), self.verbose)
        for start in range(0, len(planned), BATCH_SIZE):
            batch = planned[start : start + BATCH_SIZE]
            Idea.objects.bulk_create(
                [
                    Idea(
                        title=p.title,
                        description=p.description,
                        description_html=plan.html(p.description),
                        author_id=user_ids[p.author],
                        category=categories[p.category],
                        status=p.status,
                        created_at=_as_datetime(p.created),
                        **_response_fields(plan, p, user_ids),
                    )
                    for p in batch
                ]
            )
            progress.update(start + len(batch))
        # The board was empty, so ids ascend in plan order.
        return list(Idea.objects.order_by("id").values_list("id", flat=True))

    def _storm_session(self, plan: DemoPlan, categories: dict, user_ids: dict[str, int]) -> None:
        """One Storm Session running now, with the hand-written ideas filed in it."""
        spec = content.STORM_SESSION
        started = _as_datetime(plan.now - spec["started_days_ago"] * DAY)
        # By slug: a board cleared of its ideas keeps its sessions.
        session, _ = StormSession.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "description": spec["description"],
                "description_html": render_markdown(spec["description"]),
                "starts_at": started,
                "ends_at": _as_datetime(plan.now + spec["ends_in_days"] * DAY),
                "created_by_id": user_ids.get("pat"),
                "created_at": started,
                "opened_at": started,
                "closed_at": None,
            },
        )
        session.categories.set([categories[slug] for slug in spec["categories"]])
        Idea.objects.filter(title__in=spec["ideas"]).update(session=session)

    def _stories(
        self,
        plan: DemoPlan,
        planned: list[PlannedIdea],
        idea_ids: list[int],
        user_ids: dict[str, int],
    ) -> int:
        """Tags, status histories and discussions of the hand-written ideas, each in bulk.
        Returns the number of comments."""
        told = list(zip(idea_ids, planned, strict=True))
        slugs = {slugify(name): name for _, p in told for name in p.tags}
        # Tags outlive ideas (a board cleared by hand keeps them): reuse what is there.
        Tag.objects.bulk_create(
            [Tag(name=name, slug=slug) for slug, name in sorted(slugs.items())],
            ignore_conflicts=True,
        )
        tag_ids = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "id"))
        IdeaTag = Idea.tags.through
        IdeaTag.objects.bulk_create(
            [
                IdeaTag(idea_id=idea_id, tag_id=tag_ids[slugify(name)])
                for idea_id, p in told
                for name in p.tags
            ]
        )
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    idea_id=idea_id,
                    actor_id=user_ids[RESPONDER],
                    old_status=change.old_status,
                    new_status=change.new_status,
                    response=change.response,
                    response_html=plan.html(change.response) if change.response else "",
                    created_at=_as_datetime(change.created),
                )
                for idea_id, p in told
                for change in p.history
            ]
        )
        # Top-level comments first: their new ids are the replies' parents.
        threads = [(idea_id, c) for idea_id, p in told for c in p.comments]
        parents = Comment.objects.bulk_create(
            [_comment(idea_id, c, user_ids) for idea_id, c in threads]
        )
        replies = Comment.objects.bulk_create(
            [
                _comment(idea_id, reply, user_ids, parent=parent)
                for (idea_id, c), parent in zip(threads, parents, strict=True)
                for reply in c.replies
            ]
        )
        return len(parents) + len(replies)

    def _votes(
        self,
        chunks: Iterator[list[tuple[int, int, int, int]]],
        total: int,
        voter_ids: list[int],
        idea_ids: list[int],
    ) -> int:
        progress = Progress(self.stdout, "votes", total, self.verbose)
        copy = connection.vendor == "postgresql"
        done = 0
        for chunk in chunks:
            if copy:
                _copy_votes(chunk, voter_ids, idea_ids)
            else:
                Vote.objects.bulk_create(
                    [
                        Vote(
                            voter_id=voter_ids[v],
                            idea_id=idea_ids[i],
                            value=value,
                            created_at=_as_datetime(created),
                        )
                        for v, i, value, created in chunk
                    ],
                    batch_size=BATCH_SIZE,
                )
            done += len(chunk)
            progress.update(done)
        return done


def _copy_votes(chunk, voter_ids: list[int], idea_ids: list[int]) -> None:
    """COPY one chunk of votes into PostgreSQL: an order of magnitude faster than INSERTs."""
    buffer = io.StringIO()
    buffer.writelines(
        f"{voter_ids[v]}\t{idea_ids[i]}\t{value}\t"
        f"{time.strftime('%Y-%m-%d %H:%M:%S+00', time.gmtime(created))}\n"
        for v, i, value, created in chunk
    )
    buffer.seek(0)
    table = connection.ops.quote_name(Vote._meta.db_table)
    sql = f"COPY {table} (voter_id, idea_id, value, created_at) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)  # psycopg2's raw cursor


def _response_fields(plan: DemoPlan, idea: PlannedIdea, user_ids: dict[str, int]) -> dict:
    """The idea's official response as idea_status_set leaves it: the latest one given."""
    change = idea.last_response
    if change is None:
        return {}
    return {
        "response": change.response,
        "response_html": plan.html(change.response),
        "responded_at": _as_datetime(change.created),
        "responded_by_id": user_ids[RESPONDER],
    }


def _comment(
    idea_id: int, comment: PlannedComment, user_ids: dict[str, int], parent: Comment | None = None
) -> Comment:
    return Comment(
        idea_id=idea_id,
        author_id=user_ids[comment.author],
        parent=parent,
        body=comment.body,
        body_html=render_markdown(comment.body),
        created_at=_as_datetime(comment.created),
    )


# Staff have no customer segment.
STAFF = {u for u, _first, _last, group, superuser in content.NAMED_USERS if group or superuser}


def _segment(username: str) -> str:
    """A fixed segment per customer, from the name (not the seed's random stream, so boards
    stay the same): about 60% consumers, 25% small businesses, 15% enterprises."""
    bucket = zlib.crc32(username.encode()) % 20
    if bucket < 12:
        return User.Segment.CONSUMER
    return User.Segment.SMALL_BUSINESS if bucket < 17 else User.Segment.ENTERPRISE


def _user_fields(person: Person, password: str) -> dict:
    return {
        "segment": "" if person.username in STAFF else _segment(person.username),
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": f"{person.username}@example.com",
        "password": password,
        "date_joined": _as_datetime(person.joined),
        # Demo addresses (example.com) count as verified, as a real member's would after the link.
        "email_verified_at": _as_datetime(person.joined),
        # The password is public: it logs in only in demo mode or with DEBUG on.
        "is_demo": True,
    }


def _cast() -> str:
    """The demo logins and their roles, for the closing message."""
    roles = {PRODUCT_MANAGERS: "product manager", MODERATORS: "moderator"}
    return ", ".join(
        f"{username} ({'superuser' if superuser else roles.get(group, 'member')})"
        for username, _first, _last, group, superuser in content.NAMED_USERS
    )
