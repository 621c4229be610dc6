"""Vote stuffing: find suspicious groups of votes, quarantine them, let a moderator decide.

Two rules, over the votes cast since the last run (with an overlap):

* burst: on one idea, votes from one network by accounts that are new (joined less than
  NEW_ACCOUNT_AGE before voting) or had no activity before (no vote, idea or comment at least
  a day earlier), each within BURST_GAP of the previous one, BURST_MIN or more of them;
* ring: accounts on one network that vote on the same ideas within RING_GAP of each other, on
  RING_MIN_IDEAS or more ideas, RING_MIN_ACCOUNTS or more accounts linked that way.

A finding becomes a StuffingCase with its evidence; its votes are quarantined at once (kept,
counted in no score: votes.services.votes_quarantine_set). Each finding has a fingerprint, so
a second run never opens it twice; it adds newly found votes to an open or confirmed case and
leaves a released one alone (a moderator said those votes are fine).
"""

import datetime as dt
import hashlib
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from moderation.audit import audit_record
from moderation.models import StuffingCase
from votes.services import votes_quarantine_set

NEW_ACCOUNT_AGE = dt.timedelta(days=3)
ESTABLISHED_ACTIVITY_BEFORE = dt.timedelta(days=1)
BURST_GAP = dt.timedelta(minutes=10)
BURST_MIN = 5
RING_GAP = dt.timedelta(minutes=5)
RING_MIN_IDEAS = 3
RING_MIN_ACCOUNTS = 3
# How far before the last run's start a scan begins, so a burst that straddles two runs is
# seen whole.
SCAN_OVERLAP = dt.timedelta(minutes=30)


def _fingerprint(*parts) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:64]


def _suspicious_votes(since: dt.datetime, now: dt.datetime) -> list[tuple]:
    """(vote id, voter id, idea id, network, created_at) of the votes in the window cast by
    accounts that were new or had shown no activity before."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT v.id, v.voter_id, v.idea_id, v.network, v.created_at
              FROM votes_vote v JOIN accounts_user u ON u.id = v.voter_id
             WHERE v.created_at >= %s AND v.created_at <= %s
               AND v.network <> '' AND v.quarantine_id IS NULL
               AND (u.date_joined > v.created_at - %s
                    OR NOT (EXISTS (SELECT 1 FROM votes_vote p WHERE p.voter_id = v.voter_id
                                       AND p.created_at < v.created_at - %s)
                            OR EXISTS (SELECT 1 FROM ideas_idea i WHERE i.author_id = v.voter_id
                                          AND i.created_at < v.created_at - %s)
                            OR EXISTS (SELECT 1 FROM comments_comment c
                                        WHERE c.author_id = v.voter_id
                                          AND c.created_at < v.created_at - %s)))
             ORDER BY v.idea_id, v.network, v.created_at, v.id
            """,
            [since, now, NEW_ACCOUNT_AGE, *[ESTABLISHED_ACTIVITY_BEFORE] * 3],
        )
        return cursor.fetchall()


def _bursts(votes: list[tuple]) -> list[dict]:
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for vote in votes:
        groups[(vote[2], vote[3])].append(vote)
    findings = []
    for (idea_id, network), rows in groups.items():
        cluster: list[tuple] = []
        for row in [*rows, None]:
            if row is not None and (not cluster or row[4] - cluster[-1][4] <= BURST_GAP):
                cluster.append(row)
                continue
            if len({r[1] for r in cluster}) >= BURST_MIN:
                findings.append(
                    {
                        "rule": StuffingCase.Rule.BURST,
                        "network": network,
                        "idea_id": idea_id,
                        "fingerprint": _fingerprint("burst", idea_id, network, cluster[0][0]),
                        "vote_ids": [r[0] for r in cluster],
                        "accounts": sorted({r[1] for r in cluster}),
                        "evidence": {
                            "votes": len(cluster),
                            "accounts": len({r[1] for r in cluster}),
                            "first_vote_at": cluster[0][4].isoformat(),
                            "last_vote_at": cluster[-1][4].isoformat(),
                            "why": "new or inactive accounts on one network, minutes apart",
                        },
                    }
                )
            cluster = [row] if row is not None else []
    return findings


