"""The one table of Chinese labels of govwatch's codes (severities, finding states, fetch statuses, link errors...).

Digests, notices, the workbook, the publication and the CLI all read their Chinese words from here; an
indicator's own name and a column category's name are the catalogue's (config/rules.yaml).
"""

from __future__ import annotations

__all__ = [
    "APPEAL_LABELS",
    "EVENT_LABELS",
    "EVIDENCE_LABELS",
    "FETCH_LABELS",
    "LINK_ERROR_LABELS",
    "LINK_KIND_LABELS",
    "NOTICE_KIND_LABELS",
    "OBJECT_LABELS",
    "PLATFORM_LABELS",
    "ROLE_LABELS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "UNIT_KIND_LABELS",
    "VETO_GROUP_LABELS",
    "label",
]

#: a finding's severity (性质)
SEVERITY_LABELS = {"veto": "单项否决", "deduction": "扣分", "warning": "预警", "operator": "运维"}
#: a finding's state
STATUS_LABELS = {
    "suspected": "待确认", "cleared": "疑似已消除", "open": "待整改", "warning": "预警", "rectified": "已整改", "dismissed": "已排除",
    "appealed": "复核中", "upheld": "复核维持", "overturned": "复核撤销",
}
#: what happened to a finding (its history, finding_events.action)
EVENT_LABELS = {
    "opened": "发现", "confirmed": "确认", "cleared": "疑似消除", "rectified": "已整改", "reopened": "恢复",
    "dismissed": "排除", "escalated": "升级为问题", "eased": "降为预警", "appealed": "申请复核", "upheld": "复核维持",
    "overturned": "复核撤销",
}
#: an appeal's state
APPEAL_LABELS = {"pending": "复核中", "upheld": "维持", "overturned": "撤销"}
#: the role of a user of the web workbench (storage/users.py)
ROLE_LABELS = {"admin": "管理员", "duty": "值班人员", "evaluation": "考评办", "unit": "单位用户"}
#: a unit's kind
UNIT_KIND_LABELS = {"devzone": "开发区", "township": "乡镇", "department": "县直部门", "vertical": "垂直管理部门"}
#: what a rule judges
OBJECT_LABELS = {"site": "网站", "column": "栏目", "account": "新媒体账号", "unit": "单位", "link": "链接"}
#: the notices govwatch sends
NOTICE_KIND_LABELS = {"rectification": "整改通知", "digest": "值班读网日报", "monthly": "月度通报"}
#: new-media platforms
PLATFORM_LABELS = {"rss": "订阅源", "weibo": "微博", "wechat": "微信公众号", "douyin": "抖音", "toutiao": "今日头条"}
#: the status of a page, probe or account observation (crawler/status.py), for the operator
FETCH_LABELS = {
    "ok": "正常", "empty": "无内容", "not_modified": "未变化", "http_error": "HTTP 错误", "timeout": "超时",
    "dns": "域名解析失败", "refused": "连接被拒绝", "tls": "证书/TLS 错误", "too_large": "页面过大",
    "redirect_loop": "重定向循环", "redirect_offsite": "重定向到未列入的地址（未跟随）", "blocked": "被拦截",
    "parse_error": "解析失败", "network_error": "网络错误",
    "auth_expired": "登录失效", "rate_limited": "被限流", "not_found": "账号不存在",
    "no_browser": "需浏览器读取（浏览器不可用或读取失败）",
}
#: a link's kind
LINK_KIND_LABELS = {"page": "页面链接", "image": "图片", "attachment": "附件", "external": "外部链接"}
#: a broken link's error class (crawler/links.py)
LINK_ERROR_LABELS = {
    "http_404": "页面不存在（404）", "http_410": "页面已删除（410）", "http_4xx": "无法打开（4xx）",
    "http_5xx": "服务器错误（5xx）", "timeout": "打开超时", "dns": "域名无法解析", "refused": "连接被拒绝",
    "tls": "证书/TLS 错误", "redirect_loop": "重定向循环",
    "redirect_offsite": "重定向到未列入的地址（未跟随，不计入）", "soft_404": "打开错误（提示页面不存在或跳转到首页）",
    "empty_attachment": "附件为空文件", "network_error": "网络错误", "blocked": "访问被拦截（不计入）",
}

#: the groups of columns behind a columns.veto (checks/veto.py)
VETO_GROUP_LABELS = {
    "stale_news_top_notice": "动态要闻类2周未更新与一级通知公告、政策文件类6个月未更新栏目",
    "stale_should_update": "应更新但长期未更新栏目",
    "blank": "空白栏目",
}
#: evidence keys a person may read (a key without a label is not shown in a notice or digest)
EVIDENCE_LABELS = {
    "column": "栏目", "category": "栏目类别", "url": "网址", "page": "页面", "title": "标题", "date": "标注日期",
    "last_update": "最近更新", "last_post": "最近发布", "limit_days": "时限（天）", "limit": "时限",
    "platform": "平台", "account": "账号", "failures": "失败次数", "probes": "探测次数", "error": "错误",
    "first_seen": "首次发现", "published": "发布日期", "written": "成文日期", "working_days": "相隔工作日",
    "lag_days": "晚于标注日期（天）", "due": "超期日期", "text": "链接文字", "items": "信息条数",
}


def label(table: dict[str, str], code: object, default: str = "") -> str:
    """The Chinese label of ``code`` in ``table``; the code itself (or ``default`` when empty) if it has none."""
    if code is None or code == "":
        return default
    return table.get(str(code), str(code))
