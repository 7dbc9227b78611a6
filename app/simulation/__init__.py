"""Simulation in the studio: the results panel (panel.py) and its parts."""
