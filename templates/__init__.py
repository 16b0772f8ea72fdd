"""Templates modlean ships as package data (``modlean.templates``); see modlean/resources.py."""
