"""Tests of the notices, digests and their delivery channels."""
