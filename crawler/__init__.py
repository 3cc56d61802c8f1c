"""dumawatch: a media monitor for the news of Russia's regional parliaments (the Scrapy project)."""

__version__ = "0.1.0"
