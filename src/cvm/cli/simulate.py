"""`cvm simulate DIR`: write a synthetic business's source files and its true parameters."""

from __future__ import annotations
