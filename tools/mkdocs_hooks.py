"""MkDocs hooks (mkdocs.yml: hooks): what the site generates from the project (netsocket_harness.docsite)."""

from mkdocs.plugins import event_priority

from netsocket_harness.docsite import fill_in, stage_sources


@event_priority(100)  # before mkdocstrings checks its handler's paths
def on_config(config):  # noqa: ANN001, ANN201 - MkDocs' hook signature
    stage_sources()
    return config


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ANN001 - MkDocs' hook signature
    return fill_in(markdown)
