"""12368 hotline: callback requests left by callers when no person could take the call."""
