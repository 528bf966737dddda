"""gdevo's Manim scenes: they read traces and draw; they never train or step an optimizer."""
