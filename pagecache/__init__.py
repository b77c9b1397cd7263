"""Rendered page content kept in the cache, valid while every table it was read from is unchanged.

`tables` watches every SQL statement on every connection: a write moves the written tables'
generations (now, and again when its transaction commits); a page rendered while its reads are watched
(`tables.start_reading`) learns which tables it read. `pages.CachedPageMixin` keeps a signed-in user's rendered page content
with the generations those tables had before it was rendered and serves it again only while they all
still have them. See docs/architecture.md ("Cached pages").
"""
