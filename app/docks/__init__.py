"""The studio's docks that watch the engine: Activity and Outbox."""
