"""Stage 6c: the reflowable editions: an accessible EPUB 3, a web edition and a
download page, made from the same :class:`~workbook.model.Book` as the PDFs.

- :mod:`.assets`: the book's fonts as WOFF2 subsets, the illustrations in sRGB
  at screen size, the charts as SVG, the stylesheet (cached in ``build/cache/``);
- :mod:`.pagebreaks`: page-break markers where the printed pages begin, from
  the page starts the render recorded (:mod:`workbook.render.pagestarts`);
- :mod:`.content`: each chapter as an XHTML document (footnotes, exercises as
  static content, page references as links);
- :mod:`.epub`: the package (metadata, navigation, page list) and its
  reproducible zip;
- :mod:`.web`: the web edition, one HTML page per chapter;
- :mod:`.download`: the download page with the accessibility statement;
- :mod:`.validate`: EPUBCheck, DAISY Ace, axe-core and a link check;
- :mod:`.stage`: what the pipeline calls: prepare, finish, freshness.
"""
