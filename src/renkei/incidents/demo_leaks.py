"""Demo content for leak attribution — the product's origin story.

Our customers' delivery list turns up on a bulletin board. We sent that list to two recipients: the
logistics affiliate (for deliveries) and the DM printer (for a mailing), overlapping in most rows.
An outside reporter sends a sample (names, postal codes and addresses only, columns renamed, rows
shuffled) through the public form. Traced from the incident, the canary rows in the sample show
that it derives from the copy sent to the logistics affiliate, not from our own master data.

All persons are invented: common family and given names combined at random, addresses made of
real place names with invented block numbers, example.jp mail addresses and 080-0000 numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from renkei.incidents.intake import services as intake_services
from renkei.incidents.leaks import services as leak_services
from renkei.incidents.leaks.models import SharedDataset
from renkei.registry.models import InformationAsset, Organisation

FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
          "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "斎藤", "清水", "森")  # fmt: skip
GIVEN = ("翔太", "美咲", "大輔", "陽菜", "健一", "由美", "拓海", "彩", "誠", "結衣",
         "直樹", "真由美", "悠斗", "愛", "浩二", "さくら", "亮", "恵", "大翔", "花子")  # fmt: skip
PLACES = (
    ("105-0011", "東京都港区芝公園"), ("150-0002", "東京都渋谷区渋谷"), ("220-0012", "神奈川県横浜市西区みなとみらい"),
    ("330-0063", "埼玉県さいたま市浦和区高砂"), ("260-0013", "千葉県千葉市中央区中央"), ("460-0008", "愛知県名古屋市中区栄"),
    ("530-0001", "大阪府大阪市北区梅田"), ("810-0001", "福岡県福岡市中央区天神"), ("980-0811", "宮城県仙台市青葉区一番町"),
    ("730-0011", "広島県広島市中区基町"),
)  # fmt: skip
HEADER = ("会員番号", "氏名", "郵便番号", "住所", "電話番号", "メールアドレス")
MEMBERS = 400
LEAK_TIP = (
    "インターネットの掲示板に、貴社の会員の配送先と思われる一覧（氏名・郵便番号・住所）が掲載されています。"
    "一部を保存して添付します。"
)
SAMPLE_NAME = "掲示板に掲載されていた一覧.csv"


def _members(rng: random.Random) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for n in range(1, MEMBERS + 1):
        postal, town = rng.choice(PLACES)
        a, b, c = rng.randint(1, 9), rng.randint(1, 30), rng.randint(1, 20)
        address = f"{town}{a}丁目{b}番{c}号" if n % 2 else f"{town}{a}-{b}-{c}"
        rows.append((f"M{2026000 + n:07d}", f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}", postal, address,
                     f"080-0000-{n:04d}", f"member{n:05d}@example.jp"))  # fmt: skip
    return rows


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]] | list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _share(sender: Organisation, recipient: Organisation, asset: InformationAsset | None, rows: list[tuple[str, ...]],
           *, name: str, shared_on: dt.date, method: str) -> bytes:  # fmt: skip
    dataset = SharedDataset(
        group_company=sender, recipient=recipient, asset=asset, name=name, shared_on=shared_on, method=method
    )
    sent = leak_services.dataset_share(user=None, dataset=dataset, data=_csv(HEADER, rows), filename=f"{name}.csv")
    return bytes(sent.content)


def _leaked_sample(sent: bytes, members: set[str], rng: random.Random) -> bytes:
    """What the reporter found: names, postal codes and addresses of 60 rows of the affiliate's copy
    (its canary rows among them), columns renamed and reordered, rows shuffled."""
    records = list(csv.reader(io.StringIO(sent.decode("utf-8-sig"))))
    header, rows = records[0], records[1:]
    index = {name: header.index(name) for name in ("会員番号", "氏名", "郵便番号", "住所")}
    canaries = [r for r in rows if r[index["会員番号"]] not in members]
    real = [r for r in rows if r[index["会員番号"]] in members]
    chosen = rng.sample(real, 60 - len(canaries)) + canaries
    rng.shuffle(chosen)
    picked = [[r[index["住所"]], r[index["氏名"]], "〒" + r[index["郵便番号"]]] for r in chosen]
    return _csv(("ご住所", "お名前", "〒"), picked)


def load_leak_demo(*, orgs: dict[str, Organisation], assets: dict[str, InformationAsset], today: dt.date) -> dict[str, Any]:
    rng = random.Random(2026)
    members = _members(rng)
    asset = assets.get("customers")
    to_affiliate = _share(orgs["own"], orgs["logi"], asset, members, name="会員配送先リスト", shared_on=today - dt.timedelta(days=75),
                          method="SFTP")  # fmt: skip
    _share(orgs["own"], orgs["akebono"], asset, members[:300], name="DM発送リスト", shared_on=today - dt.timedelta(days=40),
           method="暗号化ZIP（メール）")  # fmt: skip
    sample = _leaked_sample(to_affiliate, {m[0] for m in members}, rng)
    intake_services.intake_submit(
        kind="tip", message=LEAK_TIP, anonymous=True,
        files=[SimpleUploadedFile(SAMPLE_NAME, sample, content_type="text/csv")],
    )  # fmt: skip
    return {"shared_datasets": 2, "intake_reports": 1}
