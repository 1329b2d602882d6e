"""What the database says of itself in curator_meta, and the schema version this curator writes.

Plain constants, readable without SQLAlchemy (`poll_file` reads them with the standard library).
`migrations` checks at import that SCHEMA_VERSION is one more than its number of steps, so a new
step cannot forget it.
"""

SCHEMA_VERSION = 12
SCHEMA_VERSION_KEY = "schema_version"
OPML_MIRRORED = "opml_synced"  # the feeds.opml file (its identity) last mirrored into the feed table
POLLS_STORED = "polls_stored"  # +1 per stored batch of poll results, whoever polled
