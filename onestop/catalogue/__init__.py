"""Government service items (政务服务事项), their materials, limits and guides; bundles."""
