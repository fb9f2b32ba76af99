// Labels and figures as the page shows them. Shares and rates arrive as fractions (0.8 is
// 80 %), the API's one convention; the page turns them into percentages.

export const WARNING_KINDS = {
  SLOW_PROGRESS: "进度滞后",
  OVER_PLAN: "超计划发展",
  RUSHED: "突击发展",
  LONG_TERM_NONE: "长期不发展",
  LARGE_SWING: "大起大落",
  OVERDUE_STEP: "程序环节超期",
  MISSING_DATA: "信息未录全",
  REPORT_OVERDUE: "报告逾期未报",
  DATA_CALL_DUE: "数据征集即将到期",
  DATA_CALL_OVERDUE: "数据征集逾期未报",
};

export const WARNING_STATUSES = {
  OPEN: "待处理",
  ACKNOWLEDGED: "已知悉",
  RESOLVED: "已消除",
};

export const REPORT_STATUSES = {
  DRAFT: "草稿",
  SUBMITTED: "已报送",
  ACKNOWLEDGED: "工委已确认",
  RETURNED: "已退回",
};

export const UNIT_KINDS = {
  COMMISSION: "省委教育工委",
  SCHOOL: "学校党委",
  COMMITTEE: "院系党委/党总支",
  BRANCH: "党支部",
};

export const INDICATORS = {
  YOUTH_35: "35岁及以下青年",
  COLLEGE_EDUCATED: "大专及以上学历",
  WOMEN: "女性",
  ETHNIC_MINORITY: "少数民族",
  PROFESSIONAL_TECHNICAL: "专业技术人员",
};

export const PIPELINE = [
  ["applicants", "入党申请人"],
  ["activists", "入党积极分子"],
  ["developmentTargets", "发展对象"],
  ["probationary", "预备党员"],
  ["converted", "转为正式党员"],
];

export function percent(fraction, digits = 1) {
  if (fraction === null || fraction === undefined) return "—";
  return `${(fraction * 100).toFixed(digits)}%`;
}

const DAY = 86_400_000;

function day(text) {
  const [y, m, d] = text.split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

export function todayText() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** How much of the period has passed on `on` (inclusive of both ends), between 0 and 1. */
export function elapsed(period, on = todayText()) {
  const start = day(period.startsOn);
  const end = day(period.endsOn);
  const length = (end - start) / DAY + 1;
  const passed = (day(on) - start) / DAY + 1;
  return Math.min(1, Math.max(0, passed / length));
}

/**
 * Where a line stands against the even pace of its period: admissions expected by `on` if the
 * unit's plan (the places it received; for the commission, what it issued) were used evenly
 * over the period. "behind" when fewer were admitted than that (rounded down), "over" beyond
 * the plan.
 */
export function pace(line, period, on = todayText()) {
  const plan = line.plan;
  const expected = Math.floor(plan * elapsed(period, on));
  if (line.admitted > plan) {
    return { status: "over", expected, gap: line.admitted - plan, label: "超计划" };
  }
  if (line.admitted < expected) {
    return { status: "behind", expected, gap: expected - line.admitted, label: "落后进度" };
  }
  return { status: "ok", expected, gap: 0, label: "正常" };
}

export const STATUS_TAGS = { ok: "success", behind: "warning", over: "danger" };

export function shortDate(text) {
  return text ? text.slice(0, 10) : "—";
}

export function dateTime(text) {
  return text ? text.replace("T", " ").slice(0, 16) : "—";
}
