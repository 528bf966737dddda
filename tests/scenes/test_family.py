"""scenes/kit/family.py lists a mobject's family exactly as manim's recursive get_family does."""

from __future__ import annotations

import itertools as it
import random

from manim import Circle, Dot, Group, Mobject, Square, Text, VGroup
from manim.utils.iterables import remove_list_redundancies

from scenes.kit import family


def manims(m: Mobject) -> list[Mobject]:
    """manim 0.21's Mobject.get_family, recursion and all (the reference)."""
    return remove_list_redundancies([m, *it.chain(*(manims(s) for s in m.submobjects))])


def test_installed() -> None:
    assert Mobject.get_family is family.get_family


def test_same_list_as_manim_on_random_trees_with_shared_members() -> None:
    rng = random.Random(3)
    for _ in range(200):
        pool = [Dot(), Circle(), Square(), Mobject(), VGroup(), Group()]
        nodes = list(pool)
        for _ in range(rng.randint(1, 12)):
            kids = rng.sample(nodes, rng.randint(0, min(4, len(nodes))))
            parent = Group() if any(not hasattr(k, "fill_opacity") for k in kids) else VGroup()
            parent.submobjects = list(kids)     # shared members: a node may sit under several parents
            nodes.append(parent)
        root = nodes[-1]
        assert family.get_family(root) == manims(root)


def test_a_shared_member_is_kept_at_its_last_occurrence() -> None:
    a, b, c = Dot(), Dot(), Dot()
    left, right = VGroup(a, b), VGroup(b, c)
    root = VGroup(left, right)
    assert root.get_family() == [root, left, a, right, b, c] == manims(root)


def test_a_text_family() -> None:
    t = VGroup(Text("loss 0.25"), Text("Adam"))
    assert t.get_family() == manims(t)
    assert t.family_members_with_points() == [m for m in manims(t) if m.has_points()]
