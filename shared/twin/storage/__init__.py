"""Storage kernel: connections, named SQL, migrations, the embedded server."""
