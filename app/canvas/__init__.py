"""The journey canvas: a QGraphicsScene that follows the journey document, and its view."""
