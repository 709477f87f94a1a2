"""Disaster mode: the switch, the light disaster screen, damage reports, safety check-in, broadcast."""
