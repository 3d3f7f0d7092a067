"""The commands of ``edge-publish``: each turns its arguments into a run and an exit status.

``publish`` (the action), ``check-credentials``, ``check-live``, ``check`` and ``simulate``;
`edge_publish.cli` parses the command line and dispatches here.
"""
