// Warnings: filtered by kind, unit and status, acknowledged with a note. The filters live in
// the address (`#/warnings?under=…&kind=…&status=…`), so a filtered list can be shared.

import { WARNING_KINDS, WARNING_STATUSES, dateTime, shortDate } from "../format.js";
import { href } from "../router.js";

const { inject, ref, reactive, computed, onMounted } = Vue;
const PAGE = 50;

export const WarningsPage = {
  name: "WarningsPage",
  setup() {
    const store = inject("store");
    const query = store.route.query;
    const filters = reactive({
      under: query.under || null,
      kind: query.kind || null,
      status: query.status === undefined ? "OPEN" : query.status || null,
    });
    const items = ref([]);
    const total = ref(0);
    const next = ref(null);
    const loading = ref(false);
    const units = ref([]);
    const dialog = reactive({ open: false, warning: null, note: "", error: "", saving: false });

    const fetchPage = async (after = null) => {
      loading.value = true;
      try {
        const data = await store.api.call("warnings", {
          under: filters.under,
          kind: filters.kind,
          status: filters.status,
          first: PAGE,
          after,
        });
        const page = data.warnings;
        items.value = after ? items.value.concat(page.edges.map((e) => e.node)) : page.edges.map((e) => e.node);
        total.value = page.totalCount;
        next.value = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } catch (error) {
        store.error = error.message;
      } finally {
        loading.value = false;
      }
    };
    const apply = () => {
      history.replaceState(null, "", href("warnings", null, { ...filters, status: filters.status || "" }));
      fetchPage();
    };
    // The units to filter by: the person's own unit and the units directly below it.
    const loadUnits = async () => {
      if (!store.home.id) return;
      const data = await store.api.call("children", { unitId: store.home.id });
      const home = data.unit;
      units.value = [{ id: home.id, name: home.name }, ...home.children.edges.map((e) => e.node)];
      if (filters.under && !units.value.some((u) => u.id === filters.under)) {
        units.value.push({ id: filters.under, name: "（当前单位）" });
      }
    };
    onMounted(() => {
      fetchPage();
      loadUnits().catch((error) => (store.error = error.message));
    });

    const acknowledge = (warning) => {
      Object.assign(dialog, { open: true, warning, note: "", error: "", saving: false });
    };
    const confirm = async () => {
      dialog.saving = true;
      dialog.error = "";
      try {
        const data = await store.api.call("acknowledge-warning", {
          warningId: dialog.warning.id,
          note: dialog.note || null,
        });
        const result = data.acknowledgeWarning;
        if (result.errors.length) {
          dialog.error = result.errors.map((e) => e.message).join("；");
          return;
        }
        Object.assign(dialog.warning, result.warning);
        dialog.open = false;
        ElementPlus.ElMessage.success("已标记为已知悉");
      } catch (error) {
        dialog.error = error.message;
      } finally {
        dialog.saving = false;
      }
    };
    const kinds = computed(() => Object.entries(WARNING_KINDS));
    const statuses = computed(() => Object.entries(WARNING_STATUSES));
    return {
      store, filters, items, total, next, loading, units, dialog, kinds, statuses,
      apply, fetchPage, acknowledge, confirm, href, WARNING_KINDS, WARNING_STATUSES, dateTime, shortDate,
    };
  },
  template: `
    <div class="panel" v-loading="loading">
      <div class="toolbar">
        <h3 style="margin: 0">预警</h3>
        <el-select v-model="filters.kind" placeholder="全部类型" clearable style="width: 160px" @change="apply" data-test="filter-kind">
          <el-option v-for="[value, label] in kinds" :key="value" :label="label" :value="value" />
        </el-select>
        <el-select v-model="filters.under" placeholder="全部单位" clearable filterable style="width: 220px" @change="apply" data-test="filter-unit">
          <el-option v-for="u in units" :key="u.id" :label="u.name" :value="u.id" />
        </el-select>
        <el-select v-model="filters.status" placeholder="全部状态" clearable style="width: 130px" @change="apply" data-test="filter-status">
          <el-option v-for="[value, label] in statuses" :key="value" :label="label" :value="value" />
        </el-select>
        <span class="spacer"></span>
        <span data-test="warning-total">共 {{ total }} 条</span>
      </div>
      <el-table :data="items" size="small" stripe data-test="warnings">
        <el-table-column label="类型" width="130"><template #default="{ row }">{{ WARNING_KINDS[row.kind] }}</template></el-table-column>
        <el-table-column label="单位" width="220">
          <template #default="{ row }"><a :href="href('units', row.unitId)">{{ row.unitName }}</a></template>
        </el-table-column>
        <el-table-column prop="message" label="内容" min-width="320" />
        <el-table-column label="扫描日期" width="110"><template #default="{ row }">{{ shortDate(row.seenOn) }}</template></el-table-column>
        <el-table-column label="状态" width="200">
          <template #default="{ row }">
            <el-tag size="small" :type="row.status === 'OPEN' ? 'danger' : row.status === 'ACKNOWLEDGED' ? 'info' : 'success'">{{ WARNING_STATUSES[row.status] }}</el-tag>
            <div v-if="row.acknowledgement" class="why">{{ row.acknowledgement }}</div>
          </template>
        </el-table-column>
        <el-table-column label="操作" width="100">
          <template #default="{ row }">
            <el-button v-if="row.status === 'OPEN'" size="small" @click="acknowledge(row)" data-test="acknowledge">知悉</el-button>
          </template>
        </el-table-column>
      </el-table>
      <div style="text-align: center; margin-top: 0.75rem" v-if="next">
        <el-button @click="fetchPage(next)">加载更多</el-button>
      </div>
      <el-dialog v-model="dialog.open" title="处理预警" width="520px">
        <p v-if="dialog.warning">{{ dialog.warning.unitName }}：{{ dialog.warning.message }}</p>
        <el-form label-position="top" @submit.prevent="confirm">
          <el-form-item label="处理说明" :error="dialog.error">
            <el-input v-model="dialog.note" type="textarea" :rows="3" maxlength="500" show-word-limit data-test="note" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog.open = false">取消</el-button>
          <el-button type="danger" :loading="dialog.saving" @click="confirm" data-test="confirm">确认知悉</el-button>
        </template>
      </el-dialog>
    </div>
  `,
};
