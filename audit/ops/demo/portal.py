"""Builds one demo portal from data/demo/ (sites.yaml, content.yaml, templates/): every page
and attachment it serves, addressed the way its platform (SharePoint, Liferay, Drupal, .NET
slugs) would address them."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import jinja2
import yaml

from minhbach.data import DATA_DIR
from minhbach.rules.text import fold

DEMO_DIR = DATA_DIR / "demo"
LIFERAY_PORTLET = "cms_WAR_ecoportlet_INSTANCE_x7Kd"


def camel(slug: str) -> str:
    return "".join(part.capitalize() for part in fold(slug).split("-"))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60]


def route_key(url: str) -> str:
    """Path plus the query parameters that select content (portal state p_p_* is ignored)."""
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not k.startswith("p_p_"))
    return parts.path + ("?" + urlencode(query) if query else "")


@dataclass
class Attachment:
    filename: str
    title: str
    lines: tuple[str, ...] = ()   # what a document's PDF says besides its title (number, date)
    scanned: bool = False         # a PDF of page images: no text layer


@dataclass
class Portal:
    code: str
    config: dict
    today: date
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (title, html)
    files: dict[str, Attachment] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    sitemap_urls: list[str] = field(default_factory=list)
    menu: list[dict] = field(default_factory=list)

    @property
    def platform(self) -> str:
        return self.config["platform"]

    @property
    def charset(self) -> str:
        return self.config.get("encoding", "utf-8")


class PortalBuilder:
    def __init__(self, demo_dir: Path = DEMO_DIR):
        self.demo_dir = demo_dir
        self.sites = yaml.safe_load((demo_dir / "sites.yaml").read_text(encoding="utf-8"))
        self.content = yaml.safe_load((demo_dir / "content.yaml").read_text(encoding="utf-8"))["sections"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(demo_dir / "templates"),
            autoescape=jinja2.select_autoescape(["html"]),
        )

    def site_codes(self) -> list[str]:
        return list(self.sites["sites"])

    # -- addresses, per platform ------------------------------------------------------------

    def section_url(self, platform: str, section: str, index: int) -> str:
        if platform == "sharepoint":
            return f"/ct/cms/{section.replace('-', '')}/Lists/{camel(section)}/AllItems.aspx"
        if platform == "liferay":
            return f"/web/guest/{section}"
        if platform == "drupal":
            return f"/{section}"
        return f"/vn/chuyen-muc/{100 + index}/{camel(section)}.aspx"

    def item_url(self, platform: str, section: str, item_id: int, title: str) -> str:
        if platform == "sharepoint":
            return f"/ct/cms/{section.replace('-', '')}/Lists/{camel(section)}/View_Detail.aspx?ItemID={item_id}"
        if platform == "liferay":
            query = urlencode({"p_p_id": LIFERAY_PORTLET, "p_p_lifecycle": 0, "p_p_state": "normal",
                               "p_p_mode": "view", f"_{LIFERAY_PORTLET}_articleId": item_id})
            return f"/web/guest/{section}?{query}"
        if platform == "drupal":
            return f"/node/{item_id}"
        return f"/{section}/{slugify(title)}-{item_id}.html"

    def file_url(self, platform: str, section: str, item_id: int, filename: str) -> str:
        if platform == "sharepoint":
            return f"/ct/cms/{section.replace('-', '')}/Lists/{camel(section)}/Attachments/{item_id}/{filename}"
        if platform == "liferay":
            return f"/documents/10180/{item_id}/{filename}"
        if platform == "drupal":
            return f"/sites/default/files/{item_id}-{filename}"
        return f"/Uploads/files/{item_id}/{filename}"

    def home_url(self, platform: str) -> str:
        return "/web/guest/trang-chu" if platform == "liferay" else "/"

    # -- building ---------------------------------------------------------------------------

    def build(self, code: str, today: date) -> Portal:
        config = dict(self.sites["sites"][code])
        config.update(code=code, name=self._name(code))
        portal = Portal(code=code, config=config, today=today)
        platform = config["platform"]
        shift = -int(config.get("date_shift_days", 0))
        menu, lists = portal.menu, {}
        for index, section in enumerate(config["sections"]):
            menu.append({"label": self.content[section]["label"], "url": self.section_url(platform, section, index)})
        context = {"site": config, "province": self.sites["province"]}
        next_id = 1000 if platform == "drupal" else 1
        for index, section in enumerate(config["sections"]):
            spec = self.content[section]
            url = self.section_url(platform, section, index)
            items = []
            for raw in spec.get("items", []):
                item = self._item(raw, today - timedelta(days=raw["days_ago"] + shift), context, next_id)
                item["url"] = self.item_url(platform, section, next_id, item["title"])
                item["files"] = []
                for filename in raw.get("attachments", []) + ([f"{slugify(item['number'])}.pdf"] if spec["kind"] == "documents" else []):
                    file_url = self.file_url(platform, section, next_id, filename)
                    lines = (f"So: {item['number']}", f"Ngay ban hanh: {item['date_text']}") \
                        if spec["kind"] == "documents" else ()
                    # the PDF-only site's oldest document is a scan: no text to read
                    scanned = "documents-pdf-only" in config.get("quirks", []) and spec["kind"] == "documents" \
                        and raw is spec["items"][-1]
                    portal.files[route_key(file_url)] = Attachment(filename, item["title"], lines, scanned)
                    item["files"].append({"url": file_url, "name": filename})
                items.append(item)
                next_id += 1
            lists[section] = items
            portal.pages[route_key(url)] = (spec["label"], self._section_html(portal, section, spec, items, context, menu))
            portal.sitemap_urls.append(url)
            if spec["kind"] in ("list",):
                for item in items:
                    html = f"<article><h2>{item['title']}</h2><p class=\"date\">Ngày đăng: {item['date_text']}</p>{item['body']}{self._files_html(item)}</article>"
                    portal.pages[route_key(item["url"])] = (item["title"], html)
                    portal.sitemap_urls.append(item["url"])
            if spec["kind"] == "documents" and "documents-pdf-only" not in config.get("quirks", []):
                for item in items:
                    portal.pages[route_key(item["url"])] = (item["title"], self._document_detail(item))
                    portal.sitemap_urls.append(item["url"])
        for name in ("phieu-yeu-cau-cung-cap-thong-tin.docx", "quy-che-cung-cap-thong-tin.pdf"):
            portal.files[f"/files/{name}"] = Attachment(name, name)
        portal.pages[route_key(self.home_url(platform))] = ("Trang chủ", self._home_html(portal, lists, menu))
        if platform == "liferay":
            portal.redirects["/"] = self.home_url(platform)
        return portal

    def _name(self, code: str) -> str:
        with (self.demo_dir / "agencies.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["code"] == code:
                    return row["name"]
        raise KeyError(code)

    def _item(self, raw: dict, when: date, context: dict, item_id: int) -> dict:
        quarter = (when.month - 1) // 3  # last full quarter before the item's date
        quarter_label = (f"quý {['I', 'II', 'III'][quarter - 1]} năm {when.year}" if quarter
                         else f"năm {when.year - 1}")
        item = {"year": when.year, "prev_year": when.year - 1, "quarter_label": quarter_label,
                "seq": raw.get("seq", item_id), "date": when, "date_text": when.strftime("%d/%m/%Y"),
                "deadline": (when + timedelta(days=30)).strftime("%d/%m/%Y")}
        local = dict(context, item=item)
        for key in ("title", "body", "number", "issuer", "type"):
            if key in raw:
                item[key] = self.env.from_string(str(raw[key])).render(local)
        item.setdefault("body", "")
        if "effective_after" in raw:
            item["effective_text"] = (when + timedelta(days=raw["effective_after"])).strftime("%d/%m/%Y")
        return item

    def _files_html(self, item: dict) -> str:
        if not item["files"]:
            return ""
        links = "".join(f'<li><a href="{f["url"]}">Tải về: {f["name"]}</a></li>' for f in item["files"])
        return f'<ul class="attachments">{links}</ul>'

    def _document_detail(self, item: dict) -> str:
        return (
            f"<table class=\"vb-detail\"><tr><th>Số ký hiệu</th><td>{item['number']}</td></tr>"
            f"<tr><th>Hình thức văn bản</th><td>{item['type']}</td></tr>"
            f"<tr><th>Cơ quan ban hành</th><td>{item['issuer']}</td></tr>"
            f"<tr><th>Ngày ban hành</th><td>{item['date_text']}</td></tr>"
            f"<tr><th>Ngày hiệu lực</th><td>{item['effective_text']}</td></tr>"
            f"<tr><th>Trích yếu</th><td>{item['title']}</td></tr></table>{self._files_html(item)}"
        )

    def _section_html(self, portal: Portal, section: str, spec: dict, items: list, context: dict, menu: list) -> str:
        kind = spec["kind"]
        render = lambda text: self.env.from_string(text).render(context)  # noqa: E731
        if kind == "page":
            return f"<h1>{spec['label']}</h1>" + render(spec["body"])
        if kind == "contact":
            site = portal.config
            phone_line = (f"<p>Điện thoại: {site['phone']}</p>" if not site.get("hotline_footer_only") else "")
            return (f"<h1>Liên hệ</h1><p>{site['name']}</p><p>Địa chỉ: {site['address']}</p>{phone_line}"
                    + (f"<p>Fax: {site['fax']}</p>" if site.get("fax") else "")
                    + f"<p>Email: <a href=\"mailto:{site['email']}\">{site['email']}</a></p>"
                    "<form class=\"lien-he\"><label>Họ tên <input name=\"ten\"></label><label>Nội dung <textarea name=\"nd\"></textarea></label><button>Gửi</button></form>")
        if kind == "sitemap":
            links = "".join(f'<li><a href="{m["url"]}">{m["label"]}</a></li>' for m in menu)
            return f"<h1>Sơ đồ cổng thông tin</h1><ul class=\"sitemap\">{links}</ul>"
        if kind == "calendar":
            return '<h1>Lịch công tác</h1><p><a href="/lich-cong-tac">Xem lịch công tác tuần này</a></p>'
        if kind == "documents":
            if "documents-pdf-only" in portal.config.get("quirks", []):
                rows = "".join(f'<li><a href="{i["files"][0]["url"]}">Tệp đính kèm {n}</a></li>'
                               for n, i in enumerate(items, 1))
                return f"<h1>{spec['label']}</h1><p>Các văn bản mới (tệp PDF):</p><ul>{rows}</ul>"
            rows = "".join(
                f"<tr><td><a href=\"{i['url']}\">{i['number']}</a></td><td>{i['date_text']}</td>"
                f"<td>{i['title']}</td><td><a href=\"{i['files'][0]['url']}\">Tải về</a></td></tr>"
                for i in items)
            return (f"<h1>{spec['label']}</h1><form class=\"tim-van-ban\" action=\"{portal.menu[portal.config['sections'].index(section)]['url']}\">"
                    "<input name=\"so_ky_hieu\" placeholder=\"Số ký hiệu\"><input name=\"trich_yeu\" placeholder=\"Trích yếu\"><button>Tìm kiếm văn bản</button></form>"
                    f"<table class=\"van-ban\"><tr><th>Số ký hiệu</th><th>Ngày ban hành</th><th>Trích yếu</th><th>Tệp</th></tr>{rows}</table>")
        rows = "".join(f'<li><a href="{i["url"]}">{i["title"]}</a> <span class="date">({i["date_text"]})</span></li>' for i in items)
        return f"<h1>{spec['label']}</h1><ul class=\"list\">{rows}</ul>" + render(spec.get("footer_html", ""))

    def _home_html(self, portal: Portal, lists: dict, menu: list) -> str:
        parts = ["<h1>Trang chủ</h1>"]
        for section, heading in (("tin-tuc", "Tin mới"), ("van-ban", "Văn bản mới"), ("ngan-sach", "Công khai ngân sách")):
            items = lists.get(section)
            if not items:
                continue
            if section == "van-ban" and "documents-pdf-only" in portal.config.get("quirks", []):
                links = "".join(f'<li><a href="{i["files"][0]["url"]}">Tệp PDF {n}</a></li>' for n, i in enumerate(items[:3], 1))
            else:
                links = "".join(f'<li><a href="{i["url"]}">{i["title"]}</a> ({i["date_text"]})</li>' for i in items[:3])
            parts.append(f'<section class="box"><h2>{heading}</h2><ul>{links}</ul></section>')
        return "".join(parts)

    def banners(self, portal: Portal) -> list[dict]:
        by_section = dict(zip(portal.config["sections"], portal.menu))
        banners = []
        for section, image in (("ngan-sach", "congkhaingansach.jpg"), ("du-thao", "LayYKienDuThao357X50.png"),
                               ("van-ban", "van-ban-phap-quy.png")):
            if section in by_section:
                banners.append({"url": by_section[section]["url"], "image": image})
        return banners
