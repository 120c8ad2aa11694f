"""Canary rows for leak attribution: plausible invented Japanese persons whose e-mail address and
phone number are unique to the recipient, shaped like the other rows of the dataset they join.

Each column of the outgoing dataset gets a kind from its header (氏名, フリガナ, メールアドレス, …, in
Japanese or English) or, failing that, from its values (e-mails, phones, dates, postal codes,
katakana, addresses, names, member numbers). A canary fills every column of a known kind with an
invented value written the way the real rows write it (hyphens in phone numbers, 1985/04/03 or
1985-04-03, a full-width space between family and given name, 1丁目2番3号 or 1-2-3, member numbers
of the same shape). A column of another kind gets, if it holds a few repeated categories (a
membership rank, a yes/no flag), one of those categories; if it holds codes of ASCII letters and
digits, a random code of the same shape; otherwise it stays empty. So a canary holds nothing of a
real person.

The e-mail address is on a domain we control (`RENKEI_CANARY_DOMAIN`) and its local part carries a
token derived with the fingerprint key from the recipient and a random serial, so it is unique to the
recipient; the phone number's last eight digits come from the same token. The service makes sure
that none of a canary's fingerprints (e-mail, phone, name + address, name + birth date, postal code
+ address, member number) is among the rows sent or any canary made before, so each field a canary
is found by points at one sending. Note: mobile numbers in the 070/080/090 ranges may be assigned to
real subscribers, and a member number of the same shape may belong to a customer who is not in the
file sent: a phone or member number alone is never conclusive (see `tracing`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import os
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from renkei.incidents.leaks.fingerprinting import EMAIL as FP_EMAIL
from renkei.incidents.leaks.fingerprinting import PHONE as FP_PHONE
from renkei.incidents.leaks.fingerprinting import (
    Hasher,
    fingerprint_table,
    is_email,
    is_phone,
    message,
    normalise,
)
from renkei.incidents.leaks.identity import (  # the column kinds
    ADDRESS,
    AGE,
    BIRTHDATE,
    CITY,
    EMAIL,
    FAMILY,
    FAMILY_KANA,
    GENDER,
    GIVEN,
    GIVEN_KANA,
    KANA,
    MEMBER,
    NAME,
    OTHER,
    PHONE,
    POSTAL,
    PREFECTURE,
    PREFECTURES,
    Roles,
    roles_for,
)  # fmt: skip

# (kanji, katakana, romaji)
FAMILY_NAMES = [
    ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"), ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"), ("中村", "ナカムラ", "nakamura"), ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"), ("吉田", "ヨシダ", "yoshida"), ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"), ("山口", "ヤマグチ", "yamaguchi"), ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"), ("木村", "キムラ", "kimura"), ("林", "ハヤシ", "hayashi"),
    ("斎藤", "サイトウ", "saito"), ("清水", "シミズ", "shimizu"), ("山崎", "ヤマザキ", "yamazaki"),
    ("森", "モリ", "mori"), ("池田", "イケダ", "ikeda"), ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"), ("石川", "イシカワ", "ishikawa"), ("山下", "ヤマシタ", "yamashita"),
    ("中島", "ナカジマ", "nakajima"), ("石井", "イシイ", "ishii"), ("小川", "オガワ", "ogawa"),
    ("前田", "マエダ", "maeda"), ("岡田", "オカダ", "okada"), ("長谷川", "ハセガワ", "hasegawa"),
    ("藤田", "フジタ", "fujita"), ("後藤", "ゴトウ", "goto"), ("近藤", "コンドウ", "kondo"),
    ("村上", "ムラカミ", "murakami"), ("遠藤", "エンドウ", "endo"), ("青木", "アオキ", "aoki"),
    ("坂本", "サカモト", "sakamoto"), ("福田", "フクダ", "fukuda"), ("太田", "オオタ", "ota"),
    ("西村", "ニシムラ", "nishimura"), ("藤井", "フジイ", "fujii"), ("金子", "カネコ", "kaneko"),
    ("岡本", "オカモト", "okamoto"), ("藤原", "フジワラ", "fujiwara"), ("中野", "ナカノ", "nakano"),
    ("三浦", "ミウラ", "miura"), ("原田", "ハラダ", "harada"), ("中川", "ナカガワ", "nakagawa"),
    ("松田", "マツダ", "matsuda"), ("竹内", "タケウチ", "takeuchi"), ("小野", "オノ", "ono"),
    ("田村", "タムラ", "tamura"), ("中山", "ナカヤマ", "nakayama"), ("和田", "ワダ", "wada"),
    ("石田", "イシダ", "ishida"), ("森田", "モリタ", "morita"), ("上田", "ウエダ", "ueda"),
    ("柴田", "シバタ", "shibata"), ("酒井", "サカイ", "sakai"), ("工藤", "クドウ", "kudo"),
    ("横山", "ヨコヤマ", "yokoyama"), ("宮崎", "ミヤザキ", "miyazaki"), ("宮本", "ミヤモト", "miyamoto"),
    ("内田", "ウチダ", "uchida"), ("高木", "タカギ", "takagi"), ("安藤", "アンドウ", "ando"),
]  # fmt: skip
GIVEN_NAMES = {
    "male": [
        ("翔太", "ショウタ", "shota"), ("大輔", "ダイスケ", "daisuke"), ("健太", "ケンタ", "kenta"),
        ("拓也", "タクヤ", "takuya"), ("直樹", "ナオキ", "naoki"), ("和也", "カズヤ", "kazuya"),
        ("誠", "マコト", "makoto"), ("剛", "ツヨシ", "tsuyoshi"), ("浩二", "コウジ", "koji"),
        ("隆", "タカシ", "takashi"), ("修", "オサム", "osamu"), ("悠斗", "ユウト", "yuto"),
        ("蓮", "レン", "ren"), ("陽翔", "ハルト", "haruto"), ("大翔", "ヒロト", "hiroto"),
        ("颯太", "ソウタ", "sota"), ("健一", "ケンイチ", "kenichi"), ("雄一", "ユウイチ", "yuichi"),
        ("達也", "タツヤ", "tatsuya"), ("亮", "リョウ", "ryo"), ("慎吾", "シンゴ", "shingo"),
        ("正人", "マサト", "masato"), ("裕介", "ユウスケ", "yusuke"), ("俊介", "シュンスケ", "shunsuke"),
        ("康弘", "ヤスヒロ", "yasuhiro"), ("哲也", "テツヤ", "tetsuya"), ("智之", "トモユキ", "tomoyuki"),
        ("博", "ヒロシ", "hiroshi"), ("茂", "シゲル", "shigeru"), ("秀樹", "ヒデキ", "hideki"),
    ],
    "female": [
        ("美咲", "ミサキ", "misaki"), ("陽菜", "ヒナ", "hina"), ("結衣", "ユイ", "yui"),
        ("さくら", "サクラ", "sakura"), ("愛", "アイ", "ai"), ("真由美", "マユミ", "mayumi"),
        ("恵子", "ケイコ", "keiko"), ("由美子", "ユミコ", "yumiko"), ("裕子", "ユウコ", "yuko"),
        ("直美", "ナオミ", "naomi"), ("久美子", "クミコ", "kumiko"), ("明美", "アケミ", "akemi"),
        ("彩", "アヤ", "aya"), ("葵", "アオイ", "aoi"), ("凛", "リン", "rin"),
        ("芽衣", "メイ", "mei"), ("千尋", "チヒロ", "chihiro"), ("舞", "マイ", "mai"),
        ("香織", "カオリ", "kaori"), ("智子", "トモコ", "tomoko"), ("幸子", "サチコ", "sachiko"),
        ("洋子", "ヨウコ", "yoko"), ("綾香", "アヤカ", "ayaka"), ("沙織", "サオリ", "saori"),
        ("遥", "ハルカ", "haruka"), ("七海", "ナナミ", "nanami"), ("莉子", "リコ", "riko"),
        ("美穂", "ミホ", "miho"), ("恵美", "エミ", "emi"), ("奈々", "ナナ", "nana"),
    ],
}  # fmt: skip
# (prefecture, city, first three digits of its postal codes)
PLACES = [
    ("東京都", "世田谷区", "154"), ("東京都", "杉並区", "166"), ("東京都", "練馬区", "176"),
    ("東京都", "大田区", "144"), ("東京都", "八王子市", "192"), ("神奈川県", "横浜市港北区", "222"),
    ("神奈川県", "川崎市中原区", "211"), ("神奈川県", "藤沢市", "251"), ("埼玉県", "さいたま市浦和区", "330"),
    ("埼玉県", "川口市", "332"), ("埼玉県", "所沢市", "359"), ("千葉県", "千葉市中央区", "260"),
    ("千葉県", "船橋市", "273"), ("千葉県", "柏市", "277"), ("大阪府", "大阪市北区", "530"),
    ("大阪府", "堺市堺区", "590"), ("大阪府", "豊中市", "560"), ("大阪府", "吹田市", "564"),
    ("京都府", "京都市左京区", "606"), ("兵庫県", "神戸市中央区", "650"), ("兵庫県", "西宮市", "662"),
    ("愛知県", "名古屋市中区", "460"), ("愛知県", "豊田市", "471"), ("愛知県", "岡崎市", "444"),
    ("福岡県", "福岡市中央区", "810"), ("福岡県", "北九州市小倉北区", "802"), ("北海道", "札幌市中央区", "060"),
    ("北海道", "旭川市", "070"), ("宮城県", "仙台市青葉区", "980"), ("広島県", "広島市中区", "730"),
    ("静岡県", "静岡市葵区", "420"), ("新潟県", "新潟市中央区", "951"), ("岡山県", "岡山市北区", "700"),
    ("熊本県", "熊本市中央区", "860"), ("長野県", "長野市", "380"), ("茨城県", "つくば市", "305"),
    ("栃木県", "宇都宮市", "320"), ("群馬県", "高崎市", "370"),
]  # fmt: skip
TOWNS = ["本町", "中央", "栄町", "緑町", "旭町", "若葉", "桜台", "東町", "西町", "南町", "北町", "幸町",
         "昭和町", "青葉台", "富士見", "松が丘", "宮前", "新町", "泉町", "日の出町", "春日", "元町", "港町"]  # fmt: skip
BUILDINGS = ["メゾン", "コーポ", "ハイツ", "グランドール", "パレス", "レジデンス"]
BUILDING_NAMES = ["桜", "緑", "青葉", "若葉", "ひまわり", "さつき", "富士", "欅"]
MOBILE_PREFIXES = ("070", "080", "090")

# --- column kinds -------------------------------------------------------------------------------


_KANA_HINTS = ("フリガナ", "ふりがな", "カナ", "かな", "ヨミ", "よみ", "kana", "furigana", "reading")
_FAMILY_WORDS = {"姓", "せい", "セイ", "苗字", "名字", "last", "lastname", "family", "familyname", "surname"}
_GIVEN_WORDS = {"名", "めい", "メイ", "first", "firstname", "given", "givenname"}
# Checked in order: the first kind whose hint the header contains wins.
_HINTS: list[tuple[str, tuple[str, ...]]] = [
    (EMAIL, ("メール", "mail")),
    (BIRTHDATE, ("生年月日", "誕生日", "birth", "dob")),
    (PHONE, ("電話", "携帯", "tel", "phone", "mobile", "fax")),
    (POSTAL, ("郵便", "〒", "zip", "postal", "postcode")),
    (PREFECTURE, ("都道府県", "prefecture")),
    (CITY, ("市区町村", "city")),
    (ADDRESS, ("住所", "所在地", "番地", "address")),
    (GENDER, ("性別", "gender", "sex")),
    (AGE, ("年齢", "age")),
    (MEMBER, ("会員番号", "会員id", "会員no", "会員コード", "顧客番号", "顧客id", "顧客no", "顧客コード", "お客様番号",
              "memberid", "memberno", "membernumber", "customerid", "customerno", "customernumber", "userid")),
    (NAME, ("氏名", "名前", "姓名", "顧客名", "会員名", "name")),
]
HEADER_WORDS = tuple(h for _k, hints in _HINTS for h in hints) + _KANA_HINTS + ("id", "番号", "コード", "code")
_KATAKANA = re.compile(r"^[ァ-ヶー・ ]+$")
_HIRAGANA = re.compile(r"^[ぁ-ゖー・ ]+$")
_DATE_SHAPE = re.compile(r"^\d{8}$")
_ADDRESS_VALUE = re.compile("^(?:" + "|".join(PREFECTURES) + ")|^[^\\d]{1,8}[市区町村郡].*\\d")
_NAME_VALUE = re.compile(r"^[\u3005\u3400-\u9fffぁ-ゖァ-ヺー]{1,8}(?: [\u3005\u3400-\u9fffぁ-ゖァ-ヺー]{1,8})?$")
_PLACE_END = ("都", "道", "府", "県", "市", "区", "町", "村", "郡")
_CODE_VALUE = re.compile(r"^[a-z0-9][a-z0-9\-_]{3,19}$")
_BLOCK_STYLE = re.compile(r"\d丁目")
_NUMBERED = re.compile(r"([A-Za-z]*[-_]?)(\d{3,})")


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-・()（）:：]", "", normalise(text))


def kind_from_header(text: str) -> str | None:
    """The column kind a header names, or None."""
    key = _header_key(text)
    if not key:
        return None
    for hint in _KANA_HINTS:
        if hint in key:
            rest = key.replace(hint, "")
            return FAMILY_KANA if rest in _FAMILY_WORDS else GIVEN_KANA if rest in _GIVEN_WORDS else KANA
    if key in _FAMILY_WORDS:
        return FAMILY
    if key in _GIVEN_WORDS:
        return GIVEN
    if key in ("id", "no", "番号"):
        return MEMBER
    for kind, hints in _HINTS:
        if any(hint in key for hint in hints):
            if kind == NAME and any(w in key for w in ("last", "family", "surname")):
                return FAMILY
            if kind == NAME and any(w in key for w in ("first", "given")):
                return GIVEN
            return kind
    return None


def looks_like_header(cells: Sequence[str]) -> bool:
    """Whether a first row names its columns (a known header word, and no e-mail or phone in it)."""
    values = [normalise(c) for c in cells if c.strip()]
    if not values or any(is_email(v) or is_phone(v) for v in values):
        return False
    return any(kind_from_header(c) is not None for c in cells) or any(
        _header_key(c) in HEADER_WORDS for c in cells
    )


def _kind_from_values(values: Sequence[str]) -> str | None:
    filled = [v for v in values if v.strip()]
    if len(filled) < 3:
        return None
    normal = [normalise(v) for v in filled]
    for kind, test in (
        (EMAIL, is_email),
        (PHONE, is_phone),
        (BIRTHDATE, lambda v: bool(_DATE_SHAPE.match(v)) and 1900 <= int(v[:4]) <= 2030),
        (POSTAL, lambda v: len(v) == 7 and v.isdigit()),
        (KANA, lambda v: bool(_KATAKANA.match(v))),
        (ADDRESS, lambda v: bool(_ADDRESS_VALUE.match(v))),
        (NAME, lambda v: bool(_NAME_VALUE.match(v)) and not v.endswith(_PLACE_END)),
        (MEMBER, lambda v: bool(_CODE_VALUE.match(v)) and any(c.isdigit() for c in v)),
    ):
        if sum(1 for v in normal if test(v)) >= (0.9 if kind == MEMBER else 0.6) * len(normal):
            # Readings, names and member numbers are mostly distinct; a few repeated words are categories.
            if kind in (KANA, NAME, MEMBER) and len(set(normal)) < (0.9 if kind == MEMBER else 0.5) * len(normal):
                continue
            return kind
    return None


@dataclass
class ColumnStyle:
    """How the real rows of one column write their values, learned from a sample."""

    kind: str
    header: str
    hyphen: bool = False
    zero_pad: bool = True
    date_separator: str = "-"
    space: str = "\u3000"
    hiragana: bool = False
    postal_mark: bool = False
    categories: list[str] = field(default_factory=list)
    shape: str = ""
    blocks: bool = False  # addresses written 1丁目2番3号 rather than 1-2-3
    # Member numbers of a prefix and a fixed count of digits: the prefix, the count, and the range
    # of the numbers (a canary's is drawn from that range and as far again beyond it).
    numbering: tuple[str, int, int, int] | None = None
    named: bool = False  # the kind comes from the header (not from the values)


def _style(kind: str, header: str, raw: Sequence[str]) -> ColumnStyle:
    filled = [v.strip() for v in raw if v and v.strip()]
    style = ColumnStyle(kind=kind, header=header)
    if not filled:
        return style
    share = lambda test: sum(1 for v in filled if test(v)) / len(filled)  # noqa: E731
    style.hyphen = share(lambda v: "-" in v or "－" in v) >= 0.5
    style.postal_mark = share(lambda v: v.startswith("〒")) >= 0.5
    style.hiragana = share(lambda v: bool(_HIRAGANA.match(v))) >= 0.5
    style.space = "\u3000" if share(lambda v: "\u3000" in v) >= 0.5 else " " if share(lambda v: " " in v) >= 0.5 else ""
    if kind == BIRTHDATE:
        style.date_separator = "年" if share(lambda v: "年" in v) >= 0.5 else "/" if share(lambda v: "/" in v) >= 0.5 else "-"
        style.zero_pad = share(lambda v: bool(re.search(r"[-/年]0\d", v))) > 0 or share(lambda v: len(v) == 10) >= 0.5
    counts = Counter(filled)
    if kind != MEMBER and len(filled) >= 10 and len(counts) <= 12 and min(counts.values()) >= 2:
        style.categories = sorted(counts)
    if kind == ADDRESS:
        style.blocks = share(lambda v: bool(_BLOCK_STYLE.search(v))) >= 0.5
    if kind == MEMBER:
        numbered = [m for v in filled if (m := _NUMBERED.fullmatch(v))]
        forms = Counter((m[1], len(m[2])) for m in numbered)
        if forms and forms.most_common(1)[0][1] >= 0.8 * len(filled):
            (prefix, digits), _n = forms.most_common(1)[0]
            numbers = [int(m[2]) for m in numbered if (m[1], len(m[2])) == (prefix, digits)]
            style.numbering = (prefix, digits, min(numbers), max(numbers))
    if kind in (OTHER, MEMBER) and not style.categories and share(lambda v: bool(re.fullmatch(r"[A-Za-z0-9\-_/.]{2,40}", v))) >= 0.8:
        shapes = Counter(re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", v))) for v in filled)
        shape = shapes.most_common(1)[0][0]
        # What every code starts with (a letter prefix, leading zeros) is kept as it is.
        prefix = os.path.commonprefix(filled)[: len(shape) - 1]
        style.shape = prefix + shape[len(prefix) :]
    return style


def classify_columns(header: Sequence[str], sample: Sequence[Sequence[str]]) -> list[ColumnStyle]:
    """Kind and writing style of each column, from its header and a sample of its values."""
    width = max([len(header), *(len(r) for r in sample)]) if header or sample else 0
    styles = []
    for index in range(width):
        title = header[index] if index < len(header) else ""
        raw = [r[index] if index < len(r) else "" for r in sample]
        by_header = kind_from_header(title)
        kind = by_header or _kind_from_values(raw) or OTHER
        style = _style(kind, title, raw)
        style.named = by_header is not None
        styles.append(style)
    return styles


def column_roles(styles: Sequence[ColumnStyle]) -> Roles:
    """The identifying columns of classified columns (see `identity.roles_for`)."""
    return roles_for([s.kind for s in styles], [s.named for s in styles])


# --- canaries -----------------------------------------------------------------------------------


@dataclass
class Canary:
    """One invented person: the row as written into the dataset, its values by header, and the
    normalised e-mail and phone that identify it."""

    row: list[str]
    values: dict[str, str]
    email: str
    phone: str


def canary_token(key: bytes, recipient_id: int, serial: str) -> str:
    """Ten base32 characters derived with the fingerprint key: recipient-specific and unguessable."""
    digest = hmac.digest(key, f"canary|{recipient_id}|{serial}".encode(), "sha256")
    return base64.b32encode(digest[:10]).decode().lower()[:10]


def _date_text(day: dt.date, style: ColumnStyle) -> str:
    if style.date_separator == "年":
        return f"{day.year}年{day.month}月{day.day}日"
    if style.zero_pad:
        return day.strftime(f"%Y{style.date_separator}%m{style.date_separator}%d")
    return f"{day.year}{style.date_separator}{day.month}{style.date_separator}{day.day}"


def _kana(text: str, style: ColumnStyle) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text) if style.hiragana else text


def _gender_value(gender: str, style: ColumnStyle, rng: random.Random) -> str:
    wanted = {"male": ("男", "男性", "m", "male", "1"), "female": ("女", "女性", "f", "female", "2")}[gender]
    for category in style.categories:
        if normalise(category) in wanted:
            return category
    if style.categories:
        return rng.choice(style.categories)
    return "男性" if gender == "male" else "女性"


def _shaped(shape: str, rng: random.Random) -> str:
    letters, digits = "abcdefghijkmnpqrstuvwxyz", "0123456789"
    return "".join(
        rng.choice(digits) if c == "9" else rng.choice(letters) if c == "a" else rng.choice(letters).upper() if c == "A" else c
        for c in shape
    )


def _member_number(style: ColumnStyle, rng: random.Random) -> str:
    """A member number like the real ones: the same prefix and digits, a number in or just beyond
    their range (the service rejects one that a real row has)."""
    if style.numbering is not None:
        prefix, digits, low, high = style.numbering
        top = min(10**digits - 1, high + max(high - low, 1000))
        return f"{prefix}{rng.randint(low, top):0{digits}d}"
    return _shaped(style.shape, rng) if style.shape else f"{rng.randrange(10**8):08d}"


def make_canary(
    styles: Sequence[ColumnStyle], *, key: bytes, recipient_id: int, domain: str, rng: random.Random,
    today: dt.date,
) -> Canary:  # fmt: skip
    """One canary row for columns of these styles; `rng` should be a SystemRandom in production."""
    serial = f"{rng.getrandbits(64):016x}"
    token = canary_token(key, recipient_id, serial)
    gender = rng.choice(("male", "female"))
    family, family_kana, family_roman = rng.choice(FAMILY_NAMES)
    given, given_kana, given_roman = rng.choice(GIVEN_NAMES[gender])
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(2004, 12, 31) - dt.date(1950, 1, 1)).days))
    prefecture, city, postal3 = rng.choice(PLACES)
    numbers = (rng.randint(1, 5), rng.randint(1, 30), rng.randint(1, 20))
    building = (
        f" {rng.choice(BUILDINGS)}{rng.choice(BUILDING_NAMES)} {rng.randint(1, 5)}0{rng.randint(1, 9)}"
        if rng.random() < 0.4
        else ""
    )
    town = rng.choice(TOWNS)
    postal = f"{postal3}{rng.randrange(10000):04d}"
    # The last eight digits come from the token, so they are as unique as the e-mail address.
    digits = f"{int.from_bytes(hmac.digest(key, token.encode(), 'sha256')[:8], 'big') % 10**8:08d}"
    phone = rng.choice(MOBILE_PREFIXES) + digits
    email = f"{given_roman}.{family_roman}.{token}@{domain}".lower()
    has_prefecture = any(s.kind == PREFECTURE for s in styles)
    has_city = any(s.kind == CITY for s in styles)
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))

    def value(style: ColumnStyle) -> str:
        kind = style.kind
        if kind == EMAIL:
            return email
        if kind == PHONE:
            return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}" if style.hyphen else phone
        if kind == NAME:
            return f"{family}{style.space}{given}"
        if kind == FAMILY:
            return family
        if kind == GIVEN:
            return given
        if kind == KANA:
            return _kana(f"{family_kana}{style.space}{given_kana}", style)
        if kind == FAMILY_KANA:
            return _kana(family_kana, style)
        if kind == GIVEN_KANA:
            return _kana(given_kana, style)
        if kind == BIRTHDATE:
            return _date_text(birth, style)
        if kind == AGE:
            return str(age)
        if kind == GENDER:
            return _gender_value(gender, style, rng)
        if kind == POSTAL:
            text = f"{postal[:3]}-{postal[3:]}" if style.hyphen or style.postal_mark else postal
            return f"〒{text}" if style.postal_mark else text
        if kind == PREFECTURE:
            return prefecture
        if kind == CITY:
            return city
        if kind == ADDRESS:
            place = ("" if has_prefecture else prefecture) + ("" if has_city else city)
            block = "{}丁目{}番{}号" if style.blocks else "{}-{}-{}"
            return f"{place}{town}{block.format(*numbers)}{building}"
        if kind == MEMBER:
            return _member_number(style, rng)
        if style.categories:
            return rng.choice(style.categories)
        if style.shape:
            return _shaped(style.shape, rng)
        return ""

    row = [value(s) for s in styles]
    values = {(s.header or str(i + 1)): v for i, (s, v) in enumerate(zip(styles, row, strict=True))}
    return Canary(row=row, values=values, email=email, phone=phone)


def default_canary_count(rows: int) -> int:
    """About one canary per 2,000 rows, at least 3 and at most 50."""
    return max(3, min(50, round(rows / 2000)))


def ensure_identifiable(styles: Sequence[ColumnStyle]) -> bool:
    """Whether a canary can be recognised in this dataset: it needs an e-mail or a phone column, or
    columns that make an identifying key (name and address, name and birth date, postal code and
    address, member number)."""
    return any(s.kind in (EMAIL, PHONE) for s in styles) or not column_roles(styles).empty


def canary_fingerprints(row: Sequence[str], roles: Roles, hasher: Hasher) -> np.ndarray:
    """Every fingerprint a canary row is found by: its e-mail, phone and identifying keys."""
    return fingerprint_table([list(row)], hasher, include_rows=False, roles=roles).fingerprints.values


def contact_fingerprints(email: str, phone: str, hasher: Hasher) -> np.ndarray:
    """The fingerprints of a canary's e-mail and phone (all that canaries made before keys have)."""
    messages = [message(kind, normalise(v)) for kind, v in ((FP_EMAIL, email), (FP_PHONE, phone)) if v]
    return hasher.fingerprints(messages)


def canary_index(canaries: Iterable[tuple[int, Iterable[int]]]) -> dict[int, int]:
    """Fingerprint → canary id, from (canary id, its fingerprints) pairs."""
    return {int(fp): canary_id for canary_id, fps in canaries for fp in fps}


def typed_value(text: str, samples: Sequence[Any]) -> Any:
    """For a workbook: the canary text as the type the column's real cells have (date or integer)."""
    typed = [s for s in samples if s not in (None, "")]
    if typed and sum(isinstance(s, dt.date) for s in typed) >= 0.5 * len(typed):
        digits = normalise(text)
        if _DATE_SHAPE.match(digits):
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if typed and text.isdigit() and not text.startswith("0") and sum(isinstance(s, int) for s in typed) >= 0.5 * len(typed):
        return int(text)
    return text
