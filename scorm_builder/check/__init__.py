"""Checks on author content that the loaders run while building the model."""
