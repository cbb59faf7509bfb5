"""govwatch: monitoring of government websites and new-media accounts (政府网站与政务新媒体监测)."""

from govwatch.errors import ConfigError, GovwatchError, StorageError

__version__ = "0.1.0"

__all__ = ["ConfigError", "GovwatchError", "StorageError", "__version__"]
