"""House-style figures (socvit.plots): they draw what they are given, in Dutch."""

from io import BytesIO

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from socvit import plots
from socvit.errors import DataError
from socvit.report import _figures

CATS = ["helemaal mee oneens", "mee oneens", "neutraal", "mee eens", "helemaal mee eens"]


def _dist(items=("bet_1", "bet_2", "bet_3"), suppressed=()):
    rng = np.random.default_rng(7)
    rows = []
    for it in items:
        p = rng.dirichlet(np.ones(5) * 3)
        for c, v in zip(CATS, p):
            rows.append(dict(item=it, category=c, estimate=np.nan if it in suppressed else v,
                             n=5 if it in suppressed else 312, suppressed=it in suppressed))
    d = pd.DataFrame(rows)
    d["category"] = pd.Categorical(d["category"], CATS)
    return d


def _compare():
    return pd.DataFrame(dict(
        label=["Betrokkenheid"] * 2 + ["Capaciteit"] * 2 + ["Bereidheid"] * 2,
        group=["Eemsdelta", "Provincie"] * 3,
        estimate=[6.62, 6.41, 5.13, 5.31, np.nan, 5.9],
        ci_lower=[6.4, 6.3, 4.9, 5.2, np.nan, 5.8], ci_upper=[6.8, 6.5, 5.3, 5.4, np.nan, 6.0],
        n=[312, 3300, 25, 3300, 4, 3300], suppressed=[False, False, False, False, True, False],
        indicative=[False, False, True, False, False, False]))


def _points(ax):
    """Dots drawn by _points (Line2D objects with a marker and no line): one Line2D
    per dot, so that face colours can be checked per dot."""
    from matplotlib.lines import Line2D
    out = []
    for ln in ax.get_lines():
        if ln.get_marker() in plots.MARKERS and ln.get_linestyle() == "None":
            for x, y in zip(ln.get_xdata(), ln.get_ydata()):
                out.append(Line2D([x], [y], marker="o", markerfacecolor=ln.get_markerfacecolor()))
    return out


def _ticktexts(fig, which="x"):
    fig.draw_without_rendering()
    ax = fig.axes[0]
    labels = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels]


@pytest.fixture(autouse=True)
def _theme():
    plots.set_theme()


def test_likert_bars_draws_every_category_of_shown_items_and_labels_agree_share():
    dist = _dist(suppressed=("bet_3",))
    fig = plots.likert_bars(dist, labels={"bet_1": "Ik voel me thuis"})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    bars = [len(c.get_paths()) for c in ax.collections]  # one collection per category
    assert bars == [2] * 5                               # suppressed item absent
    assert [t.get_text() for t in ax.get_legend().get_texts()] == CATS
    texts = [t.get_text() for t in ax.texts]
    shown = dist[dist["item"] == "bet_1"].set_index("category")["estimate"]
    agree = shown["mee eens"] + shown["helemaal mee eens"]
    assert f"{round(agree * 100):d}%" in texts
    ylabels = _ticktexts(fig, "y")
    assert any("Ik voel me thuis" in t and "n = 312" in t for t in ylabels)
    assert not any("bet_3" in t for t in ylabels)
    assert all("%" in t for t in _ticktexts(fig, "x") if t)
    assert "(helemaal) mee eens" in ax.get_xlabel()


def test_likert_bars_all_suppressed_is_an_error_not_an_empty_chart():
    with pytest.raises(DataError, match="suppressed"):
        plots.likert_bars(_dist(items=("bet_1",), suppressed=("bet_1",)))


def test_dot_compare_points_intervals_and_decimal_commas():
    fig = plots.dot_compare(_compare(), xlabel="score (0-10)")
    ax = fig.axes[0]
    pts = _points(ax)
    assert len(pts) == 5                                  # 6 rows, one suppressed
    hollow = [p for p in pts if p.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))]
    assert len(hollow) == 1                               # the indicative one
    ticks = [t for t in _ticktexts(fig) if t]
    assert any("," in t for t in ticks) and not any("." in t for t in ticks)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Provincie (n = 3.300)" in legend
    assert any("indicatieve" in t.get_text() for t in fig.texts)


