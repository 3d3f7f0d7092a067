"""Tests of the Edge API simulator, one module per module of edge_publish.simulator."""
