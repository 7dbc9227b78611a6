"""The ingestion socket: trigger events, batches, records, contacts, tracking; keys."""
