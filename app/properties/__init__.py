"""The properties panel and its forms, one per tile kind, and the journey settings."""
