"""Persistence: the embedded SQLite store."""
from app.store.sqlite import INTERACTION_KINDS, Interaction, SqliteStore, viewer_key

__all__ = ["INTERACTION_KINDS", "Interaction", "SqliteStore", "viewer_key"]
