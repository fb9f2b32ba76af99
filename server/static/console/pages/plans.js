// The plan tree of the chosen period from one unit down, each unit's figures on its line,
// and, for those who may subdivide (plan.allocate), allocation, transfer and return. A
// refusal's message is shown beside the field it names (`amounts.total`, `toUnitId`, …).

import { UNIT_KINDS } from "../format.js";
import { href } from "../router.js";

const { inject, ref, reactive, computed, watch, onMounted } = Vue;

const FORMS = {
  allocate: { document: "allocate-quota", mutation: "allocateQuota", title: "分解", done: "已分解" },
  transfer: { document: "transfer-quota", mutation: "transferQuota", title: "调剂", done: "已调剂" },
  return: { document: "return-quota", mutation: "returnQuota", title: "收回", done: "已收回" },
};

function treeRow(line) {
  return {
    ...line,
    id: line.unit ? line.unit.id : `line-${line.position}`,
    hasChildren: Boolean(line.unit) && line.unit.kind !== "BRANCH",
  };
}

function emptyForm() {
  return {
    toUnitId: null,
    fromUnitId: null,
    unitId: null,
    amounts: { total: 0, students: 0, staff: 0, highKnowledge: 0 },
    documentNo: "",
    reason: "",
    note: "",
  };
}

