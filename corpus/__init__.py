"""The corpus: the SQLite database of sites, crawl runs, captures, reports and statistics (store.py, schema.py)."""

# Where a crawl writes and every command reads unless told otherwise (`--db`; Scrapy's OGI_DB setting).
DEFAULT_DB = "data/ogi.db"
