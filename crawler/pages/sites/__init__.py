"""Per-site page overrides, only for what the generic reading gets wrong on real pages."""

from crawler.pages.sites.hankookilbo import HankookIlboPage
from crawler.pages.sites.inews24 import Inews24Page
from crawler.pages.sites.mk import MaeilBusinessPage
from crawler.pages.sites.naver import NaverNewsPage
from crawler.pages.sites.ndsoft import NdsoftPage
from crawler.pages.sites.yna import YonhapPage

SITE_PAGES = (NaverNewsPage, YonhapPage, HankookIlboPage, MaeilBusinessPage, Inews24Page, NdsoftPage)
