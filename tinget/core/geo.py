"""Plain geometry on WGS 84 points, enough for a municipality-sized map without a GIS database: distances,
a bounding box around a point, whether a point lies inside the municipality, and which area it falls in."""

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class BBox:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, text: str) -> "BBox":
        """'west,south,east,north' (the order Leaflet's toBBoxString() and GeoJSON use). ValueError when malformed."""
        parts = [p.strip() for p in (text or "").split(",")]
        if len(parts) != 4:
            raise ValueError("A bounding box has four numbers: west,south,east,north.")
        west, south, east, north = (float(p) for p in parts)
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValueError("A bounding box has finite numbers.")
        if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
            raise ValueError("A bounding box goes from south-west to north-east within the globe.")
        return cls(south=south, west=west, north=north, east=east)

    def __str__(self):
        return f"{self.west},{self.south},{self.east},{self.north}"


def valid_point(latitude, longitude) -> bool:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(latitude: float, longitude: float, metres: float) -> BBox:
    """The smallest latitude/longitude box that holds every point within `metres` of the given one."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = math.degrees(metres / (EARTH_RADIUS_M * max(math.cos(math.radians(latitude)), 1e-9)))
    return BBox(south=latitude - dlat, west=longitude - dlon, north=latitude + dlat, east=longitude + dlon)


def point_in_ring(latitude: float, longitude: float, ring) -> bool:
    """Even-odd rule on a ring of [longitude, latitude] pairs; a point on an edge may count either way."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > latitude) != (y2 > latitude):
            x_cross = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if longitude < x_cross:
                inside = not inside
    return inside


def ring_bbox(ring) -> BBox | None:
    if not ring:
        return None
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return BBox(south=min(lats), west=min(lons), north=max(lats), east=max(lons))


def in_municipality(municipality, latitude: float, longitude: float) -> bool:
    """True when the point lies inside the municipality's outline (any point counts when none is set)."""
    if not valid_point(latitude, longitude):
        return False
    ring = municipality.boundary or []
    if len(ring) < 3:
        return True
    return point_in_ring(float(latitude), float(longitude), ring)


def nearest_area(areas, latitude: float, longitude: float):
    """The area whose centre is nearest to the point, among those with a centre; None when none has one."""
    best, best_distance = None, math.inf
    for area in areas:
        if area.center_latitude is None or area.center_longitude is None:
            continue
        d = distance_m(latitude, longitude, area.center_latitude, area.center_longitude)
        if d < best_distance:
            best, best_distance = area, d
    return best
