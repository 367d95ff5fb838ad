"""Integrations with other engines; each module needs its own extra.

- `creditcomms.contrib.procrastinate`: run due work on procrastinate workers
  (``pip install "creditcomms[procrastinate]"``).
"""

__all__: list[str] = []