export const PlansPage = {
  name: "PlansPage",
  setup() {
    const store = inject("store");
    const plan = ref(null);
    const loading = ref(false);
    const tableKey = ref(0);
    const tab = ref("allocate");
    const form = reactive(emptyForm());
    const errors = reactive({});
    const formError = ref("");
    const saving = ref(false);
    const unitId = computed(() => store.route.id);

    const canAllocate = computed(() => {
      const allowed = new Set(store.me.roleBindings.map((b) => b.role));
      return store.roles.some((r) => allowed.has(r.name) && r.permissions.includes("plan.allocate"));
    });
    const load = async () => {
      if (!unitId.value || !store.periodId) return;
      loading.value = true;
      try {
        const data = await store.api.call("plan", { unitId: unitId.value, periodId: store.periodId });
        plan.value = data.plan;
        tableKey.value += 1; // the lazy tree forgets the rows it expanded under the old figures
      } catch (error) {
        store.error = error.message;
        plan.value = null;
      } finally {
        loading.value = false;
      }
    };
    onMounted(load);
    watch(() => store.periodId, load);

    const rows = computed(() => (plan.value ? plan.value.children.map(treeRow) : []));
    // The commission issues its plan to schools (issuePlan); it receives nothing to subdivide.
    const isCommission = computed(() => Boolean(plan.value) && plan.value.line.unit && plan.value.line.unit.kind === "COMMISSION");
    const children = computed(() => rows.value.filter((r) => r.unit));
    const loadChildren = async (row, _node, resolve) => {
      try {
        const data = await store.api.call("plan", { unitId: row.unit.id, periodId: store.periodId });
        resolve(data.plan.children.map(treeRow));
      } catch (error) {
        store.error = error.message;
        resolve([]);
      }
    };

    const clearErrors = () => {
      for (const key of Object.keys(errors)) delete errors[key];
      formError.value = "";
    };
    const input = () => {
      const common = {
        periodId: store.periodId,
        amounts: { ...form.amounts },
        documentNo: form.documentNo || null,
      };
      if (tab.value === "allocate") {
        return { ...common, fromUnitId: unitId.value, toUnitId: form.toUnitId, targets: [], note: form.note || null };
      }
      if (tab.value === "transfer") {
        return { ...common, fromUnitId: form.fromUnitId, toUnitId: form.toUnitId, reason: form.reason, documentNo: form.documentNo };
      }
      return { ...common, unitId: form.unitId, reason: form.reason, documentNo: form.documentNo };
    };
    const submit = async () => {
      clearErrors();
      const spec = FORMS[tab.value];
      saving.value = true;
      try {
        const data = await store.api.call(spec.document, { input: input() });
        const result = data[spec.mutation];
        if (result.errors.length) {
          for (const error of result.errors) {
            if (error.field) errors[error.field] = errors[error.field] ? `${errors[error.field]}；${error.message}` : error.message;
            else formError.value = error.message;
          }
          return;
        }
        ElementPlus.ElMessage.success(spec.done);
        Object.assign(form, emptyForm());
        await load();
      } catch (error) {
        formError.value = error.message;
      } finally {
        saving.value = false;
      }
    };
    watch(tab, clearErrors);
    return {
      store, plan, loading, rows, children, loadChildren, tableKey, tab, form, errors, formError, saving,
      canAllocate, isCommission, submit, href, UNIT_KINDS, FORMS,
    };
  },
  template: `
    <div v-loading="loading">
      <template v-if="plan">
        <div class="cards">
          <template v-if="isCommission">
            <div class="card"><div class="label">已下达</div><div class="value" data-test="handed-down">{{ plan.line.handedDown.total }}</div></div>
          </template>
          <template v-else>
            <div class="card"><div class="label">计划数（收到）</div><div class="value" data-test="received">{{ plan.line.received.total }}</div></div>
            <div class="card"><div class="label">已分解</div><div class="value" data-test="handed-down">{{ plan.line.handedDown.total }}</div></div>
            <div class="card"><div class="label">预留</div><div class="value">{{ plan.line.reserve.total }}</div></div>
            <div class="card"><div class="label">可分解</div><div class="value" data-test="available">{{ plan.line.available.total }}</div></div>
          </template>
          <div class="card"><div class="label">下级预计数合计</div><div class="value">{{ plan.childrenForecast.total }}</div></div>
          <div class="card"><div class="label">已发展</div><div class="value">{{ plan.line.admitted }}</div></div>
        </div>
        <div class="panel">
          <div class="toolbar">
            <h3 style="margin: 0">{{ plan.line.unitName }} · 计划分解</h3>
            <span class="spacer"></span>
            <a :href="href('units', store.route.id)">执行情况</a>
          </div>
          <el-table :key="tableKey" :data="rows" row-key="id" lazy :load="loadChildren" border size="small"
                    :tree-props="{ children: 'children', hasChildren: 'hasChildren' }" data-test="plan-tree">
            <el-table-column label="单位" min-width="240">
              <template #default="{ row }">
                <a v-if="row.unit" :href="href('plans', row.unit.id)">{{ row.unitName }}</a><span v-else>{{ row.unitName }}</span>
                <el-tag v-if="row.unit" size="small" type="info" style="margin-left: 6px">{{ UNIT_KINDS[row.unit.kind] }}</el-tag>
              </template>
            </el-table-column>
            <el-table-column prop="received.total" label="计划数" width="90" align="right" />
            <el-table-column label="其中学生/教职工/高知" width="170" align="center">
              <template #default="{ row }">{{ row.received.students }} / {{ row.received.staff }} / {{ row.received.highKnowledge }}</template>
            </el-table-column>
            <el-table-column prop="handedDown.total" label="已分解" width="90" align="right" />
            <el-table-column prop="reserve.total" label="预留" width="80" align="right" />
            <el-table-column prop="available.total" label="可分解" width="90" align="right" />
            <el-table-column prop="forecast.amounts.total" label="预计数" width="90" align="right" />
            <el-table-column prop="admitted" label="已发展" width="90" align="right" />
            <el-table-column label="备注" min-width="160"><template #default="{ row }">{{ row.forecast.remark || '' }}</template></el-table-column>
          </el-table>
        </div>
        <div class="panel" v-if="canAllocate && !isCommission && children.length" data-test="quota-forms">
          <el-tabs v-model="tab">
            <el-tab-pane v-for="(spec, name) in FORMS" :key="name" :label="spec.title" :name="name" />
          </el-tabs>
          <el-alert v-if="formError" :title="formError" type="error" show-icon :closable="false" style="margin-bottom: 0.75rem" data-test="form-error" />
          <el-form label-width="120px" style="max-width: 640px" @submit.prevent="submit">
            <el-form-item v-if="tab === 'transfer'" label="调出单位" :error="errors.fromUnitId">
              <el-select v-model="form.fromUnitId" placeholder="选择下级单位" data-test="from-unit">
                <el-option v-for="c in children" :key="c.id" :label="c.unitName" :value="c.unit.id" />
              </el-select>
            </el-form-item>
            <el-form-item v-if="tab !== 'return'" :label="tab === 'allocate' ? '分解给' : '调入单位'" :error="errors.toUnitId">
              <el-select v-model="form.toUnitId" placeholder="选择下级单位" data-test="to-unit">
                <el-option v-for="c in children" :key="c.id" :label="c.unitName" :value="c.unit.id" />
              </el-select>
            </el-form-item>
            <el-form-item v-else label="收回自" :error="errors.unitId">
              <el-select v-model="form.unitId" placeholder="选择下级单位" data-test="return-unit">
                <el-option v-for="c in children" :key="c.id" :label="c.unitName" :value="c.unit.id" />
              </el-select>
            </el-form-item>
            <el-form-item label="名额总数" :error="errors['amounts.total'] || errors.amounts" data-test="amount-total-item">
              <el-input-number v-model="form.amounts.total" :min="0" :max="100000" data-test="amount-total" />
            </el-form-item>
            <el-form-item label="其中学生" :error="errors['amounts.students']">
              <el-input-number v-model="form.amounts.students" :min="0" :max="100000" />
            </el-form-item>
            <el-form-item label="其中教职工" :error="errors['amounts.staff']">
              <el-input-number v-model="form.amounts.staff" :min="0" :max="100000" />
            </el-form-item>
            <el-form-item label="其中高知识群体" :error="errors['amounts.highKnowledge']">
              <el-input-number v-model="form.amounts.highKnowledge" :min="0" :max="100000" />
            </el-form-item>
            <el-form-item label="文号" :error="errors.documentNo">
              <el-input v-model="form.documentNo" maxlength="100" :placeholder="tab === 'allocate' ? '选填' : '必填'" data-test="document-no" />
            </el-form-item>
            <el-form-item v-if="tab !== 'allocate'" label="理由" :error="errors.reason">
              <el-input v-model="form.reason" type="textarea" :rows="2" maxlength="500" data-test="reason" />
            </el-form-item>
            <el-form-item v-else label="说明" :error="errors.note">
              <el-input v-model="form.note" maxlength="500" />
            </el-form-item>
            <el-form-item>
              <el-button type="danger" native-type="submit" :loading="saving" data-test="submit-quota">{{ FORMS[tab].title }}</el-button>
            </el-form-item>
          </el-form>
        </div>
      </template>
    </div>
  `,
};
