"""The procedure guide: its content files (guide/), the court profile, and the retrieval library."""