def test_quadrant_leaves_out_suppressed_kernen():
    table = pd.DataFrame(dict(
        kern=["Appingedam", "Delfzijl", "<script>alert(1)</script>", "Geheim"],
        x=[5.2, 5.5, 5.0, np.nan], y=[6.5, 6.1, 7.0, np.nan], n=[120, 150, 25, 4],
        suppressed=[False, False, False, True], indicative=[False, False, True, False]))
    fig = plots.quadrant(table, x_ref=5.4, y_ref=6.6)
    ax = fig.axes[0]
    n_points = sum(len(c.get_offsets()) for c in ax.collections)
    assert n_points == 3
    names = [t.get_text() for t in ax.texts]
    assert "Appingedam (120)" in names and not any("Geheim" in t for t in names)
    assert any("script" in t for t in names)
    assert "Betrokkenheid" in ax.get_ylabel()
    assert any("," in t for t in _ticktexts(fig) if t)


def test_profile_one_line_per_group():
    t = _compare()
    fig = plots.profile(t, ylabel="score (0-10)")
    ax = fig.axes[0]
    assert len(_points(ax)) == 5
    assert [x.get_text() for x in ax.get_xticklabels()] == ["Betrokkenheid", "Capaciteit", "Bereidheid"]


def test_trend_gaps_for_suppressed_waves_and_percent_ticks():
    est = np.array([0.30, 0.32, 0.35, 0.33, 0.31, 0.30, 0.30, 0.32])
    t = pd.DataFrame(dict(golf=[2017, 2019, 2021, 2023] * 2,
                          group=["Eemsdelta"] * 4 + ["Provincie"] * 4,
                          estimate=est, ci_lower=est - 0.03, ci_upper=est + 0.03,
                          n=[300, 310, 20, 5, 3000, 3100, 3200, 3300],
                          suppressed=[False] * 3 + [True] + [False] * 4,
                          indicative=[False, False, True, False] + [False] * 4))
    fig = plots.trend(t, percent=True, ylabel="aandeel actief")
    ax = fig.axes[0]
    assert len(_points(ax)) == 7
    ticks = [x.get_text() for x in ax.get_xticklabels()]
    assert [t.split("\n")[0] for t in ticks] == ["2017", "2019", "2021", "2023"]
    assert ticks[1] == "2019\nn = 310" and ticks[3] == "2023"      # suppressed: no n
    assert all(x.endswith("%") for x in _ticktexts(fig, "y") if x)


def test_coef_plot_log_axis_without_intercept():
    m = pd.DataFrame(dict(term=["Intercept", "bereidheid", "capaciteit", "man"],
                          estimate=[-2.0, 0.5, 0.3, -0.1], ci_lower=[-2.3, 0.4, 0.2, -0.4],
                          ci_upper=[-1.7, 0.6, 0.4, 0.2]))
    fig = plots.coef_plot(m, labels={"man": "Man (t.o.v. vrouw)"})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(_points(ax)) == 3
    assert "Intercept" not in _ticktexts(fig, "y")
    assert "Man (t.o.v. vrouw)" in _ticktexts(fig, "y")
    assert f"{np.exp(0.5):.2f}".replace(".", ",") in [t.get_text() for t in ax.texts]
    assert "1" in _ticktexts(fig)


def test_missing_column_named_in_error():
    with pytest.raises(DataError, match="'estimate'"):
        plots.dot_compare(pd.DataFrame({"label": ["a"], "group": ["b"]}))


def test_notes_are_inside_the_figure_and_svg_is_drawn_at_figure_size():
    import re
    fig = plots.dot_compare(_compare(), xlabel="score (0-10)")
    note = next(t for t in fig.texts if "indicatieve" in t.get_text())
    svg = _figures.to_svg(fig).decode("utf-8")
    size = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    np.testing.assert_allclose([float(v) for v in size], fig.get_size_inches() * 72)
    renderer = _svg_renderer()
    fig.set_dpi(72)                                       # the SVG's unit: points
    box = note.get_window_extent(renderer)
    w, h = fig.bbox.size
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= w + 1 and box.y1 <= h + 1
    ax_box = fig.axes[0].get_tightbbox(renderer)
    assert ax_box.y0 >= box.y1 - 1                        # the note is under the axes


def test_svg_keeps_text_as_text_and_is_deterministic():
    fig = plots.dot_compare(_compare(), xlabel="score (0-10)")
    svg = _figures.to_svg(fig)
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b">score (0-10)</text>" in svg and b"Provincie (n = 3.300)" in svg
    assert b"<use xlink:href=\"#DejaVu" not in svg             # no glyph outlines
    assert b"<dc:date>" not in svg
    assert _figures.to_svg(plots.dot_compare(_compare(), xlabel="score (0-10)")) == svg
    assert _figures.to_svg(fig) == svg                            # saving again: same image
    assert fig.get_layout_engine() is not None and fig.axes[0].get_in_layout()


