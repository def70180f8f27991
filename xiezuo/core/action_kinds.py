"""Every kind of write the system records, in one list, with the Chinese name history pages show."""

from __future__ import annotations

from django.db import models


class ActionKind(models.TextChoices):
    """Every write the system knows, with the name a history page shows for it."""

    VALUE_SET = "value.set", "修改统计表数值"
    VALUES_IMPORT = "values.import", "批量填报统计表"
    LEDGER_RECORD_CREATE = "ledger.create", "新增台账记录"
    LEDGER_RECORD_UPDATE = "ledger.update", "修改台账记录"
    LEDGER_RECORD_DELETE = "ledger.delete", "删除台账记录"
    LEDGER_IMPORT = "ledger.import_file", "导入台账文件"
    LEDGER_IMPORT_ROW = "ledger.import", "导入台账记录"
    LEDGER_EXPORT_FULL_IDS = "ledger.export_full_ids", "导出完整身份证号"
    RECONCILIATION_ACCEPT = "reconciliation.accept", "采用台账生成值"
    RECONCILIATION_KEEP = "reconciliation.keep", "保留填报值"
    COVER_LETTER_SAVE = "cover_letter.save", "保存报送文件"
    NARRATIVE_SAVE = "narrative.save", "保存报告正文"
    DRAFTED_PARAGRAPH_SAVE = "drafted_paragraph.save", "修改报告自动生成段落"
    TYPICAL_CASE_SAVE = "typical_case.save", "保存典型案例"
    TYPICAL_CASE_REMOVE = "typical_case.remove", "删除典型案例"
    SUBMISSION_CREATE = "submission.create", "开始填报"
    SUBMISSION_SUBMIT = "submission.submit", "报送"
    SUBMISSION_RETURN = "submission.return", "退回"
    SUBMISSION_APPROVE = "submission.approve", "审核通过"
    SUBMISSION_REOPEN = "submission.reopen", "重新打开"
    SUBMISSION_COMMENT = "submission.comment", "提出意见"
    TARGET_SET = "target.set", "设定目标值"
    TARGETS_IMPORT = "targets.import", "导入目标值"
    ORGUNITS_IMPORT = "orgunits.import", "导入行政区划"
    ORGUNIT_CREATE = "orgunit.create", "新增行政区划"
    ORGUNIT_UPDATE = "orgunit.update", "修改行政区划"
    PAIRINGS_IMPORT = "pairings.import", "导入结对关系"
    PAIRING_CREATE = "pairing.create", "新增结对关系"
    USER_CREATE = "user.create", "新增用户"
    USER_UPDATE = "user.update", "修改用户"
    DEMO_LOAD = "demo.load", "载入演示数据"
    SYNTH_GENERATE = "synth.generate", "生成合成数据"
    BACKUP_RESTORE = "backup.restore", "恢复备份"
