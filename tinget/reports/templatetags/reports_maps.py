"""The map component's settings, read by static/reports/*.js from data- attributes (no inline script: CSP)."""

import json

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def map_config(municipality, **extra):
    """JSON for `data-map` on a map element: tiles, attribution, the municipality's centre, zoom and outline,
    plus anything the page adds (e.g. a marker's position)."""
    config = {
        "tiles": settings.TINGET_MAP_TILES_URL,
        "attribution": settings.TINGET_MAP_ATTRIBUTION,
        "center": [municipality.center_latitude, municipality.center_longitude] if municipality else None,
        "zoom": municipality.map_zoom if municipality else 11,
        "boundary": [[lat, lon] for lon, lat in (municipality.boundary or [])] if municipality else [],
    }
    config.update(extra)
    return json.dumps(config)
