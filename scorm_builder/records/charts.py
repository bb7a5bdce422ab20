"""The report's charts: matplotlib figures saved as SVG, made fit to sit inline in an accessible page.

Each chart is drawn with matplotlib's object API (no pyplot, no global state), saved with the SVG
backend with text kept as text (`svg.fonttype: none`, so that it scales and can be searched) and
the metadata (date, creator) left out, so that the same figures give the same bytes. The SVG is
then parsed (lxml) and given what an inline image needs (WAI-ARIA, SVG-AAM):

- `role="img"` and `aria-labelledby` naming its own `<title>` and `<desc>`: a short title and a
  text alternative that states the figures (the table beside each chart holds them too);
- ids prefixed with the chart's id, so that several charts on one page never share an id;
- no fixed width/height (the viewBox stays): it scales to the column, phone or desktop.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

from lxml import etree
from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}href"
BAR = "#1f4e79"  # 8.6:1 on white (WCAG 1.4.11 asks 3:1 for graphics)
ACCENT = "#b3401a"
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "scorm-builder-report",  # stable clip-path ids
    "font.family": "sans-serif",
    "font.size": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#111111",
    "xtick.color": "#111111",
    "ytick.color": "#111111",
    "text.color": "#111111",
}
WIDTH = 4.6  # inches: 440 px at 96 dpi, so that on a phone (360 px) the text shrinks little


CHAR = 0.09  # inches per character of a 12 pt label, a little generous


def _figure(height: float, left: float, bottom: float = 0.6, top: float = 0.3, right: float = 0.5):
    """A figure with fixed margins in inches (one draw; constrained layout would draw twice)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height))
    figure.subplots_adjust(left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / height, top=1 - top / height)
    return figure


def to_svg(figure, chart_id: str, title: str, desc: str) -> Markup:
    """The figure as an inline `<svg>` element (see the module docstring)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(buffer.getvalue(), parser)
    for node in root.findall(f"{{{SVG_NS}}}metadata"):
        root.remove(node)
    renamed = {}
    for node in root.iter():
        old = node.get("id")
        if old is not None:
            renamed[old] = f"{chart_id}-{old}"
            node.set("id", renamed[old])
    for node in root.iter():
        for name, value in node.attrib.items():
            if "url(#" in value:
                for old, new in renamed.items():
                    value = value.replace(f"url(#{old})", f"url(#{new})")
                node.set(name, value)
            elif name == XLINK and value.startswith("#") and value[1:] in renamed:
                node.set(name, "#" + renamed[value[1:]])
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("class", "chart")
    title_node = etree.Element(f"{{{SVG_NS}}}title", id=f"{chart_id}-title")
    title_node.text = title
    desc_node = etree.Element(f"{{{SVG_NS}}}desc", id=f"{chart_id}-desc")
    desc_node.text = desc
    root.insert(0, desc_node)
    root.insert(0, title_node)
    return Markup(etree.tostring(root, encoding="unicode"))


def _annotate(ax, bars, values: Sequence[str], horizontal: bool) -> None:
    for bar, text in zip(bars, values):
        if horizontal:
            ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=11)
        else:
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=11)


def hbar(chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float],
         shown: Sequence[str], xlabel: str, xmax: float | None = None,
         marks: Sequence[tuple[float, str]] = ()) -> Markup:
    """A horizontal bar chart, first label on top, each bar with its value written at its end."""
    from matplotlib import rc_context

    with rc_context(STYLE):
        figure = _figure(0.9 + 0.3 * max(len(labels), 2), left=0.2 + CHAR * max(map(len, labels), default=1),
                         right=0.2 + CHAR * max(map(len, shown), default=1))
        ax = figure.add_subplot()
        positions = range(len(labels))
        bars = ax.barh(list(positions), list(values), color=BAR, height=0.6)
        ax.set_yticks(list(positions), list(labels))
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        top = xmax if xmax is not None else max(list(values) + [1])
        ax.set_xlim(0, top)
        for x, label in marks:
            ax.axvline(x, color=ACCENT, linestyle="--", linewidth=1)
            ax.annotate(label, (x, 1), xycoords=("data", "axes fraction"), xytext=(2, 2), textcoords="offset points",
                        fontsize=9, color=ACCENT)
        _annotate(ax, bars, shown, horizontal=True)
        return to_svg(figure, chart_id, title, desc)


def vbar(chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float], xlabel: str,
         ylabel: str) -> Markup:
    """A vertical bar chart (counts per bin), each bar with its count on top."""
    from matplotlib import rc_context

    with rc_context(STYLE):
        rotate = len(labels) > 6
        figure = _figure(3.0, left=0.75, bottom=1.15 if rotate else 0.65)
        ax = figure.add_subplot()
        positions = list(range(len(labels)))
        bars = ax.bar(positions, list(values), color=BAR, width=0.7)
        ax.set_xticks(positions, list(labels), rotation=45 if rotate else 0, ha="right" if rotate else "center")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, max(list(values) + [1]) * 1.2)
        ax.yaxis.get_major_locator().set_params(integer=True)
        _annotate(ax, bars, [str(int(v)) for v in values], horizontal=False)
        return to_svg(figure, chart_id, title, desc)


def boxes(chart_id: str, title: str, desc: str, labels: Sequence[str], spreads: Sequence, scale: float,
          xlabel: str) -> Markup:
    """Box plots from five-number summaries (median, quartiles, low, high), one row per label."""
    from matplotlib import rc_context

    with rc_context(STYLE):
        figure = _figure(0.9 + 0.4 * max(len(labels), 2), left=0.2 + CHAR * max(map(len, labels), default=1),
                         right=0.3)
        ax = figure.add_subplot()
        found = [{"label": label, "med": s.median / scale, "q1": s.q1 / scale, "q3": s.q3 / scale,
                  "whislo": s.low / scale, "whishi": s.high / scale, "fliers": []}
                 for label, s in zip(labels, spreads) if s.n]
        if found:
            ax.bxp(found, orientation="horizontal", showfliers=False, patch_artist=True,
                   boxprops={"facecolor": "#c9dcee", "edgecolor": BAR}, medianprops={"color": ACCENT, "linewidth": 2},
                   whiskerprops={"color": BAR}, capprops={"color": BAR})
            ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_xlim(left=0)
        return to_svg(figure, chart_id, title, desc)
