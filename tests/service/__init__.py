"""Tests of the scheduled service: jobs, locks, serve, status."""
