"""Kewaspadaan: the project package and the early-warning core app."""

from kewaspadaan.celery import app as celery_app

__all__ = ("celery_app",)
