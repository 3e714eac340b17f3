"""Fixes for WeasyPrint 70 pagination: footnotes repeated on a later page, and rounds
of layout spent on page numbers that did not change.

When a page refers to a later page's number (a contents line, "ks. s. N"),
WeasyPrint lays the document out again and remakes only the pages whose
content changed. Its loop (``weasyprint.layout.page.make_all_pages``) skips
up-to-date pages without restoring the footnotes the skipped page had carried
over to the next one. The footnotes a remade page pushed forward in the new
round then stay pending past the skipped page and are laid out a second time
on the next remade page: the footnote appears twice, the page loses that space
and everything after it can move a page (the book's contents check catches the
symptom).

The replacement below is WeasyPrint's loop with one change: the carried-over
footnotes are remembered after each page is made, and restored when that page
is skipped as up to date.

More faults in the same machinery remake pages whose numbers were already
right (on the sample, built without a page map: 16 pages remade twice each;
with the fixes, the 8 pages that print a later page's number, once):

* A ``target-counter(attr(href url), page)`` is filed under the anchor name
  ``None``, because WeasyPrint names the anchor from the ``attr()`` token
  before resolving it. When the target's page becomes known, nothing is found
  to update, so the referring page is remade in the next round still printing
  0, and only that round's re-parse prints the number for the round after.
  :func:`_collect_missing_counters` files the counters under the anchors
  :func:`_lookup_target` resolved for that box.
* In the same function a variable is reused: the list of the box's own
  page-based counters (``counter(page)``) becomes the target's list, so every
  box that prints a target's page seems to print its own page too and is
  re-parsed and remade after its first layout. :func:`_collect_missing_counters`
  gives it back its own list, read from its ``content``.
* A box that prints the page of an earlier target is marked pending when that
  target is laid out, because its own page is not made yet; it is laid out
  printing 0 and remade. :func:`_cache_target_page_counters` gives such a box
  (one that prints nothing but targets' counters) its content at once, so the
  first layout prints the number.
* After the first round WeasyPrint sets the ``pages`` counter of every page to
  the page count, so the counter values cached in the first round all differ
  from the new ones, and every referring page is re-parsed and remade once
  more though no number it prints changed. :func:`_refresh_page_totals` brings
  the cached ``pages`` value up to date where nothing prints it.

Registered in :mod:`workbook.patches`, which applies it on WeasyPrint 70.0 only.
"""

from __future__ import annotations

import copy

from weasyprint import layout as wp_layout
from weasyprint.css import targets as wp_targets
from weasyprint.layout import page as wp_page
from weasyprint.logger import PROGRESS_LOGGER


def make_all_pages(context, root_box, html, pages):
    """WeasyPrint 70's ``make_all_pages`` with carried-over footnotes restored."""
    if pages:  # a later round: the first one set every page's "pages" counter
        _refresh_page_totals(context.target_collector, len(pages))
    i = 0
    reported_footnotes = None
    context.rendered_notes = []
    carried = context.__dict__.setdefault("workbook_carried_footnotes", {})
    while True:
        remake_state = context.page_maker[i][-1]
        if len(pages) == 0 or remake_state["content_changed"] or remake_state["pages_wanted"]:
            PROGRESS_LOGGER.info("Step 5 - Creating layout - Page %d", i + 1)
            remake_state["content_changed"] = False
            remake_state["pages_wanted"] = False
            remake_state["anchors"] = []
            remake_state["content_lookups"] = []
            page, resume_at = wp_page.remake_page(i, context, root_box, html)
            reported_footnotes = context.reported_footnotes
            carried[i] = list(context.reported_footnotes)
            yield page
        else:
            PROGRESS_LOGGER.info("Step 5 - Creating layout - Page %d (up-to-date)", i + 1)
            resume_at = context.page_maker[i + 1][0]
            reported_footnotes = None
            # The fix: what this page carried over the last time it was made.
            context.reported_footnotes = list(carried.get(i, []))
            yield pages[i]

        i += 1
        if resume_at is None and not reported_footnotes:
            context.page_maker = context.page_maker[: i + 1]
            context.broken_out_of_flow.clear()
            context.reported_footnotes.clear()
            return


_RESOLVED = "workbook_resolved_anchors"  # TargetCollector attribute: box -> anchors


