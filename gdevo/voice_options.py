"""The narration options shared by commands (`--voice`, `--voice-dir`, `--piper-model`).

They become GDEVO_* environment variables, which scenes (scenes/kit/voices.py) read and render
keys include, the same way a project's gdevo.toml sets them.
"""

from __future__ import annotations

import argparse
import os

from scenes.kit.voices import VOICES


def add_voice_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--voice", choices=VOICES, default=None,
                   help="narration voice (default: GDEVO_VOICE, else espeak-ng); 'none' = silent with captions, "
                        "'off' = no narration")
    p.add_argument("--voice-dir", metavar="DIR", default=None,
                   help="recorded voice: folder of WAV/FLAC files named by beat ID (ch05-03.wav; see gdevo script)")
    p.add_argument("--piper-model", metavar="ONNX", default=None, help="piper voice: the .onnx voice file")


def apply_voice_arguments(args: argparse.Namespace) -> str:
    """Put the chosen options into the environment; check the voice can speak here (one-line error)."""
    from gdevo.audio import check_voice

    for value, var in ((args.voice, "GDEVO_VOICE"), (args.voice_dir, "GDEVO_VOICE_DIR"),
                       (args.piper_model, "GDEVO_PIPER_MODEL")):
        if value is not None:
            os.environ[var] = str(os.path.abspath(value)) if var != "GDEVO_VOICE" else value
    return check_voice()
