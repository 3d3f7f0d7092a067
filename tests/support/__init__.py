"""Test support shared by the tests and the benchmark: the runner stand-in, zip builders."""
