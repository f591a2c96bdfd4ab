"""Chartwell: the health information management workbench.

The package is laid out one way through the house: adapters in (intake, api, web, cli) ->
domain -> services -> store. See the README's architecture section.
"""

__version__ = "0.1.0"
