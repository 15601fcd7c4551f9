"""Jalon's web application (Django). The only package that imports Django."""
