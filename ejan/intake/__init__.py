"""Disaster intake from outside: JMA earthquake telegrams and damage reports mailed from phones."""
