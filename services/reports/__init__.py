"""The report loop's use cases: filing, routing, moving along the status model, views."""