def test_img_html_embeds_svg_with_escaped_alt():
    import base64
    import re
    tag = _figures.img_html(plots.profile(_compare()), 'Figuur 1. "Eemsdelta" <b>')
    src = re.fullmatch(r'<img src="data:image/svg\+xml;base64,([^"]+)" '
                       r'alt="Figuur 1. &quot;Eemsdelta&quot; &lt;b&gt;" style="max-width:100%">',
                       tag)
    assert src and b"<svg" in base64.b64decode(src.group(1))


def test_figures_are_not_registered_with_pyplot():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    plots.dot_compare(_compare())
    assert plt.get_fignums() == before


def _svg_renderer():
    """A renderer that measures text as matplotlib's SVG backend writes it (not the one
    to_svg measures with, so that a layout measured otherwise shows up here)."""
    from io import StringIO

    from matplotlib.backends.backend_svg import RendererSVG
    return RendererSVG(72, 72, StringIO())


def _texts_outside(fig):
    """Texts drawn by to_svg whose extent, measured as the SVG backend measures it, is not
    inside the figure (tick labels only for ticks inside the axis limits: the others are
    not drawn)."""
    from matplotlib.text import Text
    svg = _figures.to_svg(fig)
    assert b"<svg" in svg
    renderer = _svg_renderer()
    fig.set_dpi(72)                                       # the SVG's unit: points
    tick_axis = {t: (axis, i) for ax in fig.axes for i, axis in enumerate((ax.xaxis, ax.yaxis))
                 for t in axis.get_ticklabels(which="both")}
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text():
            continue
        if t in tick_axis:
            axis, i = tick_axis[t]
            lo, hi = sorted(axis.get_view_interval())
            if not lo - 1e-9 <= t.get_position()[i] <= hi + 1e-9:
                continue
        box = t.get_window_extent(renderer)
        if box.x0 < 0 or box.y0 < 0 or box.x1 > fig.bbox.width or box.y1 > fig.bbox.height:
            out.append(t.get_text())
    return out


def _long_likert():
    items = [f"bet_{i}" for i in range(16)]
    labels = {it: "Als het erop aankomt trekken we samen op voor een gemeenschappelijk doel"
              for it in items}
    return plots.likert_bars(_dist(items=items), labels=labels)


@pytest.mark.parametrize("make", [
    _long_likert,
    lambda: plots.likert_bars(_dist()),
    lambda: plots.dot_compare(_compare(), xlabel="score (0-10)"),
    lambda: plots.dot_compare(_compare().query("group == 'Eemsdelta'"), xlabel="score (0-10)"),
    lambda: plots.profile(_compare(), ylabel="score (0-10)"),
    lambda: plots.quadrant(pd.DataFrame(dict(
        kern=["Appingedam", "Een kern met een heel lange naam", "Delfzijl"],
        x=[5.2, 7.9, 5.0], y=[6.5, 6.1, 7.9], n=[120, 150, 25])), x_ref=5.4, y_ref=6.6),
    lambda: plots.coef_plot(pd.DataFrame(dict(
        term=["Intercept", "bereidheid", "Man (t.o.v. vrouw), met een lange omschrijving"],
        estimate=[-2.0, 0.5, -0.1], ci_lower=[-2.3, 0.4, -0.4], ci_upper=[-1.7, 0.6, 0.2]))),
])
def test_nothing_drawn_outside_the_figure(make):
    assert _texts_outside(make()) == []


def test_one_axes_layout_matches_constrained_layout():
    """to_svg places the Axes by hand; it agrees with constrained layout to a few points."""
    for make in (lambda: plots.dot_compare(_compare(), xlabel="score (0-10)"),
                 lambda: plots.profile(_compare(), ylabel="score (0-10)"),
                 lambda: plots.likert_bars(_dist())):
        reference = make()
        with mpl.rc_context(_figures.SVG_RC):
            reference.savefig(BytesIO(), format="svg")        # constrained layout
        fig = make()
        fig.set_dpi(72)
        _figures._place_axes(fig, _figures._measuring_renderer())
        size = np.tile(fig.get_size_inches() * 72, 2)         # points
        np.testing.assert_allclose(fig.axes[0].get_position().extents * size,
                                   reference.axes[0].get_position().extents * size, atol=2)
    assert fig.get_layout_engine() is not None               # a saved figure still lays out


def test_other_figures_are_saved_with_their_own_layout():
    fig = Figure(figsize=(12, 4), layout="constrained")
    for ax in fig.subplots(1, 2):
        plots.dot_compare(_compare(), ax=ax)
    svg = _figures.to_svg(fig)
    assert svg.count(b'<g id="axes_') == 2 and svg.count(b"Provincie (n = 3.300)") == 2


