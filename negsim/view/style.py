"""The view's type and layout for a projector: readable at 1024 x 768 and at 1920 x 1080.

Vuetify and Jupyter's Markdown styles set 12-14 px type for buttons, tables, lists and tabs,
shrink a field's label to three quarters, cut a long label with an ellipsis and break a card's
title within a word. Here every text of the Watch tab is at least 16 px (12 pt), a label wraps
between words instead of being cut, no word is broken, and the story's figures take the width
of their column. Presentation mode (`negsim-presenting`, for the class) sets larger type still.
"""

from __future__ import annotations

import solara

WATCH = "negsim-watch"
"""The class of each tab's root (Watch and Play as): every rule below is scoped to it (the tab
bar aside)."""

PRESENTING = "negsim-presenting"
"""Added to the Watch tab's root in presentation mode."""

SETTINGS = "negsim-settings"
"""The settings column."""

WRAP = "negsim-wrap"
"""A row of selects (and a button) that goes onto two lines rather than cut a select's value."""

FIGURES = "negsim-figures"
"""The row that holds one story's two figures: side by side when there is room for both."""

FIGURE = "negsim-figure"
"""One of the story's figures (a PNG frame)."""

TEXT_PX = 16
"""The smallest type of the full layout, in CSS px: 12 pt."""

PRESENTING_TEXT_PX = 18
"""The smallest type of presentation mode, in CSS px (13.5 pt): the most that lets the deal
table of a four-party scenario fit a 1024 px screen."""

PRESENTING_WIDE_TEXT_PX = 22
"""The smallest type of presentation mode on a screen `WIDE_PX` wide or more (16.5 pt)."""

WIDE_PX = 1280
"""A screen this wide or wider is a wide one (1280 x 800 and up; 1024 x 768 is not)."""

WIDE_TABLE = "negsim-wide-table"
"""The box of a table that may be wider than its column (the deal against each party's best
option has a column per party: a four-party deal needs about 840 px at 16 px, more than the
full layout's story column on a 1024 px screen): it scrolls sideways, its first column (the
issue) staying in view."""

SIDES = "negsim-sides"
"""The row of the stories compared (A and B): side by side when each gets `SIDE_MIN_PX`, else
one under the other, so that neither's figures shrink below readable type."""

SIDE_MIN_PX = 620
"""The narrowest a compared story may be beside the other (a 1920 px screen has room for two,
a 1024 px screen for one)."""

FIGURE_MIN_PX = 560
"""A figure's width below which the two figures of a story go one under the other."""

FIGURE_MAX_PX = 960
"""A figure's largest width: a 1920 px screen shows the two side by side, not one blown up."""

