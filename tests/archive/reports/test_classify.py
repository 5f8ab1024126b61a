"""Telling disclosure annual reports from look-alikes by their titles (archive/reports/classify.py)."""
import pytest

from archive.reports.classify import classify_title

REPORTS = [
    ("衢州市人民政府2016年政府信息公开工作年度报告", 2016, "衢州市人民政府"),
    ("嘉禾县2017年政府信息公开年度报告", 2017, "嘉禾县"),
    ("襄阳市2017年政府信息公开年度工作报告", 2017, "襄阳市"),
    ("铁岭市2017年度政府信息公开工作报告", 2017, "铁岭市"),
    ("随州市2020年政府信息公开工作年度报告", 2020, "随州市"),
    ("XX局2020年度政府信息公开工作年度报告", 2020, "XX局"),
    ("2019年度市审计局政府信息公开工作年度报告", 2019, "市审计局"),
    ("政府信息公开年报（2015年）", 2015, None),
    ("2016年政府信息公开工作年度报告", 2016, None),
    ("某某镇2021年政府信息公开工作年度报告（全文）", 2021, "某某镇"),
    ("二〇一八年政府信息公开工作年报", 2018, None),
    ("随州市2020年政府信息公开工作年度报告.pdf", 2020, "随州市"),
    ("1.嘉禾县2017年政府信息公开年度报告", 2017, "嘉禾县"),
    ("鄂尔多斯市2018年政府信息公开年度报告", 2018, "鄂尔多斯市"),
    ("市民政局2022年政务公开工作年度报告", 2022, "市民政局"),
    # "关于…" before the body or after it is not the body's (the body was '关于江吉县')
    ("关于江吉县2023年政府信息公开工作年度报告", 2023, "江吉县"),
    ("定禾县审计局关于2023年政府信息公开工作年度报告", 2023, "定禾县审计局"),
    # the report phrase's 政府 is the body's: the body was '顺东市人民'
    ("2021年度顺东市人民政府信息公开工作年度报告", 2021, "顺东市人民政府"),
]

LOOKALIKES = [
    "2019年政府信息公开指南",
    "衢州市政府信息公开制度",
    "政府信息公开目录",
    "市政府2020年政务公开工作要点",
    "2018年法治政府建设年度报告",
    "2019年国民经济和社会发展统计公报",
    "2020年部门预算",
    "市财政局2019年部门决算",
    "关于做好2017年度政府信息公开工作报告编制发布等工作的通知",
    "我市召开2019年政府信息公开年度报告编制培训会",
    "关于2019年政府信息公开工作年度报告的更正说明",
    "图解：2019年政府信息公开工作年度报告",
    "恩格贝生态示范区召开2020年度工作会暨党风廉政建设会议",
    "2020年政府工作报告",
    "",
]


@pytest.mark.parametrize("title,year,body", REPORTS)
def test_reports_are_recognised_with_year_and_body(title, year, body):
    found = classify_title(title)
    assert found is not None, title
    assert found.year == year
    assert found.body == body


@pytest.mark.parametrize("title", LOOKALIKES)
def test_lookalikes_are_rejected(title):
    assert classify_title(title) is None
