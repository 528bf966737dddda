"""A cuda preset is recognised from its TOML alone, so `sim --all` / `report` skip it without a GPU."""

from __future__ import annotations

from sim.cache import preset_device


def test_preset_device_reads_the_config_without_validating():
    assert preset_device("image-fit-video") == "cuda"
    assert preset_device("image-fit-smiley") == "cpu"
    assert preset_device("no-such-config") == "cpu"
