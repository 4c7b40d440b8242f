"""Sphinx settings for the docs project: the snooty dialect comes from harness.sphinxext."""

project = "MongoDB Realm"
extensions = ["harness.sphinxext"]
# Snooty's root page is source/index.txt; this project has none, so Sphinx starts here.
root_doc = "source/reference/terminating-and-reenabling-realm-sync"
