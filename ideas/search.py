"""Search: full-text with ranking and highlights, and similar-idea lookups.

On PostgreSQL the documents live in ideas_ideasearch (a tsvector with a GIN index, and the
title with a trigram index), written when an idea is created or edited. websearch_to_tsquery
accepts anything a person types (quotes, operators, symbols) without an error. On SQLite a
plain substring match stands in for search, with the same highlighting; similar ideas come
from an FTS5 table (ideas_idea_fts, migration 0007) written alongside, ranked by bm25.
"""

import hashlib
import re
from collections import Counter

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.cache import cache
from django.db import connection as default_connection
from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import pagecache
from ideas.models import Idea

CONFIG = "english"
# ts_headline marks matches with these; highlight() escapes the text, then turns them into
# <mark>, so user text never reaches the page as markup.
START, STOP = "\x02", "\x03"
SIMILAR_LIMIT = 5
# Similar ideas: how many candidates each index offers, and the least relevance shown.
CANDIDATES = 40
MIN_RELEVANCE = 0.1
# SQLite: the FTS5 table of titles and descriptions (rowid = the idea's id), the weight of a
# title match against a description match in bm25, and the most title words asked for.
FTS_TABLE = "ideas_idea_fts"
FTS_TITLE_WEIGHT = 4.0
FTS_MAX_TERMS = 8
# Words too common to tell two ideas apart on SQLite.
_STOP_WORDS = {
    "the", "and", "for", "with", "that", "this", "from", "into", "your", "have", "should",
    "would", "could", "please", "make", "more", "less", "able", "when", "what", "there",
    "are", "but", "not", "you", "all", "can", "our", "out", "use", "was", "has", "had", "its",
    "let", "get", "add", "allow", "want", "need", "like", "also", "some", "any", "new", "way",
    "via", "per", "them", "they", "then", "than", "too", "very", "just", "option",
}  # fmt: skip


def _is_postgres(connection=None) -> bool:
    return (connection or default_connection).vendor == "postgresql"


def search_documents_refresh(idea_ids: list[int] | None = None, *, connection=None) -> None:
    """(Re)write the search rows of these ideas (all when None) from the ideas table."""
    connection = connection or default_connection
    if _is_postgres(connection):
        document = (
            f"setweight(to_tsvector('{CONFIG}', i.title), 'A') || "
            f"setweight(to_tsvector('{CONFIG}', i.description), 'B')"
        )
    else:
        document = "NULL"
    # SQLite needs a WHERE to tell the upsert's ON CONFLICT from a join's ON.
    where, params = "WHERE 1 = 1", []
    if idea_ids is not None:
        if not idea_ids:
            return
        where = f"WHERE i.id IN ({', '.join(['%s'] * len(idea_ids))})"
        params = list(idea_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO ideas_ideasearch (idea_id, title, document)
            SELECT i.id, i.title, {document} FROM ideas_idea i {where}
            ON CONFLICT (idea_id) DO UPDATE
               SET title = excluded.title, document = excluded.document
            """,
            params,
        )
        if not _is_postgres(connection) and _fts_ready(cursor):
            _fts_refresh(cursor, where, params)


def _fts_ready(cursor) -> bool:
    """Whether the FTS5 table exists (not yet while the migrations before 0007 run)."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
    return cursor.fetchone() is not None


def _fts_refresh(cursor, where: str, params: list) -> None:
    rowids = where.replace("i.id", "rowid") if params else ""
    cursor.execute(f"DELETE FROM {FTS_TABLE} {rowids}", params)
    cursor.execute(
        f"""INSERT INTO {FTS_TABLE} (rowid, title, description)
            SELECT i.id, i.title, i.description FROM ideas_idea i {where}""",
        params,
    )


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if len(w) > 1]


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """Ideas matching the search text, annotated with `title_hl` and `snippet_hl` (text with
    START/STOP around matches) for highlight(). The order is left to the caller."""
    text = text.strip()
    if not text:
        return queryset
    if _is_postgres():
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        options = {"config": CONFIG, "start_sel": START, "stop_sel": STOP}
        return queryset.filter(search_doc__document=query).annotate(
            title_hl=SearchHeadline("title", query, highlight_all=True, **options),
            snippet_hl=SearchHeadline(
                "description", query, max_words=30, min_words=12, max_fragments=2, **options
            ),
        )
    condition = Q()
    for word in words(text)[:8] or [text]:
        condition &= Q(title__icontains=word) | Q(description__icontains=word)
    return queryset.filter(condition)


