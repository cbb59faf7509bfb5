"""Government new-media accounts (政务新媒体): platform adapters that observe whether each account still posts."""

from .base import (
    ADAPTERS,
    STATUSES,
    UNUSABLE_STATUSES,
    USABLE_STATUSES,
    AccountObservation,
    AccountRef,
    Adapter,
    Post,
    fetch_accounts,
    get_adapter,
    register,
)
from .browser import BrowserAdapter
from .douyin import DouyinAdapter
from .rss import FeedCache, FeedCacheEntry, RssAdapter, parse_feed
from .timefmt import SHANGHAI, from_epoch, parse_cn_time
from .toutiao import ToutiaoAdapter
from .wechat import WechatAdapter
from .weibo import WeiboAdapter

__all__ = [
    "ADAPTERS",
    "SHANGHAI",
    "STATUSES",
    "UNUSABLE_STATUSES",
    "USABLE_STATUSES",
    "AccountObservation",
    "AccountRef",
    "Adapter",
    "BrowserAdapter",
    "DouyinAdapter",
    "FeedCache",
    "FeedCacheEntry",
    "Post",
    "RssAdapter",
    "ToutiaoAdapter",
    "WechatAdapter",
    "WeiboAdapter",
    "fetch_accounts",
    "from_epoch",
    "get_adapter",
    "parse_cn_time",
    "parse_feed",
    "register",
]
