"""The narration options shared by commands (`--voice`, `--voice-dir`, `--piper-model`).

They go into the run's settings (gdevo.settings.Settings), over a project's gdevo.toml and the
environment's GDEVO_VOICE*, and reach scenes (scenes/kit/voices.py) through manim's environment.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

from gdevo.settings import Settings
from scenes.kit.voices import DEFAULT_VOICE, VOICES


def add_voice_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--voice", choices=VOICES, default=None,
                   help=f"narration voice (default: the project's, else GDEVO_VOICE, else {DEFAULT_VOICE}); "
                        "'none' = silent with captions, 'off' = no narration")
    p.add_argument("--voice-dir", metavar="DIR", default=None,
                   help="recorded voice: folder of WAV/FLAC files named by beat ID (ch05-03.wav; see gdevo script)")
    p.add_argument("--piper-model", metavar="ONNX", default=None, help="piper voice: the .onnx voice file")


def voice_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """SETTINGS with the voice options the command was given (commands without them: unchanged)."""
    changes: dict[str, object] = {}
    if getattr(args, "voice", None) is not None:
        changes["voice"] = args.voice
    for name in ("voice_dir", "piper_model"):
        if getattr(args, name, None) is not None:
            changes[name] = Path(os.path.abspath(getattr(args, name)))
    return replace(settings, **changes)
