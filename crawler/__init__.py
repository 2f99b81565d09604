"""Scrapy crawler: one generic spider for every agency and its safety middlewares.

Depends on nothing of minhbach but the text helpers and lexicons of `minhbach.rules`; what it
collects goes to the item pipelines the application installs (`minhbach.audit.crawl.runs`)."""
