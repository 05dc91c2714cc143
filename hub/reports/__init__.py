"""Roadmap reports rendered from the views in ``hub.views``."""
