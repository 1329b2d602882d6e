"""Polling: network settings, transport, fetch, parse, worker processes, schedule, pipeline."""