CSS = f"""
.v-tabs .v-tab {{ font-size: {TEXT_PX}px; }}

.{WATCH} {{
  --negsim-text: {TEXT_PX}px;
  --jp-content-font-size1: var(--negsim-text);
  --jp-ui-font-size1: var(--negsim-text);
  font-size: var(--negsim-text);
}}
.{WATCH}.{PRESENTING} {{
  --negsim-text: {PRESENTING_TEXT_PX}px;
  --jp-content-font-size2: 1.3em;
  --jp-content-font-size3: 1.6em;
  --jp-content-font-size4: 1.9em;
}}
@media (min-width: {WIDE_PX}px) {{
  .{WATCH}.{PRESENTING} {{ --negsim-text: {PRESENTING_WIDE_TEXT_PX}px; }}
}}

/* no word broken: lines break between words only (Vuetify breaks a card's title anywhere) */
.{WATCH}, .{WATCH} * {{
  overflow-wrap: normal !important;
  word-break: normal !important;
  hyphens: none !important;
}}

/* Markdown: Jupyter's 14 px text and 13 px tables */
.{WATCH} .jp-RenderedHTMLCommon,
.{WATCH} .jp-RenderedHTMLCommon p,
.{WATCH} .jp-RenderedHTMLCommon li,
.{WATCH} .jp-RenderedHTMLCommon table,
.{WATCH} .jp-RenderedHTMLCommon td,
.{WATCH} .jp-RenderedHTMLCommon th {{
  font-size: var(--negsim-text);
}}
.{WATCH} .jp-RenderedHTMLCommon {{ padding-right: 0; }}
.{WATCH} .jp-RenderedHTMLCommon table {{ table-layout: auto; max-width: 100%; }}
.{WATCH} .jp-RenderedHTMLCommon td, .{WATCH} .jp-RenderedHTMLCommon th {{
  padding: 0.5em 0.35em;
}}

/* buttons, alerts, card titles, expansion panels */
.{WATCH} .v-btn {{
  font-size: var(--negsim-text) !important;
  height: auto !important;
  min-height: 36px;
  padding-top: 6px !important;
  padding-bottom: 6px !important;
}}
.{WATCH} .v-btn__content {{ white-space: normal; flex-wrap: wrap; line-height: 1.25; }}
.{WATCH} .v-alert, .{WATCH} .v-expansion-panel-header {{ font-size: var(--negsim-text); }}
.{WATCH} .v-card__title {{ font-size: calc(1.25 * var(--negsim-text)); line-height: 1.3; }}

/* fields, selects and switches: the label full size above its field, wrapping between words
   (Vuetify shrinks it to three quarters, keeps it on one line and cuts it with an ellipsis) */
.{WATCH} .v-input {{ font-size: var(--negsim-text); }}
.{WATCH} .v-label {{
  font-size: var(--negsim-text);
  line-height: 1.25;
  height: auto;
  white-space: normal;
  overflow: visible;
  text-overflow: clip;
}}
.{WATCH} .v-text-field {{ padding-top: 4px; }}
.{WATCH} .v-text-field__slot, .{WATCH} .v-select__slot {{ flex-wrap: wrap; }}
.{WATCH} .v-text-field .v-label {{
  position: static !important;
  transform: none !important;
  flex: 0 0 100%;
  max-width: 100% !important;
  margin-bottom: 2px;
}}
.{WATCH} .v-text-field input {{ max-height: none; line-height: 1.3; }}
.{WATCH} .v-select__selections {{ flex: 1 1 calc(100% - 48px); }}
.{WATCH} .v-select__selection {{ line-height: 1.3; }}

/* a row of selects: onto the next line when a select would be too narrow for its value */
.{WATCH} .{WRAP} {{ flex-wrap: wrap; }}
.{WATCH} .{WRAP} > .v-input {{ flex: 1 1 10em; }}

/* a wide table scrolls sideways in its own box, the issue column staying in view */
.{WATCH} .{WIDE_TABLE} {{ overflow-x: auto; }}
.{WATCH} .{WIDE_TABLE} table {{ margin-left: 0; }}
.{WATCH} .{WIDE_TABLE} td:first-child, .{WATCH} .{WIDE_TABLE} th:first-child {{
  position: sticky;
  left: 0;
  z-index: 1;
  background: inherit;
}}
.{WATCH} .{WIDE_TABLE} thead th:first-child {{ background: var(--jp-layout-color0); }}

/* A and B compared: side by side where both have room, else B under A */
.{WATCH} .{SIDES} > .col {{ flex-basis: {SIDE_MIN_PX}px !important; min-width: 0; }}

/* the story's figures: the width of their column, two side by side when there is room */
.{WATCH} .{FIGURES} {{ flex-wrap: wrap; align-items: flex-start; }}
.{WATCH} .{FIGURES} > * {{
  flex: 1 1 {FIGURE_MIN_PX}px;
  min-width: 0;
  max-width: {FIGURE_MAX_PX}px;
}}
.{WATCH} .{FIGURE} {{ display: block; width: 100%; height: auto; }}
/* the odds curve and the tornado: never wider than their card */
.{WATCH} .v-card img {{ max-width: 100%; height: auto; }}
"""


@solara.component
def ViewStyle() -> None:
    """The view's CSS, once per page (`CSS`)."""
    solara.Style(CSS)
