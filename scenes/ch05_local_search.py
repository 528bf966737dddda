"""Chapter 5 — evolution as local search.

Storyboard: the sine-2d landscape and the parent at the start -> one round: a cloud of mutated
children around the parent, the best child ringed, accepted only if strictly better -> a few
rounds in detail, then the trail of accepted parents to the minimum -> on the bumpier
local-minimum landscape (local minima ringed) the same search settles in a shallow minimum and
stops improving: every child of the last round is worse. Every number from the traces.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, Create, FadeIn, FadeOut, Group, Rectangle, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.arrows import clamp, crop, hop, marks_key, minimum_marks, swap
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import last_visible_step, marker, mutation_cloud
from scenes.kit.landscape import LandscapeView
from scenes.kit.layout import label
from scenes.kit.panels import fmt_loss, legend, readout
from scenes.kit.steps import Steps
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for

DETAIL_ROUNDS = 4
HOLD = 1.5   # seconds a round's children stay fully on screen (issue 17: long enough to be seen)
READOUT_EVERY = 4
# The text column right of the landscape (whose "4" ends near x = -0.55): from COLUMN_X to the frame's margin.
COLUMN_X = 0.05
COLUMN_W = 6.94


class LocalSearch(ChapterScene):
    def construct(self) -> None:
        title = Text("Evolution as local search", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        self.play(Write(title), run_time=0.8)
        tr = self.trace("sine-2d")
        evo = tr.run("evolution")
        color = color_for(evo.name, evo.meta)
        view = self.show_landscape(LandscapeView.from_trace(tr))
        # wrapped into balanced lines at the smallest legible size, under the title
        rule = label(f"each round: {evo.meta['population']} children = parent + σ·noise (σ = {evo.meta['sigma']:g}); "
                     "the best child replaces the parent only if it is strictly better", COLUMN_W, SMALL_SIZE,
                     color=TEXT_COLOR, line_spacing=0.9)
        rule.align_to([0, 3.2, 0], UP).align_to([COLUMN_X, 0, 0], LEFT)
        key = legend([("parent (accepted steps)", color), ("children of one round", color, "dot"),
                      ("best child, rejected", MUTED, "dot")], max_width=COLUMN_W)
        key.align_to([0, -3.3, 0], DOWN).align_to(rule, LEFT)
        parent = marker(view.point(evo["params"][0]), color)
        row = VGroup(self._row(evo, 0)).next_to(rule, DOWN, buff=0.35).align_to(rule, LEFT)
        self.play(FadeIn(rule), FadeIn(key), FadeIn(parent), FadeIn(row), run_time=0.8)
        self.beat(f"The simplest evolution: one parent network, loss {speech.loss(evo['loss'][0])}.")
        # said while round 1's children are on screen, so the words point at what is drawn
        rule_said = (f"Each round it gets {speech.small(evo.meta['population'])} children, each a small random "
                     "nudge of the parent, and the best child takes over only if its loss is lower.")
        self.trail = self._play_rounds(view, evo, color, parent, row, DETAIL_ROUNDS, rule_said)
        r = evo.steps
        self.wait(1)
        accepted = int(np.sum(evo["accepted"]))   # as the read-out's "kept" counts them
        only = self.claims.say(accepted < r / 2, "Only ", "")
        # a first sentence without numbers, said while the last rounds play: the count it waits for comes after
        self.beat(f"The other rounds follow the same rule, one after another. After {r} rounds the loss is "
                  f"{speech.loss(evo['loss'][-1])}. {only}{accepted} of the {r} rounds "
                  f"found a child with a lower loss, and it took {speech.count(evo['evals'][-1])} loss evaluations.")
        self.play(FadeOut(self.trail, parent, row, rule, key, *self.view.parts), run_time=0.6)
        self.remove(view.heatmap)

        lm = self.trace("local-minimum")
        evo = lm.run("evolution")
        view = self.show_landscape(LandscapeView.from_trace(lm))
        self.lm_view = view
        marks = minimum_marks(view, lm["landscape/minima"], lm["landscape/minima_loss"],
                              is_global=lm.arrays.get("landscape/minima_global"))
        key_text = marks_key(marks)
        if Text(key_text, font_size=SMALL_SIZE).width > COLUMN_W:   # one line too wide: one clause a line
            key_text = key_text.replace("; ", "\n")
        note = Text(key_text, font_size=SMALL_SIZE, color=TEXT_COLOR, line_spacing=0.8)
        # under the title, in the column right of the landscape
        note.align_to([0, 3.2, 0], UP).align_to([COLUMN_X, 0, 0], LEFT)
        parent = marker(view.point(evo["params"][0]), color)
        row = VGroup(self._row(evo, 0)).next_to(note, DOWN, buff=0.25).align_to(note, LEFT)
        self.play(FadeIn(marks), FadeIn(note), FadeIn(parent), FadeIn(row), run_time=0.8)
        self.lm_trail = self._play_rounds(view, evo, color, parent, row, 0)
        self.lm_parent = parent
        # The last round: every child is worse than the parent.
        last = evo.steps - 1
        cloud = mutation_cloud(evo["population"][last], int(evo["winner"][last]), bool(evo["accepted"][last]),
                               lambda p: view.point(clamp(view, p)), color,
                               under=lambda p: view.colour_under(clamp(view, p))).set_z_index(4)
        best = float(evo["pop_loss"][last].min())
        since = int(evo.meta["plateau_step"])
        stuck = VGroup(
            Text(f"round {last + 1}: best child loss {fmt_loss(best)}", font_size=SMALL_SIZE, color=TEXT_COLOR),
            Text(f"parent loss {fmt_loss(evo['loss'][-1])}: " + ("accepted" if evo["accepted"][last] else "rejected"),
                 font_size=SMALL_SIZE, color=TEXT_COLOR),
            Text(f"no real gain since round {since}", font_size=SMALL_SIZE, color=TEXT_COLOR),
            Text(f"global minimum: loss {fmt_loss(float(lm['landscape/minima_loss'][0]))}", font_size=SMALL_SIZE,
                 color=MUTED),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15).next_to(row, DOWN, buff=0.5).align_to(row, LEFT)
        self.stall_cloud = cloud
        self.play(FadeIn(cloud, scale=0.6), FadeIn(stuck), run_time=1)
        inset = self._zoom(lm, evo, last, color).next_to(stuck, DOWN, buff=0.3).align_to(stuck, LEFT)
        self.play(FadeIn(inset), run_time=0.8)
        self.wait(2)
        final, best_net = float(evo["loss"][-1]), float(lm["landscape/minima_loss"][0])
        start_loss = float(evo["loss"][0])
        stuck_held = since < evo.steps and final - best_net > 0.1 * max(start_loss - best_net, 1e-12)
        ends = self.claims.say(stuck_held, "gets stuck in a local minimum", "ends near the best network")
        last_round = self.claims.say(best >= final, "Every child of its last round is worse",
                                     "Its last round still found a lower child")
        self.beat(f"On a bumpier landscape the same search {ends}, loss {speech.loss(final)}, with no real gain "
                  f"since round {since}. {last_round}, and the global minimum has loss {speech.loss(best_net)}.")

    def _zoom(self, tr, evo, r: int, color) -> Group:
        """A zoomed crop of the recorded grid around the parent with round r's children on it."""
        centre = evo["params"][r]
        half = max(4 * evo.meta["sigma"], 0.3)
        a, b, loss = crop(tr["landscape/a"], tr["landscape/b"], tr["landscape/loss"],
                          (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half))
        zoom = LandscapeView(a, b, loss, centre, side=2.3)
        zoom.heatmap.move_to(zoom.axes.get_center())
        cloud = mutation_cloud(evo["population"][r], int(evo["winner"][r]), bool(evo["accepted"][r]),
                               lambda p: zoom.point(clamp(zoom, p)), color, radius=0.06,
                               under=lambda p: zoom.colour_under(clamp(zoom, p)))
        parent = marker(zoom.point(centre), color, radius=0.08)
        border = Rectangle(width=2.3, height=2.3, color=TEXT_COLOR, stroke_width=2).move_to(zoom.axes.get_center())
        label = Text(f"zoom: ±{half:.1f} around the parent", font_size=SMALL_SIZE, color=TEXT_COLOR)
        label.next_to(border, UP, buff=0.12).align_to(border, LEFT)
        self.zoom_view, self.zoom_cloud = zoom, cloud
        return Group(zoom.heatmap, zoom.axes, zoom.contours, border, cloud, parent, label)

    def _play_rounds(self, view, evo, color, parent, row, detail: int, first_said: str = "") -> VGroup:
        """The first DETAIL rounds one by one (FIRST_SAID spoken while round 1's children are drawn), then the rest."""
        trail = VGroup().set_z_index(3)
        self.add(trail)
        to_point = lambda p: view.point(clamp(view, p))  # noqa: E731

        def segment(k: int):
            """Round k's hop, added to the trail (None: the parent stayed)."""
            a, b = to_point(evo["params"][k - 1]), to_point(evo["params"][k])
            if np.linalg.norm(b - a) <= 1e-6:
                return None
            seg = hop(a, b, color)
            trail.add(seg)
            return seg

        def step(k: int) -> list:
            """Round k's move: the parent hops, and the hop joins the trail."""
            seg = segment(k)
            return [parent.animate.move_to(to_point(evo["params"][k]))] + ([Create(seg)] if seg else [])

        child_note = None   # the best child's loss, which the line says (the read-out shows the parent's)
        for k in range(1, min(detail, evo.steps) + 1):
            cloud = mutation_cloud(evo["population"][k - 1], int(evo["winner"][k - 1]),
                                   bool(evo["accepted"][k - 1]), to_point, color,
                                   under=lambda p: view.colour_under(clamp(view, p))).set_z_index(4)
            self.play(FadeIn(cloud, scale=0.6), *([FadeOut(child_note)] if child_note else []), run_time=0.6)
            kept = "kept" if evo["accepted"][k - 1] else "rejected"
            child_note = Text(f"round {k}: best child loss {fmt_loss(float(evo['pop_loss'][k - 1].min()))}, {kept}",
                              font_size=SMALL_SIZE, color=TEXT_COLOR)
            child_note.next_to(row, DOWN, buff=0.2).align_to(row, LEFT)
            self.play(cloud.best.animate.scale(1.4), FadeIn(child_note), run_time=0.4)
            if k == 1 and first_said:
                self.beat(first_said)
            self.wait(HOLD)   # with the 0.4 s ring, the children are held longer than HOLD at any frame rate
            swap(row, 0, self._row(evo, k).move_to(row, aligned_edge=LEFT))
            self.play(*step(k), FadeOut(cloud), run_time=0.6)
            child_loss, parent_loss = speech.losses(float(evo["pop_loss"][k - 1].min()), float(evo["loss"][k - 1]))
            verdict = "it takes over" if evo["accepted"][k - 1] else "the parent stays"
            self.beat(f"Round {k}: the best child has loss {child_loss}, the parent {parent_loss}: {verdict}."
                      if k == 1 else f"Round {k}: {child_loss} against {parent_loss}, {verdict}.")

        # The quick rounds (2 frames each at 15 fps) in one play that draws the same frames as a play
        # per round (scenes/kit/steps.py); the readout changes every READOUT_EVERY rounds and at the end.
        def quick(k: int) -> list:
            if k % READOUT_EVERY == 0 or k == evo.steps:
                swap(row, 0, self._row(evo, k).move_to(row, aligned_edge=LEFT))
            return step(k)

        if child_note is not None:
            self.play(FadeOut(child_note), run_time=0.4)
        if detail < evo.steps:
            # Round by round while the parent visibly moves; the rounds after that (it sits still: the search
            # has converged or stalled) in one short steady jump to the last, not a ticking counter over a still.
            path = np.asarray([to_point(p) for p in evo["params"][:evo.steps + 1]])
            moving = max(detail, last_visible_step([path]))
            if moving > detail:
                self.play(Steps(parent, [lambda k=k: quick(k) for k in range(detail + 1, moving + 1)], 2 / 15))
            if moving < evo.steps:
                for k in range(moving + 1, evo.steps + 1):
                    segment(k)
                swap(row, 0, self._row(evo, evo.steps).move_to(row, aligned_edge=LEFT))
                with self.steady():
                    self.play(parent.animate.move_to(path[-1]), run_time=0.4)
        return trail

    @staticmethod
    def _row(evo, k: int) -> VGroup:
        """The run's read-out after round k; when the last round's fields would not fit the column on one
        line (long runs: 3-digit evals, a loss such as 1.7e-08), every round puts evals and kept on a
        second line, so the read-out keeps one shape and its size."""
        def fields(j: int) -> list[tuple[str, str]]:
            return [("round", f"{j}"), ("loss", fmt_loss(evo["loss"][j])), ("evals", f"{int(evo['evals'][j])}"),
                    ("kept", f"{int(np.sum(evo['accepted'][:j]))}")]

        widest = " · ".join(f"{key} {value}" for key, value in fields(evo.steps))
        split = Text(widest, font_size=SMALL_SIZE).width > COLUMN_W - 0.36   # the swatch's indent
        color = color_for(evo.name, evo.meta)
        head = readout(evo.meta["label"], color, fields(k)[:2] if split else fields(k), size=SMALL_SIZE,
                       max_width=COLUMN_W)
        if not split:
            return head
        more = Text(" · ".join(f"{key} {value}" for key, value in fields(k)[2:]), font_size=SMALL_SIZE,
                    color=TEXT_COLOR)
        # under the values when the name has its own line, else under the name
        first = head[-1] if len(head) == 2 else head[1]
        return VGroup(head, more.next_to(head, DOWN, buff=0.08).align_to(first, LEFT))



