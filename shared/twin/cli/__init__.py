"""The ``twin`` command line."""
