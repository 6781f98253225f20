"""Site search: the channels themselves, and whatever each module's search provider finds."""

from .registry import SearchHit, registry


def _matches(query_words, *texts):
    haystack = " ".join(str(t) for t in texts).casefold()
    return all(word in haystack for word in query_words)


def search(query: str, viewer) -> list[SearchHit]:
    words = [w.casefold() for w in query.split()]
    hits = []
    for module in registry:
        url = module.url
        if url and _matches(words, module.name, module.description):
            hits.append(SearchHit(str(module.name), url, str(module.description), module.slug))
    for module in registry:
        if module.search is not None:
            hits.extend(module.search(query, viewer))
    return hits
