"""What stops a load: a file that cannot be read at all, or a manifest that cannot be understood."""

from __future__ import annotations


class LoadError(Exception):
    """A load that was refused; nothing was written."""


class UnreadableFile(LoadError):
    """A file that cannot be read (wrong encoding, not a CSV, truncated Parquet...)."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}; nothing was loaded (fix the file and load again)")


class ManifestError(LoadError):
    """A manifest.yaml that does not follow the contract."""