#: every plot function with a table it can draw
AXES_LEVEL = {
    "likert_bars": lambda ax: plots.likert_bars(_dist(), ax=ax),
    "dot_compare": lambda ax: plots.dot_compare(_compare(), xlabel="score (0-10)", ax=ax),
    "quadrant": lambda ax: plots.quadrant(pd.DataFrame(dict(
        kern=["Appingedam", "Delfzijl"], x=[5.2, 5.5], y=[6.5, 6.1], n=[120, 25],
        indicative=[False, True])), x_ref=5.4, y_ref=6.6, ax=ax),
    "profile": lambda ax: plots.profile(_compare(), ax=ax),
    "gemeente_map": lambda ax: plots.gemeente_map(pd.DataFrame(dict(
        gemeente=["GM1979", "GM0014", "GM1966"], estimate=[0.31, 0.24, np.nan],
        suppressed=[False, False, True])), highlight="GM1979", year=2023, percent=True, ax=ax),
    "trend": lambda ax: plots.trend(pd.DataFrame(dict(
        golf=[2019, 2021, 2023], estimate=[0.3, 0.32, 0.31], ci_lower=[0.28, 0.3, 0.29],
        ci_upper=[0.32, 0.34, 0.33], n=[300, 20, 310], indicative=[False, True, False])),
        group=None, percent=True, ax=ax),
    "retention": lambda ax: plots.retention(pd.DataFrame(dict(
        wave_a=[2019, 2021], wave_b=[2021, 2023], retention=[0.69, 0.68], ci_lower=[0.67, 0.66],
        ci_upper=[0.71, 0.70], n_a=[3305, 25], indicative=[False, True])), ax=ax),
    "coef_plot": lambda ax: plots.coef_plot(pd.DataFrame(dict(
        term=["Intercept", "bereidheid"], estimate=[-2.0, 0.5], ci_lower=[-2.3, 0.4],
        ci_upper=[-1.7, 0.6])), ax=ax),
}


def test_every_plot_function_takes_ax():
    import inspect
    public = [name for name in plots.__all__ if inspect.isfunction(getattr(plots, name))
              and name != "set_theme"]
    assert sorted(public) == sorted(AXES_LEVEL)
    for name in public:
        assert inspect.signature(getattr(plots, name)).parameters["ax"].default is None


@pytest.mark.parametrize("name", sorted(AXES_LEVEL))
def test_drawing_on_a_given_axes_returns_it_and_leaves_the_figure_alone(name):
    import matplotlib.pyplot as plt
    fig, (other, ax) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    try:
        other.plot([0, 1], [0, 1])
        assert AXES_LEVEL[name](ax) is ax
        assert list(fig.get_size_inches()) == [12, 5]       # the caller's figure size
        assert fig.axes == [other, ax] and not fig.texts      # nothing added elsewhere
        assert len(ax.get_children()) > len(other.get_children()) - 5 and ax.has_data()
        assert len(other.get_lines()) == 1
        notes = [t for t in ax.texts if "indicatieve" in t.get_text()]
        if name in ("dot_compare", "quadrant", "profile", "trend"):
            assert len(notes) == 1                          # the note goes with the Axes
        assert _texts_outside(fig) == []
    finally:
        plt.close(fig)


def test_without_ax_a_new_figure_is_returned():
    for name, make in AXES_LEVEL.items():
        fig = make(None)
        assert isinstance(fig, Figure) and len(fig.axes) == 1, name


def test_report_svg_names_fallback_fonts_for_readers_without_dejavu_sans():
    """matplotlib measures with DejaVu Sans; a browser without it must not fall back to a
    serif default: every text of the SVG names similar sans-serifs after it."""
    import re

    from socvit.report import _figures

    plots.set_theme()
    fig = plots.dot_compare(pd.DataFrame({"label": ["Betrokkenheid", "Capaciteit"],
                                          "group": "Eemsdelta", "estimate": [7.5, 5.2],
                                          "ci_lower": [7.1, 4.9], "ci_upper": [7.9, 5.5],
                                          "n": [358, 358]}))
    svg = _figures.to_svg(fig).decode("utf-8")
    families = re.findall(r"font-family: ([^;\"]+)", svg)
    assert len(families) >= 5 and set(families) == {_figures.FONT_FAMILY}
    assert _figures.FONT_FAMILY.startswith("'DejaVu Sans'")
    assert _figures.FONT_FAMILY.endswith("sans-serif")
