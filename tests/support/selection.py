"""Choose few combinations that still cover every broker and every web choice.

The full end-to-end tier costs about a minute per combination, so it cannot run the whole
product of frameworks, brokers and web choices; it runs a covering set instead. Everything
here is deterministic (copier.yml's order), so a test id means the same thing on every run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from support.combinations import Combination


def _ordered(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def covering(combinations: Sequence[Combination]) -> list[Combination]:
    """A small set of combinations in which every broker and every web choice appears.

    Each web choice takes the supported broker used least so far, so brokers alternate
    (redis-none, rabbitmq-django, redis-flask, ...); a broker left over after the web choices
    runs out gets one more combination.
    """
    picked: list[Combination] = []
    used: Counter[str] = Counter()
    for web in _ordered([c.web for c in combinations]):
        candidates = [c for c in combinations if c.web == web]
        choice = min(candidates, key=lambda c: used[c.broker])
        picked.append(choice)
        used[choice.broker] += 1
    for broker in _ordered([c.broker for c in combinations]):
        if not used[broker]:
            webs = Counter(c.web for c in picked)
            picked.append(
                min((c for c in combinations if c.broker == broker), key=lambda c: webs[c.web])
            )
            used[broker] += 1
    return picked


def one_per_broker(
    combinations: Sequence[Combination], first_web: str | None = None
) -> list[Combination]:
    """One combination per broker; the first broker that supports `first_web` gets it."""
    picked: list[Combination] = []
    wanted = [c for c in combinations if c.web == first_web]
    if wanted:
        picked.append(wanted[0])
    for broker in _ordered([c.broker for c in combinations]):
        if all(c.broker != broker for c in picked):
            picked.append(next(c for c in combinations if c.broker == broker))
    return picked


def named_in_turn(combinations: Sequence[Combination], names: Sequence[str]) -> list[Combination]:
    """The combinations with project names handed out in turn from `names`."""
    return [c.named(names[index % len(names)]) for index, c in enumerate(combinations)]


def find(combinations: Sequence[Combination], **answers: str) -> Combination:
    """The one combination with these answers; a clear error when copier.yml no longer has it."""
    found = [c for c in combinations if all(c.answers.get(k) == v for k, v in answers.items())]
    if len(found) != 1:
        wanted = ", ".join(f"{key}={value}" for key, value in answers.items())
        raise LookupError(f"{len(found)} supported combinations have {wanted}, expected one")
    return found[0]
