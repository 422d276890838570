"""Hostile sites for tests/test_hostile.py: raw-socket HTTP servers on loopback that lie, trickle,
redirect off-site and never end (see server.py)."""
