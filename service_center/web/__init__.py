"""The web chat page at `/`: a template, the bundled front end (built by `make web`) and its static files."""
