"""The 31 provincial-level divisions of the mainland plus 新疆生产建设兵团, with their regions.

Used by the data migration; kept as plain data so tests can compare against it.
"""

PROVINCES = [
    # code, name, English name, region
    ("110000", "北京市", "Beijing", "north"),
    ("120000", "天津市", "Tianjin", "north"),
    ("130000", "河北省", "Hebei", "north"),
    ("140000", "山西省", "Shanxi", "north"),
    ("150000", "内蒙古自治区", "Inner Mongolia", "north"),
    ("210000", "辽宁省", "Liaoning", "northeast"),
    ("220000", "吉林省", "Jilin", "northeast"),
    ("230000", "黑龙江省", "Heilongjiang", "northeast"),
    ("310000", "上海市", "Shanghai", "east"),
    ("320000", "江苏省", "Jiangsu", "east"),
    ("330000", "浙江省", "Zhejiang", "east"),
    ("340000", "安徽省", "Anhui", "east"),
    ("350000", "福建省", "Fujian", "east"),
    ("360000", "江西省", "Jiangxi", "east"),
    ("370000", "山东省", "Shandong", "east"),
    ("410000", "河南省", "Henan", "central"),
    ("420000", "湖北省", "Hubei", "central"),
    ("430000", "湖南省", "Hunan", "central"),
    ("440000", "广东省", "Guangdong", "south"),
    ("450000", "广西壮族自治区", "Guangxi", "south"),
    ("460000", "海南省", "Hainan", "south"),
    ("500000", "重庆市", "Chongqing", "southwest"),
    ("510000", "四川省", "Sichuan", "southwest"),
    ("520000", "贵州省", "Guizhou", "southwest"),
    ("530000", "云南省", "Yunnan", "southwest"),
    ("540000", "西藏自治区", "Tibet", "southwest"),
    ("610000", "陕西省", "Shaanxi", "northwest"),
    ("620000", "甘肃省", "Gansu", "northwest"),
    ("630000", "青海省", "Qinghai", "northwest"),
    ("640000", "宁夏回族自治区", "Ningxia", "northwest"),
    ("650000", "新疆维吾尔自治区", "Xinjiang", "northwest"),
    ("660000", "新疆生产建设兵团", "Xinjiang Production and Construction Corps", "northwest"),
]

NATIONAL_OFFICE_NAME = "国家知识产权局专利管理司"


def bureau_name(province_name: str) -> str:
    return f"{province_name}知识产权局"

# The one-character abbreviation (简称) of each division, from which a bureau's default 机关代字 is
# made (e.g. 苏知函 for 江苏省知识产权局's letters); an administrator sets the real one in the admin.
ABBREVIATIONS = {
    "110000": "京", "120000": "津", "130000": "冀", "140000": "晋", "150000": "蒙", "210000": "辽", "220000": "吉",
    "230000": "黑", "310000": "沪", "320000": "苏", "330000": "浙", "340000": "皖", "350000": "闽", "360000": "赣",
    "370000": "鲁", "410000": "豫", "420000": "鄂", "430000": "湘", "440000": "粤", "450000": "桂", "460000": "琼",
    "500000": "渝", "510000": "川", "520000": "黔", "530000": "云", "540000": "藏", "610000": "陕", "620000": "甘",
    "630000": "青", "640000": "宁", "650000": "新", "660000": "兵团",
}
# The national office's letters on zones go out as 国家知识产权局办公室 letters of the 专利管理司.
NATIONAL_LETTERHEAD = "国家知识产权局办公室"
NATIONAL_DOCUMENT_CODE = "国知办函管字"


def bureau_document_code(province_code: str) -> str:
    return f"{ABBREVIATIONS[province_code]}知函"

NATIONAL_OFFICE_NAME_EN = "Department of Patent Administration, China National Intellectual Property Administration"


def bureau_name_en(province_name_en: str) -> str:
    return f"{province_name_en} Intellectual Property Administration"
