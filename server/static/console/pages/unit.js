// One unit's execution in the chosen period, the same page at every level: the province
// overview at the commission (one row per school), then school → committee → branch. Where
// the units below are branches (a 党总支 may stand among them, as in Chongqing's table), the
// seed's branch table (序号, 名称, 预计数, 备注) is shown too.

import { EChart, completionOption, monthsOption, pipelineOption, yearsOption } from "../charts.js";
import {
  INDICATORS,
  STATUS_TAGS,
  UNIT_KINDS,
  WARNING_KINDS,
  percent,
  pace,
  shortDate,
} from "../format.js";
import { href } from "../router.js";

const { inject, ref, computed, watch, onMounted } = Vue;

function ancestorsOf(unit) {
  const chain = [];
  for (let up = unit.parent; up; up = up.parent) chain.unshift(up);
  return chain;
}

function row(line, period) {
  const standing = pace(line, period);
  const warnings = line.openWarnings || [];
  return {
    ...line,
    receivedTotal: line.received.total,
    handedDownTotal: line.handedDown.total,
    reserveTotal: line.reserve.total,
    completion: line.completionRate || 0,
    standing,
    paceGap: standing.status === "behind" ? -standing.gap : standing.gap,
    warnings,
    warningCount: warnings.reduce((sum, w) => sum + w.count, 0),
  };
}

