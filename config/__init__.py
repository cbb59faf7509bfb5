"""Configuration: the validated roster schema, the rules catalogue and their bundled defaults."""

from config.catalogue import Catalogue, CategoryRule, RuleDef, Window, add_months
from config.loader import LoadedConfig, bundled_path, load_catalogue, load_config, parse_config
from config.schema import (
    CATEGORIES,
    AccountConfig,
    ColumnConfig,
    Config,
    Contact,
    CrawlConfig,
    SiteConfig,
    UnitConfig,
)

__all__ = [
    "CATEGORIES",
    "AccountConfig",
    "Catalogue",
    "CategoryRule",
    "ColumnConfig",
    "Config",
    "Contact",
    "CrawlConfig",
    "LoadedConfig",
    "RuleDef",
    "SiteConfig",
    "UnitConfig",
    "Window",
    "add_months",
    "bundled_path",
    "load_catalogue",
    "load_config",
    "parse_config",
]
