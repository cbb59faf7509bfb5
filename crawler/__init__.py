"""Fetching and parsing of monitored sites: spiders, extractors and probes."""
