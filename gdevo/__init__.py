"""gdevo: real optimizer runs turned into explainer animations (CLI and orchestration)."""

__version__ = "0.1.0"
