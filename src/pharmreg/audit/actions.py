"""Security-relevant actions and their names in the interface."""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "locked_out": "账号锁定",
    "sign_out": "退出登录",
    "sign_out_everywhere": "退出所有设备",
    "password_changed": "修改密码",
    "password_reset_requested": "申请重置密码",
    "password_reset": "重置密码",
    "totp_enabled": "启用动态口令",
    "totp_disabled": "停用动态口令",
    "account_registered": "注册账号",
    "account_dispute_filed": "提出账号申诉",
    "account_dispute_document_opened": "查看账号申诉材料",
    "account_dispute_upheld": "账号申诉成立",
    "account_dispute_rejected": "账号申诉不成立",
    "officer_created": "新建工作人员",
    "officer_deactivated": "停用工作人员",
    "officer_reactivated": "启用工作人员",
    "officer_password_reset": "管理员重置密码",
    "position_granted": "授予岗位",
    "position_withdrawn": "收回岗位",
    "unit_updated": "修改单位信息",
    "delegation_granted": "下放审批权限",
    "delegation_revoked": "收回审批权限",
    "delegation_started": "下放权限生效",
    "delegation_expired": "审批权限终止",
    "work_delegation_created": "工作委托",
    "work_delegation_ended": "结束工作委托",
    "settings_changed": "修改安全设置",
    "staff_created": "新建全国用户",
    "task_acted": "办理任务",
    "case_acted": "办理申请",
    "process_changed": "修改审批流程",
    "guide_changed": "修改办事指南",
    "registration_cancelled": "依职权注销注册",
    "workdays_changed": "维护节假日",
    "forum_moderated": "论坛管理",
    "sites_changed": "修改业务办理网站",
    "public_contacts_changed": "修改公开联系人",
    "practice_units_imported": "导入执业单位",
    "practice_units_import_refused": "执业单位导入未通过",
    "report_exported": "导出统计报表",
}


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)
