"""Paved paths: a team's whole stack is one blueprint."""

from goldenpath.blueprints.web_service import WebService, WebServiceConfig

__all__ = ["WebService", "WebServiceConfig"]
