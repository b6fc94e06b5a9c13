"""Regency codes from earlier Kemendagri editions that NIKs still carry.

A NIK keeps the region code it was issued with. When a province is split, its regencies get new codes,
but the residents' NIKs do not change: a NIK issued in Merauke before 2022 starts 9101, while Merauke is
93.01 today. Such a NIK is valid, so the region check accepts an old regency code and looks its districts
up under the regency's current code (the district numbers did not change with the move).

Each entry: old regency code -> (current regency code, the law that moved it).
"""

_PAPUA_2022 = "UU 14/2022 (Papua Selatan), UU 15/2022 (Papua Tengah), UU 16/2022 (Papua Pegunungan)"
_PAPUA_BARAT_DAYA_2022 = "UU 29/2022 (Papua Barat Daya)"

MOVED_REGENCIES: dict[str, tuple[str, str]] = {
    # Papua (91) -> Papua Selatan (93)
    "91.01": ("93.01", _PAPUA_2022),  # Merauke
    "91.16": ("93.02", _PAPUA_2022),  # Boven Digoel
    "91.17": ("93.03", _PAPUA_2022),  # Mappi
    "91.18": ("93.04", _PAPUA_2022),  # Asmat
    # Papua (91) -> Papua Tengah (94)
    "91.04": ("94.01", _PAPUA_2022),  # Nabire
    "91.07": ("94.02", _PAPUA_2022),  # Puncak Jaya
    "91.08": ("94.03", _PAPUA_2022),  # Paniai
    "91.09": ("94.04", _PAPUA_2022),  # Mimika
    "91.25": ("94.05", _PAPUA_2022),  # Puncak
    "91.26": ("94.06", _PAPUA_2022),  # Dogiyai
    "91.27": ("94.07", _PAPUA_2022),  # Intan Jaya
    "91.28": ("94.08", _PAPUA_2022),  # Deiyai
    # Papua (91) -> Papua Pegunungan (95)
    "91.02": ("95.01", _PAPUA_2022),  # Jayawijaya
    "91.12": ("95.02", _PAPUA_2022),  # Pegunungan Bintang
    "91.13": ("95.03", _PAPUA_2022),  # Yahukimo
    "91.14": ("95.04", _PAPUA_2022),  # Tolikara
    "91.21": ("95.05", _PAPUA_2022),  # Mamberamo Tengah
    "91.22": ("95.06", _PAPUA_2022),  # Yalimo
    "91.23": ("95.07", _PAPUA_2022),  # Lanny Jaya
    "91.24": ("95.08", _PAPUA_2022),  # Nduga
    # Papua Barat (92) -> Papua Barat Daya (96)
    "92.01": ("96.01", _PAPUA_BARAT_DAYA_2022),  # Sorong
    "92.04": ("96.02", _PAPUA_BARAT_DAYA_2022),  # Sorong Selatan
    "92.05": ("96.03", _PAPUA_BARAT_DAYA_2022),  # Raja Ampat
    "92.09": ("96.04", _PAPUA_BARAT_DAYA_2022),  # Tambrauw
    "92.10": ("96.05", _PAPUA_BARAT_DAYA_2022),  # Maybrat
    "92.71": ("96.71", _PAPUA_BARAT_DAYA_2022),  # Kota Sorong
}

# The other way, for a seeder that issues NIKs with old codes to residents of a moved regency.
OLD_CODE_OF_REGENCY: dict[str, str] = {new: old for old, (new, _law) in MOVED_REGENCIES.items()}


def current_district_code(district_code: str) -> str:
    """The district's code today: the same code, or the moved regency's new code with the same district."""
    regency, _dot, district = district_code.rpartition(".")
    moved = MOVED_REGENCIES.get(regency)
    return f"{moved[0]}.{district}" if moved else district_code