export const UnitPage = {
  name: "UnitPage",
  components: { EChart },
  setup() {
    const store = inject("store");
    const rollup = ref(null);
    const branchPlan = ref(null);
    const warnings = ref([]);
    const loading = ref(false);
    const onlyBehind = ref(false);
    const unitId = computed(() => store.route.id);

    const load = async () => {
      if (!unitId.value || !store.periodId) return;
      loading.value = true;
      try {
        const variables = { unitId: unitId.value, periodId: store.periodId };
        const [data, open] = await Promise.all([
          store.api.call("rollup", variables),
          store.api.call("warnings", { under: unitId.value, status: "OPEN", first: 10 }),
        ]);
        rollup.value = data.rollup;
        warnings.value = open.warnings;
        const children = data.rollup.children;
        branchPlan.value =
          children.some((c) => c.unitKind === "BRANCH")
            ? (await store.api.call("plan", variables)).plan
            : null;
      } catch (error) {
        store.error = error.message;
        rollup.value = null;
      } finally {
        loading.value = false;
      }
    };
    onMounted(load);
    watch(() => store.periodId, load);

    const period = computed(() => store.period);
    const line = computed(() => rollup.value && row(rollup.value.line, period.value));
    const rows = computed(() => {
      if (!rollup.value) return [];
      const all = rollup.value.children.map((c) => row(c, period.value));
      return onlyBehind.value ? all.filter((r) => r.standing.status === "behind") : all;
    });
    const behindCount = computed(
      () => rollup.value && rollup.value.children.filter((c) => pace(c, period.value).status === "behind").length,
    );
    const ancestors = computed(() => (rollup.value ? ancestorsOf(rollup.value.unit) : []));
    const charts = computed(() => {
      if (!rollup.value) return null;
      return {
        months: monthsOption(rollup.value, period.value),
        completion: completionOption(rollup.value.children),
        pipeline: pipelineOption(rollup.value.line),
        years: yearsOption(rollup.value.years),
      };
    });
    const branchRows = computed(() => (branchPlan.value ? branchPlan.value.children : []));
    const branchTotal = computed(() => branchRows.value.reduce((s, l) => s + l.forecast.amounts.total, 0));
    const open = (r) => {
      location.hash = href("units", r.unitId);
    };
    const targetText = (t) =>
      t.minCount !== null && t.minCount !== undefined ? `不少于 ${t.minCount} 名` : `不低于 ${percent(t.minShare, 0)}`;
    return {
      store, rollup, line, rows, loading, onlyBehind, behindCount, ancestors, charts, warnings,
      branchPlan, branchRows, branchTotal, open, href, percent, shortDate, targetText,
      INDICATORS, STATUS_TAGS, UNIT_KINDS, WARNING_KINDS,
    };
  },
  template: `
    <div v-loading="loading">
      <div class="toolbar" v-if="rollup">
        <el-breadcrumb separator="/" data-test="breadcrumb">
          <el-breadcrumb-item v-for="a in ancestors" :key="a.id">
            <a :href="href('units', a.id)">{{ a.name }}</a>
          </el-breadcrumb-item>
          <el-breadcrumb-item>{{ rollup.unit.name }}</el-breadcrumb-item>
        </el-breadcrumb>
        <el-tag size="small" type="info">{{ UNIT_KINDS[rollup.unit.kind] }}</el-tag>
        <span class="spacer"></span>
        <a :href="href('warnings', null, { under: rollup.unit.id })">本单位预警</a>
        <a :href="href('plans', rollup.unit.id)">计划分解</a>
      </div>
      <template v-if="rollup">
        <div class="cards" data-test="cards">
          <div class="card"><div class="label">{{ rollup.unit.kind === 'COMMISSION' ? '计划数（下达）' : '计划数' }}</div><div class="value" data-test="plan">{{ line.plan }}</div></div>
          <div class="card"><div class="label">已分解</div><div class="value">{{ line.handedDownTotal }}</div></div>
          <div class="card"><div class="label">预留</div><div class="value">{{ line.reserveTotal }}</div></div>
          <div class="card"><div class="label">已发展</div><div class="value" data-test="admitted">{{ line.admitted }}</div>
            <div class="hint">另有高层次人才单列 {{ line.admittedExempt }} 名</div></div>
          <div class="card"><div class="label">完成率</div><div class="value">{{ percent(line.completionRate) }}</div></div>
          <div class="card"><div class="label">均衡进度应发展</div><div class="value">{{ line.standing.expected }}</div>
            <div class="hint" :class="'status-' + line.standing.status">{{ line.standing.label }}<template v-if="line.standing.gap"> {{ line.standing.gap }} 名</template></div></div>
          <div class="card"><div class="label">在程合规问题</div><div class="value">{{ line.openFindings }}</div></div>
        </div>

        <div class="panel" v-if="rollup.children.length">
          <div class="toolbar">
            <h3 style="margin: 0">下级单位执行情况</h3>
            <el-tag v-if="behindCount" type="warning" data-test="behind-count">{{ behindCount }} 个单位落后进度</el-tag>
            <span class="spacer"></span>
            <el-checkbox v-model="onlyBehind" data-test="only-behind">只看落后进度</el-checkbox>
          </div>
          <el-table :data="rows" stripe border size="small" row-class-name="row-link" @row-click="open"
                    :default-sort="{ prop: 'paceGap', order: 'ascending' }" data-test="children">
            <el-table-column prop="unitName" label="单位" min-width="180" fixed sortable>
              <template #default="{ row }"><a :href="href('units', row.unitId)" @click.stop>{{ row.unitName }}</a></template>
            </el-table-column>
            <el-table-column prop="plan" label="计划数" width="80" sortable align="right" />
            <el-table-column prop="handedDownTotal" label="已分解" width="80" sortable align="right" />
            <el-table-column prop="reserveTotal" label="预留" width="70" sortable align="right" />
            <el-table-column prop="admitted" label="已发展" width="80" sortable align="right" />
            <el-table-column prop="completion" label="完成率" width="150" sortable>
              <template #default="{ row }">
                <el-progress :percentage="Math.min(100, Math.round(row.completion * 100))"
                  :status="row.standing.status === 'over' ? 'exception' : row.standing.status === 'ok' ? 'success' : 'warning'"
                  :format="() => percent(row.completionRate)" />
              </template>
            </el-table-column>
            <el-table-column prop="paceGap" label="进度" width="130" sortable>
              <template #default="{ row }">
                <el-tag :type="STATUS_TAGS[row.standing.status]" size="small" :data-test="'pace-' + row.standing.status">
                  {{ row.standing.label }}<template v-if="row.standing.gap"> {{ row.standing.gap }}</template>
                </el-tag>
              </template>
            </el-table-column>
            <el-table-column label="结构" align="center">
              <el-table-column prop="structure.students" label="学生" width="60" align="right" />
              <el-table-column prop="structure.staff" label="教职工" width="70" align="right" />
              <el-table-column prop="structure.highKnowledge" label="高知" width="60" align="right" />
              <el-table-column prop="structure.women" label="女性" width="60" align="right" />
              <el-table-column prop="structure.ethnicMinority" label="少数民族" width="80" align="right" />
            </el-table-column>
            <el-table-column label="梯队" align="center">
              <el-table-column prop="pipeline.activists" label="积极分子" width="80" align="right" />
              <el-table-column prop="pipeline.developmentTargets" label="发展对象" width="80" align="right" />
            </el-table-column>
            <el-table-column prop="warningCount" label="未处理预警" min-width="290" sortable>
              <template #default="{ row }">
                <el-tag v-for="w in row.warnings" :key="w.kind" size="small" type="danger" effect="plain" style="margin: 1px">
                  {{ WARNING_KINDS[w.kind] }} {{ w.count }}
                </el-tag>
                <span v-if="!row.warnings.length" class="why">无</span>
              </template>
            </el-table-column>
          </el-table>
        </div>

        <div class="panel" v-if="branchPlan" data-test="branch-table">
          <h3>各党支部预计发展党员数量</h3>
          <el-table :data="branchRows" border size="small" show-summary :summary-method="() => ['合计', '', String(branchTotal), '']">
            <el-table-column prop="position" label="序号" width="70" align="center" />
            <el-table-column prop="unitName" label="支部名称" min-width="200" />
            <el-table-column label="预计发展党员数量" width="160" align="right">
              <template #default="{ row }">{{ row.forecast.amounts.total }}</template>
            </el-table-column>
            <el-table-column label="备注" min-width="200">
              <template #default="{ row }">{{ row.forecast.remark || '' }}</template>
            </el-table-column>
          </el-table>
        </div>

        <div class="charts" v-if="charts">
          <div class="panel"><h3>逐月发展与均衡进度</h3><EChart :option="charts.months" label="逐月发展与均衡进度" /></div>
          <div class="panel" v-if="rollup.children.length"><h3>各单位完成率</h3><EChart :option="charts.completion" label="各单位完成率" /></div>
          <div class="panel"><h3>发展梯队</h3><EChart :option="charts.pipeline" label="发展梯队" /></div>
          <div class="panel"><h3>历年对比</h3><EChart :option="charts.years" label="历年对比" /></div>
        </div>

        <div class="panel" v-if="rollup.targets.length">
          <h3>结构性要求</h3>
          <el-table :data="rollup.targets" size="small" border>
            <el-table-column label="指标" width="180"><template #default="{ row }">{{ INDICATORS[row.indicator] }}</template></el-table-column>
            <el-table-column label="要求" width="160"><template #default="{ row }">{{ targetText(row) }}</template></el-table-column>
            <el-table-column prop="actual" label="实际" width="80" align="right" />
            <el-table-column label="占比" width="90" align="right"><template #default="{ row }">{{ percent(row.share) }}</template></el-table-column>
            <el-table-column label="达标" width="90"><template #default="{ row }"><el-tag size="small" :type="row.met ? 'success' : 'danger'">{{ row.met ? '达标' : '未达标' }}</el-tag></template></el-table-column>
          </el-table>
        </div>

        <div class="panel">
          <div class="toolbar">
            <h3 style="margin: 0">未处理预警（{{ warnings.totalCount }}）</h3>
            <span class="spacer"></span>
            <a :href="href('warnings', null, { under: rollup.unit.id, status: 'OPEN' })">全部预警</a>
          </div>
          <el-table :data="warnings.edges.map(e => e.node)" size="small" data-test="unit-warnings">
            <el-table-column label="类型" width="130"><template #default="{ row }">{{ WARNING_KINDS[row.kind] }}</template></el-table-column>
            <el-table-column prop="unitName" label="单位" width="200" />
            <el-table-column prop="message" label="内容" min-width="300" />
            <el-table-column label="扫描日期" width="110"><template #default="{ row }">{{ shortDate(row.seenOn) }}</template></el-table-column>
          </el-table>
        </div>
      </template>
    </div>
  `,
};
