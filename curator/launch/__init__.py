"""Start-up plumbing: the `curator` entry point, quiet imports and the deferred facade."""
