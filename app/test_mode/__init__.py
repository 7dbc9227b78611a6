"""Trying a journey in the studio: live counts on the canvas, test mode, following a person."""
