"""Message templates, one per event, in Chinese and English.

Each is (title_zh, title_en, body_zh, body_en) with ``{name}`` placeholders filled from the
event's context; a context that lacks a placeholder is a programming error and raises.
"""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "applications.submitted": (
        "申请已提交：{item}",
        "Application filed: {item}",
        "您的申请 {number}（{item}）已提交，承诺办结日期为 {deadline}。",
        "Your application {number} ({item}) has been filed; it is due by {deadline}.",
    ),
    "applications.accepted": (
        "申请已受理：{item}",
        "Application accepted: {item}",
        "您的申请 {number} 已受理，正在审核。",
        "Your application {number} has been accepted and is in review.",
    ),
    "applications.supplement": (
        "请补正材料：{item}",
        "Please supply what is missing: {item}",
        "您的申请 {number} 需要补正，一次性告知如下：{note}。补正期间办理时限暂停计算。",
        "Your application {number} needs a supplement; everything missing: {note}. "
        "The time limit is paused until you supply it.",
    ),
    "applications.not_accepted": (
        "申请不予受理：{item}",
        "Application not accepted: {item}",
        "您的申请 {number} 不予受理，理由：{note}。",
        "Your application {number} was not accepted. Reasons: {note}.",
    ),
    "applications.approved": (
        "申请已办结（准予）：{item}",
        "Application approved: {item}",
        "您的申请 {number} 已审批通过并办结，可在办件页面下载办理结果。",
        "Your application {number} has been approved and completed; download the result "
        "from the case page.",
    ),
    "applications.rejected": (
        "申请已办结（不予准予）：{item}",
        "Application rejected: {item}",
        "您的申请 {number} 未获批准，理由：{note}。可在办件页面下载决定书。",
        "Your application {number} was rejected. Reasons: {note}. The decision can be "
        "downloaded from the case page.",
    ),
    "applications.withdrawn": (
        "申请已撤回：{item}",
        "Application withdrawn: {item}",
        "申请 {number} 已由申请人撤回。",
        "Application {number} has been withdrawn by the applicant.",
    ),
    "applications.task": (
        "待办：{task}（{number}）",
        "To do: {task} ({number})",
        "办件 {number}（{item}）的环节“{task}”交由您办理，环节时限 {due}。",
        "The step '{task}' of case {number} ({item}) is yours; it is due by {due}.",
    ),
    "applications.escalated": (
        "办件已提级：{number}",
        "Case escalated: {number}",
        "办件 {number}（{item}）已提交上级 {region} 办理。原因：{note}",
        "Case {number} ({item}) has been escalated to {region}. Reason: {note}",
    ),
    "pensions.awarded": (
        "养老金已核定：每月 {amount} 元",
        "Pension awarded: {amount} a month",
        "您的基本养老金已核定为每月 {amount} 元。退休月份 {retirement}，"
        "养老金自 {start} 起按月发放。",
        "Your basic pension is {amount} a month. Retirement month {retirement}; pension paid "
        "from {start}.",
    ),
    "pensions.transferred": (
        "养老保险关系已转移：{place}",
        "Pension relation transferred: {place}",
        "您的基本养老保险关系已转移（{place}），个人账户 {account} 元随同转移。",
        "Your pension insurance relation was transferred ({place}); the individual account of "
        "{account} went with it.",
    ),
    "reviews.bad_review": (
        "差评待整改：{number}",
        "Bad review to follow up: {number}",
        "办件 {number}（{item}）收到不满意评价，请于 {due} 前回访申请人，并在15个工作日内整改。",
        "Case {number} ({item}) was rated dissatisfied: call the applicant back by {due} and "
        "put things right within 15 working days.",
    ),
    "reviews.rectified": (
        "您的差评已整改：{number}",
        "Your bad review was followed up: {number}",
        "经办机构已就办件 {number}（{item}）的问题完成整改，您可以再评价一次。",
        "The agency put right what went wrong with case {number} ({item}); you may rate the "
        "service once more.",
    ),
    "reviews.appealed": (
        "差评申诉待裁定：{number}",
        "Appeal against a review to decide: {number}",
        "经办人员认为办件 {number} 的差评属于恶意评价，请审核并裁定。",
        "Staff hold the review of case {number} malicious: decide the appeal.",
    ),
    "pensions.survivors_opened": (
        "遗属待遇已启动：{name}",
        "Survivors' benefits opened: {name}",
        "参保人员 {name} 于 {date} 死亡，平台已根据共享的死亡信息核算丧葬补助金、抚恤金和个人账户"
        "余额，等待遗属申领。",
        "{name} died on {date}. The platform computed the funeral grant, the survivor benefit "
        "and the account balance from the shared death registration; the survivors are to claim.",
    ),
    "pensions.survivors_invited": (
        "{name} 的遗属待遇可以申领",
        "Survivors' benefits of {name} can be claimed",
        "我们对 {name} 的离世深表哀悼。遗属可领取丧葬补助金 {funeral} 元、抚恤金 {survivor} 元，"
        "并继承个人账户余额 {account} 元，合计 {total} 元。在线申请表已填好逝者信息，无需提交死亡"
        "证明。",
        "We are sorry for the loss of {name}. The survivors may claim a funeral grant of "
        "{funeral}, a survivor benefit of {survivor} and inherit the account balance of "
        "{account}: {total} in all. The online form already names the deceased; no death "
        "certificate is needed.",
    ),
    "pensions.retirement_reached": (
        "您已于 {month} 达到法定退休年龄",
        "You reached your statutory retirement age in {month}",
        "您已于 {month} 达到法定退休年龄，目前仍在参保缴费。可在线申请基本养老金（申请表已按您的"
        "记录提出最早可选的退休月份，请核对并填写或确认养老金发放账户），或经与单位协商弹性延迟"
        "退休，最迟至 {latest}。",
        "You reached your statutory retirement age in {month} and are still insured at work. "
        "Apply for your pension online (the form proposes the earliest retirement month open "
        "to you: check it, and give or confirm the bank account the pension is paid into), or "
        "agree a later retirement with your employer, at the latest {latest}.",
    ),
    "pensions.retirement_due": (
        "您将于 {month} 到达法定退休年龄",
        "You reach your statutory retirement age in {month}",
        "您将于 {month} 到达法定退休年龄。可在线申请基本养老金：申请表已按您的记录填入退休月份，"
        "请核对并填写或确认养老金发放账户。",
        "You reach your statutory retirement age in {month}. Apply for your pension online: "
        "the form proposes your retirement month from your record; check it, and give or "
        "confirm the bank account the pension is paid into.",
    ),
    "pensions.retirement_due_employer": (
        "职工 {name} 将于 {month} 退休",
        "{name} reaches retirement age in {month}",
        "贵单位职工 {name} 将于 {month} 到达法定退休年龄，请提醒其办理退休申请并按时办理减员。",
        "{name}, your employee, reaches the statutory retirement age in {month}: remind them to "
        "apply, and end the employment on time.",
    ),
    "pensions.confirm": (
        "请完成养老金领取资格认证",
        "Please confirm your pension entitlement",
        "您已超过 12 个月未完成领取资格认证，请在 {days} 天内登录“我的养老金”完成认证，"
        "逾期将暂停发放（认证后补发）。",
        "Your entitlement has not been confirmed for 12 months: confirm it under My pension "
        "within {days} days, or payment is suspended (and paid back once you confirm).",
    ),
    "supervision.yellow": (
        "黄牌预警：{number}",
        "Yellow warning: {number}",
        "办件 {number}（{item}）的“{task}”环节将于 {due} 到期，请抓紧办理。",
        "The step '{task}' of case {number} ({item}) is due by {due}: act soon.",
    ),
    "supervision.red": (
        "红牌警告：{number}",
        "Red warning: {number}",
        "办件 {number}（{item}）的“{task}”环节已于 {due} 超期，已提交上级督办。",
        "The step '{task}' of case {number} ({item}) was due by {due} and is overdue; "
        "it has been escalated.",
    ),
    "supervision.stranded": (
        "无人可办：{number}",
        "Nobody can act: {number}",
        "办件 {number}（{item}）的“{task}”环节当前无人可办（{note}），请改派或调配人员。",
        "Nobody can act on the step '{task}' of case {number} ({item}) ({note}): "
        "reassign it or staff it.",
    ),
    "security.refusals": (
        "安全提示：{actor} 频繁被拒绝访问",
        "Security notice: {actor} refused access repeatedly",
        "{actor}（{role}）在 {minutes} 分钟内被拒绝访问 {count} 次，最近一次：{route} {target}。"
        "请在审计日志中选择“仅看被拒绝的访问”并按该用户查看详情。",
        "{actor} ({role}) was refused access {count} times within {minutes} minutes, last at "
        "{route} {target}. In the audit journal, choose 'Refused access only' and this user.",
    ),
    "unemployment.registered": (
        "已办理失业登记",
        "Registered as unemployed",
        "您已于 {month} 办理失业登记。平台记录的最近一份工作结束于：{date}。",
        "You are registered as unemployed from {month}. Your last employment on record ended: "
        "{date}.",
    ),
    "unemployment.reemployed": (
        "失业登记已结束：重新就业",
        "Unemployment registration ended: re-employed",
        "平台记录显示您自 {start} 起重新就业，您的失业登记已于 {month} 结束。",
        "The platform's record shows you employed again from {start}; your registration as "
        "unemployed ended in {month}.",
    ),
    "contributions.individual_payer.ended": (
        "灵活就业缴费已停止：已在单位参保",
        "Paying as an individual ended: insured through an employer",
        "平台比对发现：{reason}。自 {month} 起您不再以灵活就业人员身份缴费，"
        "该月起的未缴账单已相应调整。",
        "The platform's data comparison found: {reason}. From {month} you no longer pay as "
        "an individual; unpaid bills from that month have been adjusted.",
    ),
    "contributions.individual_refund": (
        "灵活就业缴费退费：{months}",
        "Refund of your payments as an individual: {months}",
        "平台比对发现：{employer} 已为您申报缴纳 {months} 的职工基本养老保险，您以灵活就业人员"
        "身份为这些月份缴纳的 {amount} 元将退还给您；这些月份按职工缴费记录计算。",
        "The platform's data comparison found that {employer} declared your employee pension "
        "for {months}: the {amount} yuan you paid as an individual for those months will be "
        "refunded to you; the months count as employee months.",
    ),
    "contributions.individual_refund.cancelled": (
        "已作废账单的缴款将退还：{months}",
        "Payment on a cancelled bill to be refunded: {months}",
        "您 {months} 的灵活就业缴费账单已作废，税务部门仍收到 {total} 元。"
        "其中 {amount} 元未计入缴费记录，将退还给您。",
        "Your bill as an individual for {months} was cancelled, yet the tax authority received "
        "{total} yuan for it. {amount} yuan of it counts for no month and will be refunded to you.",
    ),
    "contributions.individual_refund.overpaid": (
        "多缴的灵活就业缴费将退还：{months}",
        "Amount paid above your bill to be refunded: {months}",
        "您 {months} 的灵活就业缴费账单共收到 {total} 元，超出应缴金额的 {amount} 元将退还给您。",
        "Your bill as an individual for {months} received {total} yuan in all; the {amount} "
        "yuan above what it asks will be refunded to you.",
    ),
    "contributions.individual_bill.issued": (
        "灵活就业缴费账单：{months}",
        "Your contribution bill as an individual: {months}",
        "{months} 应缴基本养老保险费 {amount} 元（缴费基数 {base} 元），请于 {due} 前通过税务部门"
        "缴纳；逾期每日加收0.05%滞纳金。",
        "{amount} yuan of pension contributions for {months} (base {base}) are due by {due}; "
        "pay them to the tax authority. A late payment adds 0.05% a day.",
    ),
    "unemployment.benefit_granted": (
        "失业保险金已核定",
        "Unemployment benefit granted",
        "您的失业保险金自 {start} 起按月发放，共 {months} 个月，每月 {amount} 元。",
        "Your unemployment benefit is paid monthly from {start}: {months} months of {amount} yuan.",
    ),
    "unemployment.benefit_stopped": (
        "失业保险金停发",
        "Unemployment benefit stopped",
        "因{reason_zh}，您的失业保险金自 {month} 起停发。",
        "Your unemployment benefit stops from {month}: {reason_en}.",
    ),
}
