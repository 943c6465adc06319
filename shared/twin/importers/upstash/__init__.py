"""Parts of the Upstash import (``twin import upstash``); the service is ``twin.importers.upstash.service``.

* ``remote``: the official SDK clients, bounded retries with backoff, errors a user can act on;
* ``vectors``: Upstash Vector entries -> documents and chunks (kept or re-embedded vectors);
* ``redis_keys``: Redis keys -> database_cache rows and chat sessions;
* ``checkpoint``: where an interrupted import resumes;
* ``report``: what was read, written and skipped, and the row-count verification.
"""
