"""Charts as Vega-Lite (Altair), rendered to inline SVG on the server: no script is downloaded at run time.

The same SVG goes into the HTML report, the PDF and the dashboard.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert

alt.data_transformers.disable_max_rows()


# vl-convert resolves a mark's `href` against its data loader's base address; our links are paths on this site
LOADER_BASE = 'xlink:href="https://vega.github.io/vega-datasets/'


def to_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """Render a chart (an Altair chart or a Vega-Lite spec) to an SVG string.

    The spec is not validated against the Vega-Lite schema here (that costs more than drawing); the charts are
    written in code and covered by tests. A mark with an `href` encoding of a path ('/justice?...') becomes a
    link to that path on the serving site.
    """
    spec = chart.to_dict(validate=False) if hasattr(chart, "to_dict") else chart
    return vl_convert.vegalite_to_svg(spec).replace(LOADER_BASE + "/", 'xlink:href="/')
