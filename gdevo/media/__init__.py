"""Media and audio: narration, captions, cuts and probes (ffmpeg), GIFs and stills, the deck, the script."""
