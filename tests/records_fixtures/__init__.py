"""Helpers for the records tests: statements shaped like the player's, and a throwaway PostgreSQL."""
