"""Unit tests of the package checks, one module per module of edge_publish.package."""
