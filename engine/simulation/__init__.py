"""`waymark simulate`: the real runtime on a throw-away workspace under a simulated clock."""
