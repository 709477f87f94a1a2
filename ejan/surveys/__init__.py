"""Surveys (アンケート): see feature.py."""
