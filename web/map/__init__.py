"""The interactive map: a theory of change drawn with vis-network in three bands, findings on it.

`layout` places the nodes, `style` says how each looks, `assets` holds the scripts and
styles, `render` assembles the data and the HTML.
"""

from web.map.assets import VIS_NETWORK_VERSION, VIS_URL, map_css, map_js, vis_network_js
from web.map.layout import Position, band_layout
from web.map.render import json_for_html, legend, map_context, map_data, render_map_html
from web.map.style import EDGE_DEFAULTS, node_groups

__all__ = [
    "VIS_NETWORK_VERSION",
    "VIS_URL",
    "Position",
    "band_layout",
    "map_data",
    "map_context",
    "node_groups",
    "EDGE_DEFAULTS",
    "legend",
    "json_for_html",
    "render_map_html",
    "vis_network_js",
    "map_js",
    "map_css",
]
