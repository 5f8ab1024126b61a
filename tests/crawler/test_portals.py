"""The portals CSV: clear errors naming file and line (crawler/portals.py)."""
import pytest

from crawler.portals import DEFAULT_PORTALS, PortalsError, load_portals


def write(tmp_path, text, name="portals.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_list_has_the_seed_governments():
    names = {p.name: p.url for p in load_portals(DEFAULT_PORTALS)}
    assert names["襄阳市"] == "http://www.xiangyang.gov.cn/"
    assert names["铁岭市"] == "http://www.tieling.gov.cn/"
    assert names["衢州市"] == "http://www.qz.gov.cn/"
    assert names["随州市"] == "http://www.suizhou.gov.cn/"
    assert names["嘉禾县"] == "http://www.jiahe.gov.cn/"


def test_extra_columns_are_kept_and_optional_columns_may_be_missing(tmp_path):
    path = write(tmp_path, "url,name,note\nhttp://www.a.gov.cn/,甲市,x\n")
    [portal] = load_portals(path)
    assert (portal.name, portal.url, portal.province, portal.extra) == ("甲市", "http://www.a.gov.cn/", "", {"note": "x"})


@pytest.mark.parametrize("text,message", [
    ("name,url\n甲市,http://www.a.gov.cn/\n乙市,http://www.b.gov.cn/\n丙市,\n", "portals.csv line 4: missing url"),
    ("name,url\n,http://www.a.gov.cn/\n", "portals.csv line 2: missing name"),
    ("name,province\n甲市,湖北\n", "portals.csv line 1: missing column url"),
    ("name,url\n甲市,www.a.gov.cn\n", "portals.csv line 2: bad url 'www.a.gov.cn'"),
    ("name,url\n甲市,ftp://a.gov.cn/\n", "portals.csv line 2: bad url"),
    ("name,url\n甲市,http://www.a.gov.cn/\n乙市,http://www.a.gov.cn/\n", "line 3: url http://www.a.gov.cn/ already listed on line 2"),
    ("name,url\n甲市,http://www.a.gov.cn/,extra\n", "line 2: more fields than the header has"),
    ("", "line 1: empty file"),
])
def test_bad_files_name_the_line(tmp_path, text, message):
    with pytest.raises(PortalsError) as err:
        load_portals(write(tmp_path, text))
    assert message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(PortalsError, match="no such file"):
        load_portals(tmp_path / "nope.csv")


def test_gbk_file_from_excel(tmp_path):
    path = tmp_path / "portals.csv"
    path.write_bytes("name,url\n嘉禾县,http://www.jiahe.gov.cn/\n".encode("gb18030"))
    assert load_portals(path)[0].name == "嘉禾县"
