"""Server-rendered pages (Jinja2): login, patient search, the chart and documents.

Pages render the same public schemas as the API (:mod:`chartwell.api.schemas`), so what a page
may show is decided in one place. No JavaScript; one stylesheet of our own.
"""
