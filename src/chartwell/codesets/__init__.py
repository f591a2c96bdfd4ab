"""Code systems and their releases: loaders for the official files, lookup and search."""