def _mark_words(text: str, terms: list[str]) -> str:
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)


def highlight(marked: str) -> SafeString:
    """Escape text carrying START/STOP markers and turn the markers into <mark>."""
    html = escape(marked.replace(START, "\x00s").replace(STOP, "\x00e"))
    return mark_safe(html.replace("\x00s", "<mark>").replace("\x00e", "</mark>"))


def highlights(idea, text: str) -> tuple[SafeString, SafeString]:
    """The idea's highlighted title and a highlighted snippet of its description."""
    title = getattr(idea, "title_hl", None)
    snippet = getattr(idea, "snippet_hl", None)
    if title is None:  # the SQLite fallback
        terms = words(text)
        title = _mark_words(idea.title, terms)
        description = idea.description
        first = min(
            (m.start() for t in terms if (m := re.search(re.escape(t), description, re.I))),
            default=0,
        )
        start = max(0, first - 80)
        snippet = ("…" if start else "") + _mark_words(description[start : start + 200], terms)
    return highlight(title), highlight(snippet)


def similar(queryset: QuerySet, title: str, *, limit: int = SIMILAR_LIMIT) -> list:
    """Up to `limit` ideas from the queryset whose title or description resembles the title
    being typed, best first. PostgreSQL: trigram similarity of titles plus the full-text rank
    of any of the title's words; SQLite: FTS5's bm25 over the ideas sharing most of its words."""
    title = title.strip()[:200]
    if len(title) < 3:
        return []
    if _is_postgres():
        # Candidates first, each from an index: the titles nearest by trigram distance (GiST
        # KNN) and the best full-text matches of all the title's words. Only they are scored,
        # so a common word over 100,000 ideas costs tens of milliseconds, not a full scan.
        query = f"plainto_tsquery('{CONFIG}', %s)"
        candidates = RawSQL(
            f"""SELECT idea_id FROM (
                  (SELECT idea_id FROM ideas_ideasearch ORDER BY title <-> %s LIMIT {CANDIDATES})
                  UNION
                  (SELECT idea_id FROM ideas_ideasearch WHERE document @@ {query}
                    ORDER BY ts_rank_cd(document, {query}) DESC LIMIT {CANDIDATES})
                ) AS c""",
            [title, title, title],
        )
        any_word = f"NULLIF(replace({query}::text, '&', '|'), '')::tsquery"
        relevance = RawSQL(
            f"""SELECT similarity(s.title, %s) + ts_rank(s.document, {any_word})
                  FROM ideas_ideasearch s WHERE s.idea_id = ideas_idea.id""",
            [title, title],
            output_field=FloatField(),
        )
        return list(
            queryset.filter(pk__in=candidates)
            .annotate(relevance=relevance)
            .filter(relevance__gt=MIN_RELEVANCE)
            .order_by(F("relevance").desc(), "-id")[:limit]
        )
    return _similar_fts(queryset, title, limit=limit)


def fts_terms(title: str) -> list[str]:
    """The words of a title worth matching: stop words and one- or two-letter words left out."""
    terms = (w for w in words(title) if len(w) > 2 and w not in _STOP_WORDS)
    return list(dict.fromkeys(terms))[:FTS_MAX_TERMS]


