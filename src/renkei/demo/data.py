"""The demo data set: an invented group with its supply chain (the tables; `loader` builds them).

Every name, number and domain is made up. The same data set is the fixture of the browser tests, so
the constants below (logins, the headline chain) are what those tests rely on.

The headline chain imitates the real cases in the design notes (standards-ja.md §7): our customer
data travels own company → cloud contractor → its subcontractor (再委託) → a sub-subcontractor whose
access-log and backup server holds all 1.2 million records, with the re-delegation never approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from renkei.core.permissions import Role
from renkei.registry.models import (
    AccessLevel,
    CertificationScheme,
    Classification,
    ContactRole,
    Criticality,
    OrganisationKind,
    OrganisationStatus,
    RelationshipType,
)
from renkei.registry.validators import corporate_number_check_digit

AUDIT_VIA = "command: load_demo"
LOGIN_URL = "http://127.0.0.1:8000/"

# --- Names the browser tests use.
OWN_COMPANY_NAME = "みなと総合サービス株式会社"
CARD_COMPANY_NAME = "みなとカード株式会社"
LOGISTICS_COMPANY_NAME = "みなとロジスティクス株式会社"
GROUP_COMPANY_NAMES = (CARD_COMPANY_NAME, LOGISTICS_COMPANY_NAME)
CLOUD_CONTRACTOR_NAME = "あおぞらクラウド株式会社"
SUBCONTRACTOR_NAME = "北斗システムサービス株式会社"
SUB_SUBCONTRACTOR_NAME = "有限会社いさり火データ"
HEADLINE_CHAIN = (CLOUD_CONTRACTOR_NAME, SUBCONTRACTOR_NAME, SUB_SUBCONTRACTOR_NAME)  # tiers 1, 2, 3
CUSTOMER_ASSET_NAME = "顧客情報（会員データベース）"
CUSTOMER_RECORDS = 1_200_000
PAYROLL_OUTSOURCER_NAME = "はやて給与計算センター株式会社"
GROUP_STAFF_ASSET_NAME = "従業員情報（健康診断結果を含む）"
CYCLE_NAMES = ("株式会社かがりびラボ", "株式会社うすずみ技研")
UNCONNECTED_NAMES = ("株式会社こもれび商会", "Gale Harbor Analytics Ltd.", "株式会社ゆうなぎ設計")

# username → (password, role). Readable on purpose: printed by `load_demo` and used by browser tests.
DEMO_USERS: dict[str, tuple[str, str]] = {
    "demo-admin": ("demo-admin-2026", Role.ADMIN.value),
    "demo-analyst": ("demo-analyst-2026", Role.ANALYST.value),
    "demo-csirt": ("demo-csirt-2026", Role.CSIRT.value),
    "demo-viewer": ("demo-viewer-2026", Role.VIEWER.value),
    "demo-card-analyst": ("demo-card-2026", Role.ANALYST.value),
}
# Users limited to some group companies (all others see the whole group).
DEMO_USER_COMPANIES: dict[str, tuple[str, ...]] = {"demo-card-analyst": (CARD_COMPANY_NAME,)}
# (姓, 名, セイ, メイ): shown as 「高橋 真理」.
DEMO_USER_NAMES = {
    "demo-admin": ("高橋", "真理", "タカハシ", "マリ"),
    "demo-analyst": ("中村", "健一", "ナカムラ", "ケンイチ"),
    "demo-csirt": ("岡本", "理沙", "オカモト", "リサ"),
    "demo-viewer": ("山口", "悠", "ヤマグチ", "ハルカ"),
    "demo-card-analyst": ("木村", "彩", "キムラ", "アヤ"),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    limited_to: tuple[str, ...] = ()


DEMO_LOGINS = tuple(
    DemoLogin(username=name, password=password, role=role, limited_to=DEMO_USER_COMPANIES.get(name, ()))
    for name, (password, role) in DEMO_USERS.items()
)



# ------------------------------------------------------------------------------------------ data

K = OrganisationKind
C = Criticality
PII, KEY, ABROAD = "個人情報取扱", "重要委託先", "海外"


@dataclass(frozen=True)
class _Party:
    key: str
    name: str
    reading: str
    kind: str
    criticality: str
    domain: str
    address: str
    tags: tuple[str, ...] = ()
    company: str = "own"  # key of the group company that manages this party
    status: str = OrganisationStatus.ACTIVE
    country: str = "JP"
    has_corporate_number: bool = True
    notes: str = ""


def _party(key: str, name: str, reading: str, kind: str, criticality: str, domain: str, address: str,
           **extra: object) -> _Party:
    return _Party(key, name, reading, kind, criticality, domain, address, **extra)  # type: ignore[arg-type]


# Our own companies first (order matters: the own company must exist before anything else).
OURS = (
    _party("own", OWN_COMPANY_NAME, "ミナトソウゴウサービス", K.OWN, C.CRITICAL, "minato-sogo.example.jp", "東京都港区",
           notes="小売・通販・会員サービスを営む架空の企業（デモ用）。"),
    _party("card", CARD_COMPANY_NAME, "ミナトカード", K.GROUP, C.HIGH, "minato-card.example.jp", "東京都港区",
           notes="クレジットカード事業の子会社（架空）。"),
    _party("logi", LOGISTICS_COMPANY_NAME, "ミナトロジスティクス", K.GROUP, C.HIGH, "minato-logi.example.jp",
           "神奈川県横浜市", notes="物流・配送の子会社（架空）。"),
)

PARTIES = (
    # The headline chain: cloud contractor → subcontractor → sub-subcontractor → its data centre.
    _party("aozora", CLOUD_CONTRACTOR_NAME, "アオゾラクラウド", K.CLOUD, C.CRITICAL, "aozora-cloud.example.jp",
           "東京都千代田区", tags=(PII, KEY),
           notes="会員管理システム（CRM）のクラウド基盤と運用を受託。運用監視を北斗システムサービスへ再委託。"),
    _party("hokuto", SUBCONTRACTOR_NAME, "ホクトシステムサービス", K.MSP, C.HIGH, "hokuto-ss.example.jp",
           "北海道札幌市", tags=(PII,),
           notes="あおぞらクラウドの再委託先。運用監視とバックアップを担当し、ログ保管をいさり火データへ再々委託。"),
    _party("isaribi", SUB_SUBCONTRACTOR_NAME, "イサリビデータ", K.CONTRACTOR, C.HIGH, "isaribi-data.example.jp",
           "北海道函館市", tags=(PII,),
           notes="アクセスログ・バックアップ保管サーバを運用。当社は再々委託を承認しておらず、"
                 "サーバのOS・VPN機器の更新状況も未確認。"),
    _party("sakurano", "株式会社さくら野ホスティング", "サクラノホスティング", K.CLOUD, C.MEDIUM,
           "sakurano-hosting.example.jp", "青森県青森市", notes="いさり火データのサーバを収容するハウジング事業者。"),
    # A contractor's poorly protected server.
    _party("hibari", "株式会社ひばりテレマーケティング", "ヒバリテレマーケティング", K.CONTRACTOR, C.HIGH,
           "hibari-tm.example.jp", "大阪府大阪市", tags=(PII, KEY),
           notes="コールセンター業務を受託。点検で公開サーバのアクセス制限の不備を指摘済み（是正確認待ち）。"),
    _party("umineko", "株式会社うみねこデータセンター", "ウミネコデータセンター", K.CLOUD, C.MEDIUM,
           "umineko-dc.example.jp", "大阪府大阪市"),
    # A Wi-Fi equipment supplier whose partner runs the access-log server.
    _party("tsubasa", "株式会社つばさネットワーク機器", "ツバサネットワークキキ", K.VENDOR, C.MEDIUM,
           "tsubasa-net.example.jp", "東京都品川区",
           notes="店舗のWi-Fiアクセスポイントを納入・保守。接続ログの保管をみちのくログサービスに委託。"),
    _party("michinoku", "株式会社みちのくログサービス", "ミチノクログサービス", K.CONTRACTOR, C.HIGH,
           "michinoku-log.example.jp", "宮城県仙台市", tags=(PII,),
           notes="つばさネットワーク機器の取引先。店舗Wi-Fiのアクセスログ保管サーバを運用。"),
    _party("kamome", "株式会社かもめマネージドサービス", "カモメマネージドサービス", K.MSP, C.CRITICAL,
           "kamome-ms.example.jp", "東京都江東区", tags=(KEY,), notes="社内ネットワークとActive Directoryの24時間運用監視。"),
    _party("yukishiro", "株式会社ゆきしろリモート", "ユキシロリモート", K.VENDOR, C.HIGH, "yukishiro-remote.example.jp",
           "長野県長野市", notes="かもめマネージドサービスが使うリモート保守ツールの開発元。"),
    _party("shirasagi", "株式会社しらさぎソフトウェア", "シラサギソフトウェア", K.VENDOR, C.HIGH,
           "shirasagi-soft.example.jp", "兵庫県姫路市", tags=(KEY,), notes="店舗POSシステムの開発・保守。"),
    _party("lotus", "Lotus Bay Software Co., Ltd.", "ロータスベイソフトウェア", K.VENDOR, C.MEDIUM,
           "lotusbay-software.example", "Ho Chi Minh City, Viet Nam", tags=(ABROAD, PII), country="VN",
           has_corporate_number=False, notes="しらさぎソフトウェアのオフショア開発先。再委託は未承認。"),
    _party("kagaribi", CYCLE_NAMES[0], "カガリビラボ", K.VENDOR, C.MEDIUM, "kagaribi-lab.example.jp", "福岡県福岡市",
           notes="POSの決済連携ライブラリを提供。うすずみ技研と相互に製品を供給している。"),
    _party("usuzumi", CYCLE_NAMES[1], "ウスズミギケン", K.VENDOR, C.LOW, "usuzumi-giken.example.jp", "岐阜県岐阜市"),
    _party("harukaze", "株式会社はるかぜOSSサポート", "ハルカゼオーエスエスサポート", K.VENDOR, C.LOW,
           "harukaze-oss.example.jp", "京都府京都市"),
    _party("akebono", "株式会社あけぼの印刷", "アケボノインサツ", K.CONTRACTOR, C.HIGH, "akebono-print.example.jp",
           "埼玉県さいたま市", tags=(PII,), notes="会員向けダイレクトメールの印刷。封入・発送を再委託（承認済み）。"),
    _party("yamabiko", "有限会社やまびこ封入発送", "ヤマビコフウニュウハッソウ", K.CONTRACTOR, C.MEDIUM,
           "yamabiko-hassou.example.jp", "埼玉県川口市", tags=(PII,)),
    _party("tasogare", "株式会社たそがれ印刷", "タソガレインサツ", K.CONTRACTOR, C.MEDIUM, "tasogare-print.example.jp",
           "千葉県千葉市", tags=(PII,), status=OrganisationStatus.OFFBOARDED,
           notes="2024年3月に契約終了。顧客情報の返却・消去の証跡が未提出。"),
    _party("fuyuno", "株式会社ふゆの情報サービス", "フユノジョウホウサービス", K.MSP, C.MEDIUM, "fuyuno-is.example.jp",
           "東京都台東区", status=OrganisationStatus.OFFBOARDED,
           notes="旧ネットワーク運用委託先（2023年9月に契約終了）。VPNアカウントが残っている。"),
    _party("shinonome", "東雲食品株式会社", "シノノメショクヒン", K.PARTNER, C.MEDIUM, "shinonome-foods.example.jp",
           "静岡県静岡市"),
    _party("hamanasu", "株式会社はまなす物産", "ハマナスブッサン", K.PARTNER, C.LOW, "hamanasu-bussan.example.jp",
           "北海道釧路市"),
    _party("marumitsu", "丸光商事株式会社", "マルミツショウジ", K.PARTNER, C.MEDIUM, "marumitsu-shoji.example.jp",
           "愛知県名古屋市"),
    _party("koharu", "株式会社こはる総合管理", "コハルソウゴウカンリ", K.OTHER, C.LOW, "koharu-kanri.example.jp",
           "東京都港区"),
    _party("tsumugi", "つむぎ監査法人", "ツムギカンサホウジン", K.OTHER, C.MEDIUM, "tsumugi-audit.example.jp",
           "東京都千代田区"),
    _party("soyokaze", "株式会社そよかぜ勤怠クラウド", "ソヨカゼキンタイクラウド", K.CLOUD, C.HIGH,
           "soyokaze-kintai.example.jp", "東京都渋谷区", tags=(PII,)),
    _party("stratus", "Stratus Peak Cloud, Inc.", "ストラタスピーククラウド", K.CLOUD, C.CRITICAL,
           "stratus-peak.example", "Seattle, WA, USA", tags=(ABROAD, KEY), country="US",
           has_corporate_number=False, notes="グループ3社が共通で使うメール・グループウェア。"),
    _party("mirai", "株式会社みらい人材", "ミライジンザイ", K.CONTRACTOR, C.MEDIUM, "mirai-jinzai.example.jp",
           "東京都新宿区", tags=(PII,)),
    _party("aoba", "株式会社あおば警備保障", "アオバケイビホショウ", K.OTHER, C.LOW, "aoba-keibi.example.jp",
           "神奈川県川崎市"),
    _party("ibuki", "株式会社いぶきセキュリティ", "イブキセキュリティ", K.VENDOR, C.HIGH, "ibuki-sec.example.jp",
           "東京都中央区", notes="EDR（端末監視）製品と監視サービスを提供。"),
    # Managed by the card company.
    _party("hoshizora", "株式会社ほしぞら与信", "ホシゾラヨシン", K.CONTRACTOR, C.CRITICAL,
           "hoshizora-yoshin.example.jp", "東京都豊島区", tags=(PII, KEY), company="card"),
    _party("asanagi", "株式会社あさなぎコールセンター", "アサナギコールセンター", K.CONTRACTOR, C.HIGH,
           "asanagi-cc.example.jp", "沖縄県那覇市", tags=(PII,), company="card"),
    _party("mahoroba", "株式会社まほろば信用情報サービス", "マホロバシンヨウジョウホウサービス", K.OTHER, C.MEDIUM,
           "mahoroba-credit.example.jp", "奈良県奈良市", company="card"),
    # Managed by the logistics company.
    _party("hayate", PAYROLL_OUTSOURCER_NAME, "ハヤテキュウヨケイサンセンター", K.CONTRACTOR, C.HIGH,
           "hayate-payroll.example.jp", "広島県広島市", tags=(PII,), company="logi",
           notes="給与計算と健康診断結果の管理を受託。"),
    _party("tomoshibi", "株式会社ともしびシステム", "トモシビシステム", K.VENDOR, C.MEDIUM, "tomoshibi-sys.example.jp",
           "石川県金沢市", company="logi", notes="給与計算ソフト（クラウド版）の提供元。"),
    _party("kodama", "株式会社こだま運送", "コダマウンソウ", K.PARTNER, C.HIGH, "kodama-unso.example.jp",
           "神奈川県相模原市", tags=(PII,), company="logi"),
    _party("suzuran", "有限会社すずらん便", "スズランビン", K.CONTRACTOR, C.MEDIUM, "suzuran-bin.example.jp",
           "群馬県高崎市", tags=(PII,), company="logi"),
    _party("kurogane", "株式会社くろがね車両整備", "クロガネシャリョウセイビ", K.OTHER, C.LOW,
           "kurogane-seibi.example.jp", "群馬県前橋市", company="logi"),
    # Registered but not connected to us (yet).
    _party("komorebi", UNCONNECTED_NAMES[0], "コモレビショウカイ", K.PARTNER, C.LOW, "komorebi-shokai.example.jp",
           "東京都世田谷区", notes="新規取引の審査中（取引関係はまだない）。"),
    _party("galeharbor", UNCONNECTED_NAMES[1], "ゲイルハーバーアナリティクス", K.VENDOR, C.MEDIUM,
           "gale-harbor.example", "London, UK", tags=(ABROAD,), country="GB", has_corporate_number=False,
           notes="分析ツールの導入を検討中（取引関係はまだない）。"),
    _party("yunagi", UNCONNECTED_NAMES[2], "ユウナギセッケイ", K.CONTRACTOR, C.LOW, "yunagi-sekkei.example.jp",
           "福岡県北九州市", notes="店舗改装の見積もり依頼先（取引関係はまだない）。"),
)

R = RelationshipType
D = dt.date
# (client, provider, type, service, re-delegation approved, start, end)
RELATIONSHIPS: tuple[tuple[str, str, str, str, bool | None, dt.date | None, dt.date | None], ...] = (
    ("own", "card", R.PARENT_SUBSIDIARY, "子会社（出資比率100%）", None, D(2008, 4, 1), None),
    ("own", "logi", R.PARENT_SUBSIDIARY, "子会社（出資比率100%）", None, D(2012, 10, 1), None),
    ("own", "aozora", R.CONTRACTS_WORK, "会員管理システム（CRM）のクラウド運用", None, D(2019, 4, 1), None),
    ("aozora", "hokuto", R.REDELEGATES_WORK, "運用監視・バックアップ運用", True, D(2020, 10, 1), None),
    ("hokuto", "isaribi", R.REDELEGATES_WORK, "アクセスログ・バックアップ保管サーバの運用", None, D(2022, 6, 1), None),
    ("isaribi", "sakurano", R.PROVIDES_SERVICE, "サーバハウジング", None, D(2021, 1, 1), None),
    ("own", "hibari", R.CONTRACTS_WORK, "コールセンター業務", None, D(2018, 7, 1), None),
    ("hibari", "umineko", R.PROVIDES_SERVICE, "通話録音サーバのホスティング", None, D(2018, 7, 1), None),
    ("own", "tsubasa", R.SUPPLIES_GOODS, "店舗Wi-Fiアクセスポイントの納入・保守", None, D(2020, 4, 1), None),
    ("tsubasa", "michinoku", R.CONTRACTS_WORK, "Wi-Fi接続ログ保管サーバの運用", None, D(2020, 4, 1), None),
    ("own", "kamome", R.PROVIDES_SERVICE, "社内ネットワーク・ADの運用監視", None, D(2023, 10, 1), None),
    ("logi", "kamome", R.PROVIDES_SERVICE, "倉庫ネットワークの運用監視", None, D(2023, 10, 1), None),
    ("kamome", "yukishiro", R.PROVIDES_SOFTWARE, "リモート保守ツール", None, None, None),
    ("own", "shirasagi", R.PROVIDES_SOFTWARE, "店舗POSシステム", None, D(2017, 4, 1), None),
    ("shirasagi", "lotus", R.REDELEGATES_WORK, "POS機能追加のオフショア開発", False, D(2024, 1, 15), None),
    ("shirasagi", "kagaribi", R.PROVIDES_SOFTWARE, "決済連携ライブラリ", None, None, None),
    ("kagaribi", "usuzumi", R.PROVIDES_SOFTWARE, "暗号処理モジュール", None, None, None),
    ("usuzumi", "kagaribi", R.SUPPLIES_GOODS, "検証用決済端末", None, None, None),  # closes a cycle
    ("usuzumi", "harukaze", R.PROVIDES_SERVICE, "OSS保守サポート", None, None, None),
    ("own", "akebono", R.CONTRACTS_WORK, "会員向けDMの印刷", None, D(2024, 4, 1), None),
    ("akebono", "yamabiko", R.REDELEGATES_WORK, "DMの封入・発送", True, D(2024, 4, 1), None),
    ("own", "tasogare", R.CONTRACTS_WORK, "会員向けDMの印刷（旧契約）", None, D(2015, 4, 1), D(2024, 3, 31)),
    ("own", "fuyuno", R.PROVIDES_SERVICE, "社内ネットワーク運用（旧契約）", None, D(2016, 4, 1), D(2023, 9, 30)),
    ("own", "shinonome", R.SUPPLIES_GOODS, "食品の仕入れ", None, D(2010, 5, 1), None),
    ("own", "hamanasu", R.SUPPLIES_GOODS, "物産品の仕入れ", None, D(2014, 9, 1), None),
    ("own", "marumitsu", R.BUSINESS_PARTNER, "共同販促", None, D(2021, 4, 1), None),
    ("own", "koharu", R.CONTRACTS_WORK, "本社ビル管理・清掃", None, D(2016, 4, 1), None),
    ("own", "tsumugi", R.CONTRACTS_WORK, "会計監査", None, D(2015, 4, 1), None),
    ("own", "soyokaze", R.PROVIDES_SERVICE, "勤怠管理SaaS", None, D(2022, 4, 1), None),
    ("own", "stratus", R.PROVIDES_SERVICE, "メール・グループウェア", None, D(2020, 7, 1), None),
    ("card", "stratus", R.PROVIDES_SERVICE, "メール・グループウェア", None, D(2020, 7, 1), None),
    ("logi", "stratus", R.PROVIDES_SERVICE, "メール・グループウェア", None, D(2021, 1, 1), None),
    ("own", "mirai", R.CONTRACTS_WORK, "採用業務（応募者対応）", None, D(2023, 1, 1), None),
    ("own", "aoba", R.CONTRACTS_WORK, "店舗警備", None, D(2012, 4, 1), None),
    ("own", "ibuki", R.PROVIDES_SOFTWARE, "EDR（端末監視）", None, D(2022, 10, 1), None),
    ("card", "hoshizora", R.CONTRACTS_WORK, "与信審査業務", None, D(2015, 4, 1), None),
    ("card", "asanagi", R.CONTRACTS_WORK, "カード会員コールセンター", None, D(2019, 10, 1), None),
    ("hoshizora", "mahoroba", R.BUSINESS_PARTNER, "信用情報の照会", None, None, None),
    ("logi", "hayate", R.CONTRACTS_WORK, "給与計算・健康診断結果の管理", None, D(2018, 4, 1), None),
    ("hayate", "tomoshibi", R.PROVIDES_SOFTWARE, "給与計算ソフト（クラウド版）", None, None, None),
    ("logi", "kodama", R.CONTRACTS_WORK, "配送業務", None, D(2013, 4, 1), None),
    ("kodama", "suzuran", R.REDELEGATES_WORK, "地域配送の再委託", None, D(2021, 6, 1), None),
    ("suzuran", "kurogane", R.CONTRACTS_WORK, "配送車両の整備", None, None, None),
)

CL = Classification
# (key, owning company, name, classification, personal, special-care, records, persons, department, description)
ASSETS: tuple[tuple[str, str, str, str, bool, bool, int | None, int | None, str, str], ...] = (
    ("customers", "own", CUSTOMER_ASSET_NAME, CL.STRICT, True, False, CUSTOMER_RECORDS, 1_150_000,
     "営業本部 顧客サービス部", "氏名・住所・電話番号・メールアドレス・生年月日・ポイント残高。会員管理システム（CRM）に保存。"),
    ("purchases", "own", "会員購買履歴", CL.CONFIDENTIAL, True, False, 36_000_000, 1_150_000, "マーケティング部",
     "店舗POSと通販の購買明細（会員番号と紐付け）。"),
    ("wifi", "own", "店舗Wi-Fi利用者ログ", CL.CONFIDENTIAL, True, False, 2_400_000, 380_000, "店舗運営部",
     "店舗Wi-Fiの接続ログ（メールアドレス、端末のMACアドレス、接続日時）。"),
    ("hq_staff", "own", "従業員情報（本社）", CL.CONFIDENTIAL, True, False, 1_800, 1_800, "人事部", "氏名・所属・勤怠記録。"),
    ("applicants", "own", "採用応募者情報", CL.CONFIDENTIAL, True, False, 12_000, 12_000, "人事部", "履歴書・職務経歴書。"),
    ("network", "own", "ネットワーク構成・認証情報", CL.STRICT, False, False, None, None, "情報システム部",
     "ネットワーク構成図、機器設定、管理者アカウント。"),
    ("mail", "own", "社内メール・文書", CL.CONFIDENTIAL, False, False, None, None, "情報システム部", "メールと共有文書。"),
    ("card_members", "card", "カード会員情報", CL.STRICT, True, False, 480_000, 470_000, "カード事業部",
     "氏名・住所・勤務先・年収・利用明細。与信審査に使用。"),
    ("logi_staff", "logi", GROUP_STAFF_ASSET_NAME, CL.STRICT, True, True, 2_600, 2_600, "総務人事部",
     "氏名・給与・口座番号・健康診断結果（要配慮個人情報）。"),
    ("deliveries", "logi", "配送先情報", CL.CONFIDENTIAL, True, False, 5_000_000, 900_000, "配送管理部",
     "配送先の氏名・住所・電話番号。"),
)

# (asset, holder, received from, records, purpose, since, retention, return or erasure due)
HOLDINGS: tuple[tuple[str, str, str, int | None, str, dt.date | None, str, dt.date | None], ...] = (
    ("customers", "aozora", "own", CUSTOMER_RECORDS, "会員管理システム（CRM）の運用", D(2019, 4, 1), "契約期間中", None),
    ("customers", "hokuto", "aozora", CUSTOMER_RECORDS, "運用監視・バックアップ", D(2020, 10, 1), "バックアップ90世代", None),
    ("customers", "isaribi", "hokuto", CUSTOMER_RECORDS, "アクセスログ・バックアップ保管サーバ", D(2022, 6, 1),
     "不明（確認中）", None),
    ("customers", "hibari", "own", 300_000, "問い合わせ対応", D(2018, 7, 1), "契約期間中", None),
    ("customers", "akebono", "own", 800_000, "DMの印刷", D(2024, 4, 1), "発送後30日", None),
    ("customers", "yamabiko", "akebono", 800_000, "DMの封入・発送", D(2024, 4, 1), "発送後30日", None),
    ("customers", "tasogare", "own", 450_000, "DMの印刷（旧契約）", D(2015, 4, 1), "契約終了時に消去", D(2024, 4, 30)),
    ("purchases", "aozora", "own", 36_000_000, "CRMでの分析", D(2019, 4, 1), "契約期間中", None),
    ("purchases", "shirasagi", "own", 50_000, "POS障害調査", D(2024, 1, 1), "調査終了まで", None),
    ("purchases", "lotus", "shirasagi", 50_000, "テストデータ（未承認の再委託）", D(2024, 1, 15), "不明", None),
    ("wifi", "tsubasa", "own", 2_400_000, "機器保守", D(2020, 4, 1), "1年", None),
    ("wifi", "michinoku", "tsubasa", 2_400_000, "アクセスログ保管サーバ", D(2020, 4, 1), "3年", None),
    ("hq_staff", "soyokaze", "own", 1_800, "勤怠管理", D(2022, 4, 1), "契約期間中", None),
    ("applicants", "mirai", "own", 12_000, "応募者対応", D(2023, 1, 1), "選考後6か月", None),
    ("network", "kamome", "own", None, "運用監視", D(2023, 10, 1), "契約期間中", None),
    ("network", "fuyuno", "own", None, "旧運用（返却未確認）", D(2016, 4, 1), "契約終了時に返却", D(2023, 10, 31)),
    ("mail", "stratus", "own", None, "メール・文書の保存", D(2020, 7, 1), "契約期間中", None),
    ("card_members", "hoshizora", "card", 480_000, "与信審査", D(2015, 4, 1), "契約期間中", None),
    ("card_members", "asanagi", "card", 120_000, "会員問い合わせ対応", D(2019, 10, 1), "契約期間中", None),
    ("logi_staff", "hayate", "logi", 2_600, "給与計算・健康診断結果の管理", D(2018, 4, 1), "在職中＋5年", None),
    ("logi_staff", "tomoshibi", "hayate", 2_600, "給与計算ソフト（クラウド版）のデータ保管", D(2021, 4, 1), "不明", None),
    ("deliveries", "kodama", "logi", 5_000_000, "配送", D(2013, 4, 1), "1年", None),
    ("deliveries", "suzuran", "kodama", 400_000, "地域配送（再委託）", D(2021, 6, 1), "不明", None),
)

A = AccessLevel
# (organisation, system, level, accounts, notes)
ACCESS: tuple[tuple[str, str, str, int, str], ...] = (
    ("aozora", "会員管理システム（CRM）", A.ADMIN, 4, "クラウド基盤の管理者権限"),
    ("hokuto", "会員管理システム（CRM）運用監視", A.VPN, 2, "再委託先からの常時接続"),
    ("kamome", "社内ネットワーク", A.VPN, 6, ""),
    ("kamome", "Active Directory", A.ADMIN, 3, "ドメイン管理者"),
    ("shirasagi", "店舗POS保守", A.VPN, 3, "リモート保守"),
    ("hibari", "顧客対応ポータル", A.PORTAL, 40, ""),
    ("tsubasa", "店舗ネットワーク機器", A.ADMIN, 2, "Wi-Fiコントローラの管理者"),
    ("fuyuno", "社内ネットワーク", A.VPN, 2, "契約終了後もアカウントが残っている（要削除）"),
    ("ibuki", "EDR管理コンソール", A.ADMIN, 2, ""),
    ("soyokaze", "勤怠管理連携", A.PORTAL, 1, "API連携用アカウント"),
    ("asanagi", "カード会員照会ポータル", A.PORTAL, 25, ""),
    ("hoshizora", "与信審査システム", A.VPN, 5, ""),
    ("hayate", "人事給与システム", A.PORTAL, 3, ""),
    ("kodama", "配送管理システム", A.PORTAL, 60, ""),
)

S, INC, BIZ = ContactRole.SECURITY, ContactRole.INCIDENT, ContactRole.BUSINESS
# (organisation, role, name, e-mail local part, channel verified how many days ago or None)
CONTACTS: tuple[tuple[str, str, str, str, int | None], ...] = (
    ("own", S, "情報セキュリティ室 高橋 真理", "security", 10),
    ("own", INC, "MINATO-CSIRT 中村 健一", "csirt", 10),
    ("card", S, "木村 彩", "security", 30),
    ("logi", S, "松本 剛", "security", 30),
    ("aozora", S, "青木 啓介", "security", 40),
    ("aozora", INC, "運用センター（24時間）", "noc", 40),
    ("hokuto", S, "北川 美咲", "security", 400),
    ("isaribi", BIZ, "佐々木 洋平", "info", None),
    ("hibari", S, "日比野 亮", "security", 200),
    ("hibari", INC, "森 早苗", "incident", None),
    ("umineko", S, "海野 透", "security", None),
    ("tsubasa", S, "田村 翔", "security", 90),
    ("michinoku", BIZ, "菊地 晴美", "sales", None),
    ("kamome", S, "小松 大輔", "security", 20),
    ("kamome", INC, "SOC（24時間）", "soc", 20),
    ("yukishiro", S, "白石 恵", "psirt", None),
    ("shirasagi", S, "鷺沼 隆", "security", 150),
    ("shirasagi", INC, "西田 由紀", "incident", None),
    ("lotus", S, "Tran Minh Khoa", "security", None),
    ("kagaribi", S, "加賀 理沙", "psirt", None),
    ("akebono", S, "石井 和也", "security", 60),
    ("yamabiko", BIZ, "山田 浩二", "info", None),
    ("tasogare", BIZ, "斎藤 直樹", "info", 900),
    ("fuyuno", S, "藤井 聡", "security", 700),
    ("shinonome", BIZ, "東 千尋", "sales", None),
    ("hamanasu", BIZ, "浜田 勝", "sales", None),
    ("marumitsu", BIZ, "丸山 光", "sales", None),
    ("koharu", BIZ, "小林 春香", "info", None),
    ("tsumugi", BIZ, "津村 文子", "audit", None),
    ("soyokaze", S, "風間 陽介", "security", 100),
    ("stratus", S, "Emily Carter", "security", 30),
    ("stratus", INC, "Incident Response Desk", "incident", 30),
    ("mirai", S, "三浦 未来", "security", None),
    ("aoba", BIZ, "青山 誠", "info", None),
    ("ibuki", S, "井上 拓海", "security", 15),
    ("ibuki", INC, "SOC（24時間）", "soc", 15),
    ("hoshizora", S, "星野 綾香", "security", 45),
    ("hoshizora", INC, "岡田 修", "incident", 45),
    ("asanagi", S, "新垣 さくら", "security", None),
    ("mahoroba", BIZ, "前田 優", "info", None),
    ("hayate", S, "早瀬 智子", "security", 80),
    ("hayate", INC, "情報セキュリティ委員会", "incident", 80),
    ("tomoshibi", S, "富田 学", "security", None),
    ("kodama", BIZ, "小玉 秀樹", "sales", None),
    ("kodama", S, "遠藤 仁", "security", None),
    ("suzuran", BIZ, "鈴木 久美", "info", None),
)

CS = CertificationScheme
# (organisation, scheme, other scheme's name, number, issuer, valid from, valid until) with the dates
# in days relative to the load date, so that the demo always shows expired and expiring certificates.
CERTIFICATIONS: tuple[tuple[str, str, str, str, str, int, int | None], ...] = (
    ("own", CS.ISMS, "", "IS 700101", "ひのもと認証機構", -500, 595),
    ("own", CS.PMARK, "", "10800101(06)", "JIPDEC", -400, 330),
    ("card", CS.OTHER, "PCI DSS", "PCI-2026-0042", "ときわ審査登録センター", -200, 165),
    ("aozora", CS.ISMAP, "", "C23-0901", "ISMAP運営委員会", -300, 430),
    ("aozora", CS.ISMS, "", "IS 700233", "ひのもと認証機構", -200, 900),
    ("aozora", CS.SOC2, "", "SOC2-T2-2025", "さつき監査法人", -340, 25),
    ("hokuto", CS.ISMS, "", "IS 700455", "ときわ審査登録センター", -1050, 40),
    ("isaribi", CS.PMARK, "", "10800455(02)", "JIPDEC", -850, -120),
    ("hibari", CS.PMARK, "", "10800612(04)", "JIPDEC", -760, -30),
    ("tsubasa", CS.SCS3, "", "SCS3-000017", "", -100, 630),
    ("michinoku", CS.SECURITY_ACTION_2, "", "SA2-0123456", "", -400, None),
    ("kamome", CS.ISMS, "", "IS 700777", "ひのもと認証機構", -300, 795),
    ("kamome", CS.SCS4, "", "SCS4-000003", "ときわ審査登録センター", -60, 670),
    ("shirasagi", CS.ISMS, "", "IS 700812", "ときわ審査登録センター", -1085, 10),
    ("lotus", CS.ISMS, "", "VN-ISMS-4471", "Saigon Certification Services", -1500, -400),
    ("akebono", CS.PMARK, "", "10800930(03)", "JIPDEC", -300, 430),
    ("yamabiko", CS.SECURITY_ACTION_1, "", "SA1-0456789", "", -700, None),
    ("tasogare", CS.PMARK, "", "10800118(07)", "JIPDEC", -1000, -270),
    ("fuyuno", CS.ISMS, "", "IS 700150", "ひのもと認証機構", -1400, -300),
    ("soyokaze", CS.ISMAP, "", "C22-0415", "ISMAP運営委員会", -680, 55),
    ("stratus", CS.ISMAP, "", "C21-0077", "ISMAP運営委員会", -500, 230),
    ("stratus", CS.SOC2, "", "SOC2-T2-SPC", "Harbor & Vale LLP", -120, 245),
    ("ibuki", CS.ISMS, "", "IS 700990", "ひのもと認証機構", -400, 695),
    ("hoshizora", CS.PMARK, "", "10801024(05)", "JIPDEC", -250, 480),
    ("hoshizora", CS.OTHER, "PCI DSS", "PCI-2026-0107", "ときわ審査登録センター", -100, 265),
    ("asanagi", CS.PMARK, "", "10801200(02)", "JIPDEC", -600, 130),
    ("mirai", CS.PMARK, "", "10801333(01)", "JIPDEC", -700, 31),
    ("hayate", CS.PMARK, "", "10801456(04)", "JIPDEC", -500, 230),
    ("tomoshibi", CS.ISMS, "", "IS 701024", "ときわ審査登録センター", -1200, -15),
    ("kodama", CS.SECURITY_ACTION_1, "", "SA1-0789012", "", -900, None),
)


def demo_corporate_number(serial: int) -> str:
    """A valid 法人番号 for an invented company.

    The 12-digit base starts with an unusual prefix (9990) so the numbers are unlikely to match a real
    company; the leading check digit follows the National Tax Agency rule, so they pass validation.
    """
    base = f"99900{serial:07d}"
    return f"{corporate_number_check_digit(base)}{base}"
