"""The fault reports' router in the project's REST API (/api/v1/reports/)."""

from ninja import Router

router = Router(tags=["reports"])