def fts_phrase(term: str) -> str:
    """A term as an FTS5 string: quoted, so its characters are never read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


def _similar_fts(queryset: QuerySet, title: str, *, limit: int) -> list:
    """SQLite: the ideas matching any of the title's words, best bm25 first, keeping only those
    that share most of them (a majority). One shared word of three is a coincidence ("Ship
    OpenOffice" for "Show the ship date"), not a duplicate."""
    terms = fts_terms(title)
    if not terms:
        return []
    with default_connection.cursor() as cursor:
        if not _fts_ready(cursor):
            return []
        cursor.execute(
            f"""SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s
                ORDER BY bm25({FTS_TABLE}, {FTS_TITLE_WEIGHT}, 1.0) LIMIT {CANDIDATES}""",
            [" OR ".join(fts_phrase(t) for t in terms)],
        )
        ranked = [row[0] for row in cursor.fetchall()]
        if not ranked:
            return []
        # How many of the terms each candidate has, each term matched as FTS5 does (stemmed).
        shared: Counter = Counter()
        among = ", ".join(["%s"] * len(ranked))
        for term in terms:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({among})",
                [fts_phrase(term), *ranked],
            )
            shared.update(row[0] for row in cursor.fetchall())
    needed = len(terms) // 2 + 1
    ids = [pk for pk in ranked if shared[pk] >= needed]
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:limit]


SIMILAR_TTL = 600

# The search parameter of a list whose pages core.pagecache may keep (SEARCH): a few words, as
# people type them. A search is free text, so a key of its own: its page is kept only once it
# was asked SEARCH_KEEP_AFTER times within SEARCH_WINDOW seconds. The searches people repeat (a
# product name, a shortage) get there in seconds; text made up to fill the cache does not.
SEARCH_MAX_LENGTH = 60
SEARCH_MAX_WORDS = 6
SEARCH_KEEP_AFTER = 3
SEARCH_WINDOW = 60


def _keepable(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= SEARCH_MAX_LENGTH and len(text.split()) <= SEARCH_MAX_WORDS


def _asked_again(text: str) -> bool:
    """Whether this search was asked SEARCH_KEEP_AFTER times in the last SEARCH_WINDOW seconds
    (this time included: it is asked before a page is kept). Without a cache, no."""
    key = "search-asked:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    if hasattr(cache, "count_in_windows"):  # FailOpenRedisCache: one round trip
        counts = cache.count_in_windows([(key, SEARCH_WINDOW, SEARCH_KEEP_AFTER)])
        return bool(counts) and counts[0] >= SEARCH_KEEP_AFTER
    cache.add(key, 0, timeout=SEARCH_WINDOW)
    try:
        return (cache.incr(key) or 0) >= SEARCH_KEEP_AFTER
    except ValueError:  # gone meanwhile
        return False


SEARCH = pagecache.Param(accepts=_keepable, known=_asked_again)


def _kept_ids(key: str, compute) -> list[int]:
    """Ids kept in the cache while the board version stands (core.pagecache): what is on the
    board and what it says change it (a new idea, an edit, a hidden or merged idea), votes do
    not. Up to SIMILAR_TTL seconds if a version bump was lost. Without a cache, computed."""
    found = cache.get_many([pagecache.VERSION_KEY, key])
    version = found.get(pagecache.VERSION_KEY)
    if version is None:
        version = pagecache.board_version()
    kept = found.get(key)
    if version is not None and kept is not None and kept[0] == version:
        return kept[1]
    ids = compute()
    if version is not None:
        cache.set(key, (version, ids), SIMILAR_TTL)
    return ids


def similar_ids(title: str) -> list[int]:
    """similar() among the visible ideas, as ids, for the title being typed: the lookup takes
    tens of milliseconds on a big board, and the submit form asks for every pause in typing,
    often for the same words. The caller reads the ideas themselves (their figures move with
    every vote)."""
    title = title.strip()[:200]
    if len(title) < 3:
        return []
    key = f"similar-title:{hashlib.blake2b(title.encode(), digest_size=16).hexdigest()}"
    return _kept_ids(key, lambda: [idea.pk for idea in similar(Idea.objects.visible(), title)])


def similar_to(idea, queryset: QuerySet) -> list:
    """similar() for an idea's own page, the ids kept while the board stands (_kept_ids: the
    lookup is the page's most expensive query on a big board); the ideas themselves are read
    fresh, so one hidden or merged since drops out at once."""
    key = f"similar:{idea.pk}:{hashlib.md5(idea.title.encode()).hexdigest()[:12]}"
    ids = _kept_ids(key, lambda: [other.pk for other in similar(queryset, idea.title)])
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
