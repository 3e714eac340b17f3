"""Print-workbook and accessible PDF publishing pipeline.

The subpackages are the pipeline's stages, in order; each passes typed objects
to the next, and everything is gathered and validated before anything renders:

``config``    publication.toml (typed schema), the palette, the editions registry
``intake``    chapters, manifests, illustrations, survey data, fonts: read and checked
``markup``    one chapter's Markdown (exercises, figures, data, typography) to HTML
``model``     the assembled book: order, numbering, ids, cross-references, contents
``html``      one HTML document per edition, with prepared images, charts and colour
``render``    WeasyPrint in a URL sandbox, with the page map of the last build
``finish``    the PDF variants' post-processing: press (PDF/X), tagged (PDF/UA), forms
``preflight`` every check of a finished PDF, and the report
``pipeline``  build, make (what is out of date), watch, input hashes

Beside them: ``patches`` (the registry of run-time changes to WeasyPrint),
``runtime`` (interpreter start-up and the garbage collector), ``devtools``
(benchmark, profile, stress book). Importing this package changes nothing:
the command entry points (``tasks.py``) call :func:`workbook.runtime.startup.start`.
See docs/architecture.md.
"""

__version__ = "0.1.0"
