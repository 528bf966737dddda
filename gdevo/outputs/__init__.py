"""Outputs made from rendered chapters: GIFs and stills, the lecture deck, the narration script, and `render all`."""
