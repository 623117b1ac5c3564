"""The bureau's written reply to an objection (Art. 25 requires one), in Chinese and English.

Plain text is the letter; the PDF is the same text typeset. It says what was disputed, what the
verifier found, what changed in the file, whether the reply came within the legal period, and
what the subject can do next (a statement after a confirmed outcome, a complaint to the
regulator).
"""

from __future__ import annotations

from datetime import date

from creditmend.domain.creditfile.objection import Objection, Outcome
from creditmend.domain.problems import Problem
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.text import why_refused

# The desk's own paragraph in a letter (bureau policy: no statute sets a length): a few
# sentences explaining the outcome, not a second letter. Lines are kept (a textarea's), each
# line plain text, so the paragraph can never act on a reader's terminal.
EXPLANATION_MAX_CHARS = 1000
EXPLANATION_MAX_LINES = 20
_BASIS = "依据 / Basis: "
_EXPLANATION_HEADING = "本中心说明 / The bureau's explanation:"

_REASONS = {
    "not_mine": ("非本人业务", "the record is not mine"),
    "paid_on_time": ("已按时还款", "I paid on time"),
    "deduction_failed_not_my_fault": (
        "代扣失败非本人原因",
        "the automatic deduction failed through no fault of mine",
    ),
    "wrong_amount": ("金额有误", "the amount is wrong"),
    "already_settled": ("已结清", "the debt was already settled"),
    "inquiry_without_consent": ("未经授权查询", "the inquiry was made without my consent"),
    "other": ("其他", "other"),
}

_OUTCOMES = {
    Outcome.CONFIRMED: (
        "经核查，该信息准确无误，予以保留，异议标注已取消。",
        "After verification the record is correct. It stays in your file and the objection mark "
        "is removed.",
    ),
    Outcome.CORRECTED: (
        "经核查，该信息有误，已按下列数据更正：",
        "After verification the record was wrong. It has been corrected as follows:",
    ),
    Outcome.DELETED: (
        "经核查，该信息有误，已从您的信用报告中删除。",
        "After verification the record was wrong. It has been deleted from your credit report.",
    ),
    Outcome.REPEATED: (
        "本异议与此前异议相同，且未提供新的证据，维持此前的处理结果。",
        "This objection repeats an earlier one without new evidence; the earlier answer stands.",
    ),
}


def reply_letter(
    objection: Objection,
    subject: str,
    on: date,
    profile: JurisdictionProfile,
    changes: tuple[str, ...] = (),
) -> str:
    """The reply for a closed objection; `changes` lists the corrected values, one per line."""
    if objection.outcome is None:
        raise ValueError(f"objection {objection.id} is open: there is no outcome to reply with")
    zh_reason, en_reason = _REASONS[objection.reason.value]
    zh_outcome, en_outcome = _OUTCOMES[objection.outcome]
    in_time = on <= objection.due_on
    zh_time = "在法定期限内" if in_time else f"已超过法定期限（{objection.due_on}）"
    en_time = (
        "within the legal period" if in_time else f"after the legal period ({objection.due_on})"
    )
    lines = [
        f"异议处理结果告知书 / Reply to your objection No. {objection.id}",
        "",
        f"致 / To: {subject}",
        f"日期 / Date: {on.isoformat()}",
        "",
        f"您于 {objection.filed_on} 对记录 {objection.record} 提出异议，理由：{zh_reason}。",
        f"On {objection.filed_on} you objected to the record {objection.record}: {en_reason}.",
        "",
    ]
    if objection.outcome is Outcome.REPEATED and objection.repeat_of is not None:
        lines += [
            f"此前异议编号 / Earlier objection: No. {objection.repeat_of}",
            "",
        ]
    else:
        verifier = objection.answered_by or "bureau"
        lines += [
            f"核查机构 / Verified by: {verifier}，{zh_time}答复 / answered {en_time}.",
            "",
        ]
    lines += [zh_outcome, en_outcome]
    lines += [f"  - {change}" for change in changes]
    if objection.proposal is not None and objection.outcome is not Outcome.REPEATED:
        lines += ["", "本中心对您提交证据的核查 / What the bureau found in your evidence:"]
        lines += [f"  - {item}" for item in objection.proposal.summary]
    lines.append("")
    if objection.outcome is Outcome.CONFIRMED:
        limit = profile.statement_max_chars.value
        lines += [
            f"如对结果有不同意见，您可以添加不超过 {limit} 字的个人声明，"
            "该声明将在您的信用报告中与该记录一并展示：",
            f"If you disagree, you may add a personal statement of up to {limit} characters, "
            "shown next to the record in every report:",
            f'  creditmend object statement {objection.id} --text "..."',
            "",
        ]
    days = profile.complaint_reply_days.value
    lines += [
        f"您也可以向当地人民银行分支机构投诉，其应在受理后 {days} 日内书面答复。",
        f"You may also complain to the local branch of the People's Bank of China, which must "
        f"answer in writing within {days} days of accepting the complaint "
        f"({profile.complaint_reply_days.source}).",
        "",
        f"{_BASIS}{profile.objection_reply_days.source}",
    ]
    return "\n".join(lines) + "\n"


def explanation(text: str) -> tuple[str, tuple[Problem, ...]]:
    """The desk's paragraph as the letter will hold it (line ends made `\\n`, each line's and
    the whole's outer blanks trimmed; empty: no paragraph), and the problems that refuse it."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    said = "\n".join(lines)
    field = "objection.explanation"
    if len(said) > EXPLANATION_MAX_CHARS:
        return said, (
            Problem(field, f"has {len(said)} characters; at most {EXPLANATION_MAX_CHARS}"),
        )
    if len(lines) > EXPLANATION_MAX_LINES:
        return said, (Problem(field, f"has {len(lines)} lines; at most {EXPLANATION_MAX_LINES}"),)
    for number, line in enumerate(lines, start=1):
        reason = why_refused(line, EXPLANATION_MAX_CHARS)
        if reason is not None:
            return said, (Problem(field, f"line {number} {reason}"),)
    return said, ()


def with_explanation(letter: str, paragraph: str) -> str:
    """The letter as written with the outcome, the desk's paragraph set before its closing
    legal basis (the generated parts, word for word, around it); no paragraph: the letter."""
    if not paragraph:
        return letter
    block = [
        _EXPLANATION_HEADING,
        *(f"  {line}" if line else "" for line in paragraph.split("\n")),
        "",
    ]
    lines = letter.rstrip("\n").split("\n")
    at = max((i for i, line in enumerate(lines) if line.startswith(_BASIS)), default=len(lines))
    return "\n".join([*lines[:at], *block, *lines[at:]]) + "\n"
