"""Custom actions: thin glue from dialogue state to the service-center API, one module per capability."""
