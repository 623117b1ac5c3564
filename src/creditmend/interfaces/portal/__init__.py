"""The web portal for borrowers and the bureau's desk (issue 18; docs/portal.md): server-rendered
Jinja2 pages, in Chinese and English, mounted by `creditmend serve` beside the API."""
