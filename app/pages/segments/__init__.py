"""The Segments page (see page.py): the segment list, the editor with the live member
count, static member lists and the journeys using each segment."""

from .page import SegmentsPage

__all__ = ["SegmentsPage"]
