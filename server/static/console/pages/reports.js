// The annual execution reports of the chosen period: each school, whether it has submitted by
// the due date (15 Dec for a calendar year), who is late, and the workbooks. Download links
// live a few minutes, so each is asked for afresh when clicked.

import { REPORT_STATUSES, dateTime, todayText } from "../format.js";

const { inject, ref, computed, watch, onMounted } = Vue;
const DONE = new Set(["SUBMITTED", "ACKNOWLEDGED"]);

function standing(report, due, today) {
  if (report && DONE.has(report.status)) {
    const late = report.submittedAt && report.submittedAt.slice(0, 10) > due;
    return late ? ["逾期报送", "warning"] : ["按时报送", "success"];
  }
  return today > due ? ["逾期未报", "danger"] : ["待报送", "info"];
}

async function allReports(api, periodId) {
  const found = [];
  let after = null;
  for (;;) {
    const page = (await api.call("reports", { periodId, first: 200, after })).reports;
    found.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return found;
    after = page.pageInfo.endCursor;
  }
}

export const ReportsPage = {
  name: "ReportsPage",
  setup() {
    const store = inject("store");
    const schools = ref([]);
    const reports = ref([]);
    const loading = ref(false);
    const period = computed(() => store.period);

    const load = async () => {
      if (!store.periodId || !store.home.id) return;
      loading.value = true;
      try {
        const [rollup, found] = await Promise.all([
          store.api.call("rollup", { unitId: store.home.id, periodId: store.periodId }),
          allReports(store.api, store.periodId),
        ]);
        const own = rollup.rollup.line;
        schools.value =
          own.unitKind === "SCHOOL" ? [own] : rollup.rollup.children.filter((c) => c.unitKind === "SCHOOL");
        reports.value = found;
      } catch (error) {
        store.error = error.message;
      } finally {
        loading.value = false;
      }
    };
    onMounted(load);
    watch(() => store.periodId, load);

    const rows = computed(() => {
      const byUnit = new Map(reports.value.map((r) => [r.unitId, r]));
      const today = todayText();
      return schools.value.map((school) => {
        const report = byUnit.get(school.unitId) || null;
        const [label, tag] = standing(report, period.value.reportDueOn, today);
        return { school, report, label, tag };
      });
    });
    const counts = computed(() => {
      const done = rows.value.filter((r) => r.report && DONE.has(r.report.status)).length;
      const late = rows.value.filter((r) => r.tag === "danger" || r.tag === "warning").length;
      return { done, late, all: rows.value.length };
    });
    const isCommission = computed(() => store.home.kind === "COMMISSION");

    // A fresh link, then the browser downloads the workbook (the response is an attachment).
    const downloadReport = async (row) => {
      const fresh = (await allReports(store.api, store.periodId)).find((r) => r.id === row.report.id);
      if (fresh) location.assign(fresh.downloadUrl);
    };
    const downloadProvince = async () => {
      const data = await store.api.call("session");
      const fresh = data.planPeriods.find((p) => p.id === store.periodId);
      if (fresh) location.assign(fresh.downloadUrl);
    };
    return {
      store, period, rows, counts, loading, isCommission, downloadReport, downloadProvince,
      REPORT_STATUSES, dateTime,
    };
  },
  template: `
    <div class="panel" v-loading="loading">
      <div class="toolbar">
        <h3 style="margin: 0">{{ period ? period.name : '' }} 执行情况报告</h3>
        <span class="why" v-if="period">报送截止：{{ period.reportDueOn }}</span>
        <el-tag type="success" data-test="reports-done">已报送 {{ counts.done }} / {{ counts.all }}</el-tag>
        <el-tag type="danger" v-if="counts.late" data-test="reports-late">逾期 {{ counts.late }}</el-tag>
        <span class="spacer"></span>
        <el-button v-if="isCommission" @click="downloadProvince" data-test="download-province">下载各高校执行情况汇总表</el-button>
      </div>
      <el-table :data="rows" size="small" border data-test="reports">
        <el-table-column label="学校" min-width="220"><template #default="{ row }">{{ row.school.unitName }}</template></el-table-column>
        <el-table-column label="报告状态" width="120">
          <template #default="{ row }">{{ row.report ? REPORT_STATUSES[row.report.status] : '未填报' }}</template>
        </el-table-column>
        <el-table-column label="报送时间" width="160"><template #default="{ row }">{{ row.report ? dateTime(row.report.submittedAt) : '—' }}</template></el-table-column>
        <el-table-column label="是否按时" width="120">
          <template #default="{ row }"><el-tag size="small" :type="row.tag">{{ row.label }}</el-tag></template>
        </el-table-column>
        <el-table-column label="退回原因" min-width="160"><template #default="{ row }">{{ row.report && row.report.returnReason || '' }}</template></el-table-column>
        <el-table-column label="工作簿" width="110">
          <template #default="{ row }">
            <el-button v-if="row.report" size="small" link type="danger" @click="downloadReport(row)" data-test="download-report">下载</el-button>
          </template>
        </el-table-column>
      </el-table>
    </div>
  `,
};
