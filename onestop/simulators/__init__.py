"""Local stand-ins for other departments' systems, for the demo and the tests."""