def _rings(since: dt.datetime, now: dt.datetime) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.network, a.voter_id, b.voter_id, a.idea_id, a.id, b.id
              FROM votes_vote a
              JOIN votes_vote b ON b.idea_id = a.idea_id AND b.network = a.network
                              AND b.voter_id > a.voter_id
                              AND b.created_at BETWEEN a.created_at - %s AND a.created_at + %s
             WHERE a.created_at >= %s AND a.created_at <= %s AND a.network <> ''
               AND a.quarantine_id IS NULL AND b.quarantine_id IS NULL
            """,
            [RING_GAP, RING_GAP, since, now],
        )
        rows = cursor.fetchall()
    pair_ideas: dict[tuple, set[int]] = defaultdict(set)
    pair_votes: dict[tuple, set[int]] = defaultdict(set)
    for network, a, b, idea_id, vote_a, vote_b in rows:
        pair_ideas[(network, a, b)].add(idea_id)
        pair_votes[(network, a, b)].update((vote_a, vote_b))
    # Accounts linked by pairs that co-voted on enough ideas, grouped per network.
    parent: dict[tuple, tuple] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    strong = [pair for pair, ideas in pair_ideas.items() if len(ideas) >= RING_MIN_IDEAS]
    for network, a, b in strong:
        parent[find((network, a))] = find((network, b))
    components: dict[tuple, list[tuple]] = defaultdict(list)
    for network, a, b in strong:
        components[find((network, a))].append((network, a, b))
    findings = []
    for pairs in components.values():
        network = pairs[0][0]
        accounts = sorted({a for _, a, _ in pairs} | {b for _, _, b in pairs})
        if len(accounts) < RING_MIN_ACCOUNTS:
            continue
        ideas = sorted(set().union(*(pair_ideas[p] for p in pairs)))
        vote_ids = sorted(set().union(*(pair_votes[p] for p in pairs)))
        findings.append(
            {
                "rule": StuffingCase.Rule.RING,
                "network": network,
                "idea_id": None,
                "fingerprint": _fingerprint("ring", network, *accounts),
                "vote_ids": vote_ids,
                "accounts": accounts,
                "evidence": {
                    "votes": len(vote_ids),
                    "accounts": len(accounts),
                    "ideas": ideas,
                    "why": f"voted on the same {len(ideas)} ideas within minutes of each other",
                },
            }
        )
    return findings


def stuffing_detect(*, since: dt.datetime | None, now: dt.datetime | None = None) -> dict:
    """Find bursts and rings among the votes since `since` (the last day when None), open or
    extend their cases and quarantine their votes. Safe to run twice."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(days=1)
    findings = _bursts(_suspicious_votes(since, now)) + _rings(since, now)
    opened = quarantined = 0
    for finding in findings:
        with transaction.atomic():
            case, created = StuffingCase.objects.select_for_update().get_or_create(
                fingerprint=finding["fingerprint"],
                defaults={
                    "rule": finding["rule"],
                    "network": finding["network"],
                    "idea_id": finding["idea_id"],
                    "evidence": finding["evidence"],
                    "detected_at": now,
                },
            )
            if case.state == StuffingCase.State.RELEASED:
                continue
            if created:
                opened += 1
                audit_record(
                    actor=None,
                    action="stuffing.detected",
                    target=case,
                    reason=finding["evidence"]["why"],
                    after={"rule": case.rule, "network": case.network, **finding["evidence"]},
                )
            case.accounts.add(*finding["accounts"])
            before = case.votes.count()
            votes_quarantine_set(vote_ids=finding["vote_ids"], case_id=case.pk)
            quarantined += case.votes.count() - before
    return {"findings": len(findings), "cases_opened": opened, "votes_quarantined": quarantined}


@transaction.atomic
def case_decide(*, case: StuffingCase, moderator, confirm: bool, reason: str = "") -> StuffingCase:
    """Confirm (the votes stay out of every score) or release (they count again) a case."""
    case = StuffingCase.objects.select_for_update().get(pk=case.pk)
    before = {"state": case.state, "quarantined_votes": case.votes.count()}
    if confirm:
        case.state = StuffingCase.State.CONFIRMED
    else:
        case.state = StuffingCase.State.RELEASED
        votes_quarantine_set(release_case=case.pk, case_id=None)
    case.decided_at, case.decided_by = timezone.now(), moderator
    case.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(
        actor=moderator,
        action="stuffing.confirmed" if confirm else "stuffing.released",
        target=case,
        reason=reason,
        before=before,
        after={"state": case.state, "quarantined_votes": case.votes.count()},
    )
    return case
