"""The web workbench (值班工作台) for duty staff, the evaluation office and the units; sits above storage."""

from web.app import create_app
from web.server import WebServer

__all__ = ["WebServer", "create_app"]
