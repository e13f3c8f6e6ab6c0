"""Baliza: follow every seizure from entry point to verdict to recovered asset."""

__version__ = "0.1.0"
