"""Loading datasets: read, validate, normalise, quarantine, upsert with history, all or nothing.

```python
from baliza.load import load_datasets, LoadReport
report = load_datasets(warehouse, [Path("dataset")], agency=None, progress=None)
report.to_dict()
```
"""

from baliza.load.errors import LoadError, ManifestError, UnreadableFile
from baliza.load.loader import Progress, load_datasets
from baliza.load.report import FileReport, LoadReport, TableReport

__all__ = [
    "FileReport",
    "LoadError",
    "LoadReport",
    "ManifestError",
    "Progress",
    "TableReport",
    "UnreadableFile",
    "load_datasets",
]
