"""Scrapy crawler: one generic spider for every agency, safety middlewares, a store pipeline."""
