"""How a report figure becomes an image in the report HTML: SVG with its text kept as text.

A figure is written by matplotlib's SVG backend with ``svg.fonttype="none"``: labels, ticks
and notes stay ``<text>`` elements instead of glyph outlines or pixels, so nothing is
rasterised, the figure prints sharply at any size, and the file is small. A fixed
``svg.hashsalt`` and no date make the output the same for the same figure. The SVG is
embedded as ``<img src="data:image/svg+xml;base64,...">`` with the caption as ``alt``, so
the page text (what a screen reader or a text comparison sees) is the report's own text and
the figure's text stays inside the image, as with the PNG images before.

A house-style figure has one Axes in constrained layout. :func:`to_svg` places that Axes in
one measuring pass (:func:`_place_axes`, public matplotlib API only: ``get_tightbbox``,
``set_position``, the layout engine's parameters) on an SVG renderer kept for the session,
so text measured for an earlier figure (tick labels, legend entries) is not measured again;
the figure is then saved without a layout engine, which makes ``savefig`` draw it once
instead of twice. Measured with ``benchmarks/bench_figures.py`` on the 7 figures of the
GM1979 2023 sample report: about 0.27 s a report, against 0.65 s for ``savefig`` to PNG and
0.46 s for a plain ``savefig`` to SVG (and 0.34 s for the former PNG path, which redrew text
through matplotlib's private renderer methods).
"""

from __future__ import annotations

import base64
import functools
import html
import threading
from io import BytesIO

from matplotlib.figure import Figure

__all__ = ["SVG_RC", "FONT_FAMILY", "to_svg", "img_html"]

#: matplotlib settings for the report's SVG images (text as text, deterministic output)
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "socvit",
          "figure.autolayout": False, "figure.constrained_layout.use": False}

#: the house font (DejaVu Sans, which every machine with matplotlib has) and what a reader's
#: browser takes instead when it lacks it: similar wide sans-serifs first. Written into the
#: SVG rather than set as matplotlib's font family: a family list doubles matplotlib's font
#: look-ups for every text it measures (~3% of the export time).
FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, Helvetica, sans-serif"

_LOCK = threading.Lock()


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes (UTF-8), text kept as text, drawn once at its own size.

    The Axes of a one-Axes constrained-layout figure is placed by :func:`_place_axes` and
    the figure is saved without its layout engine (restored afterwards, with the Axes back
    in the layout); any other figure is saved as it is.
    """
    import matplotlib as mpl
    buf = BytesIO()
    with mpl.rc_context(SVG_RC):
        if not _fits_one_axes(fig):
            fig.savefig(buf, format="svg", metadata={"Date": None})
            return _with_fallback_fonts(buf.getvalue())
        engine, ax = fig.get_layout_engine(), fig.axes[0]
        in_layout = ax.get_in_layout()
        dpi = fig.dpi
        try:
            fig.set_dpi(72)                  # the SVG backend's unit: text sizes in points
            with _LOCK:
                _place_axes(fig, _measuring_renderer())
            fig.set_layout_engine(None)     # placed: saving must not lay out again
            fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            fig.set_dpi(dpi)
            fig.set_layout_engine(engine)
            ax.set_in_layout(in_layout)      # set_position took the Axes out of the layout
    return _with_fallback_fonts(buf.getvalue())


def _with_fallback_fonts(svg: bytes) -> bytes:
    return svg.replace(b"font-family: 'DejaVu Sans'", b"font-family: " + FONT_FAMILY.encode())


def img_html(fig: Figure, alt: str) -> str:
    """An ``<img>`` element with the figure as a base64 SVG data URI and ``alt`` (escaped)."""
    data = base64.b64encode(to_svg(fig)).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" '
            f'style="max-width:100%">')


@functools.cache
def _measuring_renderer():
    """An SVG renderer, kept for measuring text (it measures as the SVG it writes does; an
    Agg renderer's hinted text is up to 2% narrower, enough to push a long label off the
    edge). matplotlib caches text sizes per renderer, so the tick labels and legend entries
    that every figure shares are measured once per session."""
    from io import StringIO

    from matplotlib.backends.backend_svg import RendererSVG
    return RendererSVG(72, 72, StringIO())


def _fits_one_axes(fig: Figure) -> bool:
    """A figure :func:`_place_axes` can lay out: one Axes in constrained layout."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    return (isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
            and len(fig.axes) == 1 and not fig.subfigs)


def _place_axes(fig: Figure, renderer) -> None:
    """Do what constrained layout does for a figure with one Axes, in one pass.

    Constrained layout measures the Axes decorations (tick labels, axis labels, title,
    legend, texts) twice and ``savefig`` then draws the whole figure once without
    rendering before the real draw; for one Axes the result is simply: the decorations'
    bounding box fits the layout rectangle less the pads. Decorations keep their distance
    to the Axes edges, or (end tick labels, texts at data positions, a legend centred
    above) stick out less when the Axes grows; so a second measurement, as constrained
    layout makes, is needed only when the Axes shrank or its ticks changed. Unlike
    constrained layout, an axis label longer than its Axes counts too (it is not cut off).
    """
    from matplotlib.transforms import Bbox
    ax = fig.axes[0]
    params = fig.get_layout_engine().get()
    width, height = fig.get_size_inches()
    w_pad, h_pad = params["w_pad"] / width, params["h_pad"] / height
    left, bottom, w, h = params["rect"]
    to_fig = fig.transFigure.inverted()

    def ticks():
        return [list(axis.get_majorticklocs()) for axis in (ax.xaxis, ax.yaxis)]

    for _ in range(2):
        pos, before = ax.get_position(original=True), ticks()
        tight = ax.get_tightbbox(renderer).transformed(to_fig)
        new = Bbox.from_extents(
            left + w_pad + pos.x0 - tight.x0, bottom + h_pad + pos.y0 - tight.y0,
            left + w - w_pad - (tight.x1 - pos.x1), bottom + h - h_pad - (tight.y1 - pos.y1))
        ax.set_position(new)
        if new.width >= pos.width and new.height >= pos.height and ticks() == before:
            break
