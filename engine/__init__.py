"""Waymark's engine: the journey document, validation, the workspace store and the runtime.

Pure Python. It never imports Qt or the studio (an import-linter contract checks it).
"""

__version__ = "0.1.0"
