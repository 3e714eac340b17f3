"""One Pango context per text style, not one per piece of text (WeasyPrint 70).

WeasyPrint sets up every piece of text it measures or draws
(``weasyprint.text.line_break.Layout.setup``) from nothing: a new Pango
context, its language, a font description, the font's metrics when the text
is underlined or struck through, and the OpenType features. On the sample's
e-version that happens about 18,000 times (three or four times per line while
lines are broken, once more per text box drawn) for only 43 different sets of
those settings. Creating the contexts and descriptions and freeing them again
cost about 0.7 s of one render of 6-7 s.

:func:`setup` does the same per piece of text, but takes the context, the
language, the font description, the metrics and the features from a cache
kept per font configuration (so per document: the cache goes with WeasyPrint's
``FontConfiguration``), keyed by every style property the stock function
reads. Each piece of text still gets its own ``PangoLayout`` and attribute list:
WeasyPrint changes those per text (letter and word spacing, tabs, hyphenation
attributes), never the context. A context is never changed after it is cached.
Every page's content stream is byte for byte the one stock WeasyPrint writes
(``tests/patches/test_textsetup.py``; both editions of the sample, all 64 pages).

Registered in :mod:`workbook.patches`, which applies it on WeasyPrint 70.0 only,
whose ``Layout.setup`` this mirrors.
"""

from __future__ import annotations

import operator
import weakref
from dataclasses import dataclass

from weasyprint.text import line_break
from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

# The properties Layout.setup reads, besides the font configuration.
KEY_PROPERTIES = (
    "direction",
    "font_language_override",
    "lang",
    "font_family",
    "font_style",
    "font_stretch",
    "font_weight",
    "font_size",
    "font_variant_caps",
    "font_variation_settings",
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
)


@dataclass(frozen=True)
class TextSettings:
    """What every piece of text with one set of style properties shares."""

    context: object  # PangoContext*, freed with this object
    language: object  # PangoLanguage*, owned by Pango
    font_description: object  # PangoFontDescription*, freed with this object
    metrics: tuple[float, float, float, float, float] | None  # decorated text only
    features: object | None  # PangoAttribute* of the OpenType features, WeasyPrint's cache


# font configuration -> (key -> settings); gone with the document's fonts
_settings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_stock_setup = line_break.Layout.setup


def settings_made(font_config: object) -> int:
    """How many different text settings have been made for *font_config*."""
    return len(_settings.get(font_config, ()))


_read_key = operator.itemgetter(*KEY_PROPERTIES)
_FAMILY = KEY_PROPERTIES.index("font_family")


def _key(style) -> tuple:
    key = _read_key(style)
    if type(key[_FAMILY]) is not tuple:  # a list where SVG text makes its own style
        key = (*key[:_FAMILY], tuple(key[_FAMILY]), *key[_FAMILY + 1 :])
    return (*key, style["text_decoration_line"] != "none")


def _make(style) -> TextSettings:
    """Stock ``Layout.setup``'s work that does not depend on the text."""
    context = ffi.gc(
        pango.pango_font_map_create_context(style.font_config.font_map), gobject.g_object_unref
    )
    pango.pango_context_set_round_glyph_positions(context, False)
    pango.pango_context_set_base_dir(context, PANGO_DIRECTION[style["direction"]])
    if style["font_language_override"] != "normal":
        override = style["font_language_override"]
        lang_p, lang = unicode_to_char_p(LST_TO_ISO.get(override.lower(), override))
    elif style["lang"]:
        lang_p, lang = unicode_to_char_p(style["lang"])
    else:
        lang = None
        language = pango.pango_language_get_default()
    if lang:
        language = pango.pango_language_from_string(lang_p)
        pango.pango_context_set_language(context, language)
    assert not isinstance(style["font_family"], str), "font_family should be a list"
    description = get_font_description(style)
    metrics = None
    if style["text_decoration_line"] != "none":
        font_metrics = ffi.gc(
            pango.pango_context_get_metrics(context, description, language),
            pango.pango_font_metrics_unref,
        )
        metrics = (
            FROM_UNITS * pango.pango_font_metrics_get_ascent(font_metrics),
            FROM_UNITS * pango.pango_font_metrics_get_underline_position(font_metrics),
            FROM_UNITS * pango.pango_font_metrics_get_strikethrough_position(font_metrics),
            FROM_UNITS * pango.pango_font_metrics_get_underline_thickness(font_metrics),
            FROM_UNITS * pango.pango_font_metrics_get_strikethrough_thickness(font_metrics),
        )
    features = font_features(
        style["font_kerning"],
        style["font_variant_ligatures"],
        style["font_variant_position"],
        style["font_variant_caps"],
        style["font_variant_numeric"],
        style["font_variant_alternates"],
        style["font_variant_east_asian"],
        style["font_feature_settings"],
    )
    attribute = None
    if features:
        encoded = ",".join(f"{key} {value}" for key, value in features.items()).encode()
        attribute = style.font_config.font_features.setdefault(
            encoded, pango.pango_attr_font_features_new(encoded)
        )
    return TextSettings(context, language, description, metrics, attribute)


def setup(self, style) -> None:
    """``Layout.setup`` of WeasyPrint 70, with the per-style work cached."""
    self.style = style
    self.first_line_direction = 0
    by_key = _settings.get(style.font_config)
    if by_key is None:
        by_key = _settings[style.font_config] = {}
    key = _key(style)
    settings = by_key.get(key)
    if settings is None:
        settings = by_key[key] = _make(style)
    self.language = settings.language
    self.layout = ffi.gc(pango.pango_layout_new(settings.context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, settings.font_description)
    if settings.metrics is None:
        self.ascent = self.underline_position = self.strikethrough_position = None
    else:
        (
            self.ascent,
            self.underline_position,
            self.strikethrough_position,
            self.underline_thickness,
            self.strikethrough_thickness,
        ) = settings.metrics
    if settings.features is not None:
        attributes = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attributes, settings.features)
        pango.pango_layout_set_attributes(self.layout, attributes)


def apply() -> None:
    """Use :func:`setup` for WeasyPrint's text layouts (the registry guards it)."""
    line_break.Layout.setup = setup
