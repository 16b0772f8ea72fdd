"""Notebooks modlean ships as package data (``modlean.notebooks``); see modlean/resources.py."""
