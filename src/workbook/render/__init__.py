"""Stage 6: HTML to PDF bytes with WeasyPrint.

``pdf`` (rendering, WeasyPrint's log, atomic writes), ``sandbox`` (the URL
fetcher that reads only the publication's files) and ``pagemap`` (page numbers
from the last build).
"""