def _lookup_target(self, anchor_token, source_box, css_token, parse_again):
    """WeasyPrint's ``lookup_target``, remembering which anchor an ``attr()`` named."""
    item = _stock_lookup_target(self, anchor_token, source_box, css_token, parse_again)
    if self.collecting and anchor_token[0] == "attr()":
        attr_name, type_, fallback = anchor_token[1]
        value = source_box.element.get(attr_name, fallback)
        if type_ == "url":
            token = ("url", wp_targets.get_url_tuple(value, source_box.style.base_url))
        else:
            token = ("string", value)
        name = wp_targets.anchor_name_from_token(token)
        resolved = self.__dict__.setdefault(_RESOLVED, {})
        resolved.setdefault((source_box, css_token), []).append(name)
    return item


def _collect_missing_counters(
    self, parent_box, css_token, parse_again_function, missing_counters, missing_target_counters
):
    """WeasyPrint's ``collect_missing_counters``, with the counters of targets named by
    ``attr()`` filed under those targets instead of under ``None``, and the box's
    own missing counters its own (see the module notes)."""
    resolved = self.__dict__.get(_RESOLVED, {}).pop((parent_box, css_token), [])
    if self.collecting and css_token == "content":
        aliased = any(missing_counters is names for names in missing_target_counters.values())
        if aliased:
            missing_counters = _local_missing_counters(parent_box)
    if self.collecting and None in missing_target_counters:
        wanted = missing_target_counters.pop(None)
        for name in filter(None, resolved):
            counters = missing_target_counters.setdefault(name, [])
            counters.extend(c for c in wanted if c not in counters)
    return _stock_collect_missing_counters(
        self, parent_box, css_token, parse_again_function, missing_counters,
        missing_target_counters,
    )  # fmt: skip


def _cache_target_page_counters(
    self, anchor_name, page_counter_values, page_maker_index, page_maker
):
    """WeasyPrint 70's ``cache_target_page_counters`` (a target was laid out: record its
    page, update the boxes that print it), with one change: a box whose page is
    not laid out yet and that prints nothing but targets' counters gets its new
    content at once, instead of being marked pending (printed 0 in this round
    and remade in the next)."""
    if self.collecting:
        return
    target = self.target_lookup_items.get(anchor_name)
    if not target or target.state != "up-to-date":
        return
    target.page_maker_index = page_maker_index
    if target.cached_page_counter_values == page_counter_values:
        return
    target.cached_page_counter_values = copy.deepcopy(page_counter_values)
    for (_, css_token), item in self.counter_lookup_items.items():
        if css_token != "content":
            continue
        missing_counters = item.missing_target_counters.get(anchor_name)
        if missing_counters is None:
            continue
        if item.page_maker_index is None or item.page_maker_index >= len(page_maker):
            if item.page_maker_index is None and not item.missing_counters:
                item.parse_again(item.cached_page_counter_values)  # the change
            else:
                item.pending = True
            continue
        for counter_name in missing_counters:
            if page_counter_values.get(counter_name) is not None:
                page_maker[item.page_maker_index][-1]["content_changed"] = True
                item.parse_again(item.cached_page_counter_values)
                break


def _local_missing_counters(box) -> list[str]:
    """The counters that *box*'s ``content`` prints with ``counter()`` or ``counters()``
    and that it does not have itself (page-based ones), as WeasyPrint collects them."""
    known = box.cached_counter_values or {}
    missing: list[str] = []
    for kind, value in box.style["content"] or ():
        printed = kind in ("counter()", "counters()") and value[-1] != "none"
        if printed and value[0] not in known and value[0] not in missing:
            missing.append(value[0])
    return missing


def _refresh_page_totals(collector, total: int) -> None:
    """Set the ``pages`` counter cached in the last round to *total*, the value every
    page now has, where no box prints it (see the module notes)."""
    wanted = {
        anchor
        for item in collector.counter_lookup_items.values()
        for anchor, names in item.missing_target_counters.items()
        if "pages" in names
    }
    for lookup in collector.counter_lookup_items.values():
        cached = lookup.cached_page_counter_values
        if "pages" in cached and "pages" not in lookup.missing_counters:
            cached["pages"] = [total]
    for anchor, target in collector.target_lookup_items.items():
        cached = target.cached_page_counter_values
        if "pages" in cached and anchor not in wanted:
            cached["pages"] = [total]


_stock_lookup_target = wp_targets.TargetCollector.lookup_target
_stock_collect_missing_counters = wp_targets.TargetCollector.collect_missing_counters
_stock_cache_target_page_counters = wp_targets.TargetCollector.cache_target_page_counters


def apply() -> None:
    """Replace WeasyPrint's page loop and its target bookkeeping (the registry guards it)."""
    wp_layout.make_all_pages = make_all_pages
    wp_targets.TargetCollector.lookup_target = _lookup_target
    wp_targets.TargetCollector.collect_missing_counters = _collect_missing_counters
    wp_targets.TargetCollector.cache_target_page_counters = _cache_target_page_counters
