"""Tests of the new-media account adapters (crawler.accounts)."""
