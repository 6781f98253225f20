from .registry import SECTIONS
from .selectors import current_municipality


def site(request):
    """What the base layout needs on every page: the municipality and the hub's sections."""
    return {"municipality": current_municipality(), "hub_sections_nav": SECTIONS}
