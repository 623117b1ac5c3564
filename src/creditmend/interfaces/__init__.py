"""Interfaces: thin handlers that parse input, call one service, and render the result."""
