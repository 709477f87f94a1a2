"""The real JMA telegrams in shared/data/jma/ (never hand-made ones), by what each is."""
from __future__ import annotations

from pathlib import Path

JMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "jma"
if not JMA_DIR.is_dir():  # a worktree beside the main checkout, or CI's clone with shared/ beside it
    JMA_DIR = next((p / "shared" / "data" / "jma" for p in Path(__file__).resolve().parents
                    if (p / "shared" / "data" / "jma").is_dir()), JMA_DIR)

SHINDO_SOKUHO = "32-35_01_01_100806_VXSE51.xml"  # 震度速報, areas only: 静岡県西部 6-
SAME_QUAKE_DETAIL = "32-35_07_06_100915_VXSE53.xml"  # same EventID: 掛川市 5-
DRILL = "32-35_01_03_100806_VXSE53.xml"  # 訓練: 掛川市 4
IWATE = "32-35_06_03_100915_VXSE53.xml"  # 掛川市 1
IWATE_CANCEL = "32-35_06_06_100915_VXSE53.xml"  # 取消 of IWATE's EventID
OSAKA_2021 = "20210216071046_0_VXSE53_270000.xml"  # Kakegawa not listed

ALL = sorted(p.name for p in JMA_DIR.glob("*.xml"))


def data(name: str) -> bytes:
    return (JMA_DIR / name).read_bytes()
