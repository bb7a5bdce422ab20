"""Rendering: the course model to the files every package shares (player, data, media)."""
