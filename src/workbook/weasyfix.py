"""A fix for a WeasyPrint 70 pagination bug: footnotes repeated on a later page.

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
is skipped as up to date. It is installed only for WeasyPrint 70.
"""

from __future__ import annotations

import weasyprint
from weasyprint import layout as wp_layout
from weasyprint.layout import page as wp_page
from weasyprint.logger import PROGRESS_LOGGER

_installed = False


def make_all_pages(context, root_box, html, pages):
    """WeasyPrint 70's ``make_all_pages`` with carried-over footnotes restored."""
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


def install() -> None:
    """Replace WeasyPrint's page loop (once, and only on the version it was written for)."""
    global _installed
    if _installed or not weasyprint.__version__.startswith("70."):
        return
    wp_layout.make_all_pages = make_all_pages
    _installed = True
