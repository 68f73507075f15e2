"""The tenant HTTP API: resolver and routes (``app``), bodies (``models``), tokens (``auth``), errors."""
