// The console's start: configuration, sign-in, the signed-in person's session, the hash
// router and the page shell. Each page is a module of pages/.

import { Api } from "./api.js";
import { Auth, SignInError } from "./auth.js";
import { href, parseRoute } from "./router.js";
import { todayText } from "./format.js";
import { PlansPage } from "./pages/plans.js";
import { ReportsPage } from "./pages/reports.js";
import { SignInPage } from "./pages/sign-in.js";
import { UnitPage } from "./pages/unit.js";
import { WarningsPage } from "./pages/warnings.js";

const { createApp, reactive, computed, provide, onMounted, onBeforeUnmount } = Vue;

/** The period a person most likely means: the one under way today, else the latest issued. */
function defaultPeriod(periods) {
  const today = todayText();
  const live = periods.filter((p) => p.state !== "DRAFT");
  const current = live.find((p) => p.startsOn <= today && today <= p.endsOn);
  return (current || live[0] || periods[0] || { id: null }).id;
}

/** The unit to start from: the highest one where the person holds a role. */
function homeUnit(bindings) {
  const units = bindings.map((b) => b.unit).filter(Boolean);
  units.sort((a, b) => a.depth - b.depth || Number(a.id > b.id) - Number(a.id < b.id));
  return units[0] || null;
}

const PAGES = { units: UnitPage, warnings: WarningsPage, plans: PlansPage, reports: ReportsPage };

const Shell = {
  name: "Shell",
  setup() {
    const store = Vue.inject("store");
    const route = computed(() => store.route);
    const page = computed(() => PAGES[store.route.name] || null);
    const periodId = computed({
      get: () => store.periodId,
      set: (value) => {
        store.periodId = value;
        sessionStorage.setItem("partyplan.console.period", value);
      },
    });
    const nav = [
      ["units", "执行情况"],
      ["warnings", "预警"],
      ["plans", "计划分解"],
      ["reports", "执行情况报告"],
    ];
    const signOut = async () => {
      await store.auth.signOut();
      store.me = null;
      location.hash = "#/";
    };
    return { store, route, page, periodId, nav, signOut, href };
  },
  template: `
    <header class="shell-header">
      <span class="title">发展党员指导性计划管理平台</span>
      <nav>
        <a v-for="[name, label] in nav" :key="name"
           :href="href(name, name === 'units' || name === 'plans' ? store.home.id : null)"
           :class="{ active: route.name === name }" :data-nav="name">{{ label }}</a>
      </nav>
      <div class="who">
        <el-select v-model="periodId" size="small" style="width: 190px" aria-label="计划期" data-test="period">
          <el-option v-for="p in store.periods" :key="p.id" :label="p.name" :value="p.id" />
        </el-select>
        <span data-test="who">{{ store.me.user.displayName }}</span>
        <el-button size="small" @click="signOut">退出</el-button>
      </div>
    </header>
    <main class="shell-main">
      <el-alert v-if="store.error" :title="store.error" type="error" show-icon :closable="true"
                @close="store.error = null" style="margin-bottom: 0.75rem" />
      <el-empty v-if="!store.periodId" description="尚无计划期" />
      <component v-else-if="page" :is="page" :key="route.name + ':' + (route.id || '')" />
      <el-empty v-else description="没有这个页面" />
    </main>
  `,
};

const Root = {
  name: "Root",
  components: { Shell, SignInPage },
  setup() {
    const store = Vue.inject("store");
    const onHash = () => {
      store.route = parseRoute(location.hash);
      if (store.me && (!store.route.name || !store.route.id) && ["", "units", "plans"].includes(store.route.name)) {
        location.replace(href(store.route.name || "units", store.home.id, store.route.query));
      }
    };
    onMounted(() => window.addEventListener("hashchange", onHash));
    onBeforeUnmount(() => window.removeEventListener("hashchange", onHash));
    return { store };
  },
  template: `
    <p v-if="store.loading" class="booting">正在加载…</p>
    <Shell v-else-if="store.me" />
    <SignInPage v-else />
  `,
};

async function loadSession(store) {
  const data = await store.api.call("session");
  store.me = data.me;
  store.roles = data.roles;
  store.periods = data.planPeriods;
  store.home = homeUnit(data.me.roleBindings) || { id: null, name: "", kind: null };
  const remembered = sessionStorage.getItem("partyplan.console.period");
  store.periodId = data.planPeriods.some((p) => p.id === remembered)
    ? remembered
    : defaultPeriod(data.planPeriods);
  store.route = parseRoute(location.hash);
  if (!store.route.name || (["units", "plans"].includes(store.route.name) && !store.route.id)) {
    location.replace(href(store.route.name || "units", store.home.id));
    store.route = parseRoute(location.hash);
  }
}

async function boot() {
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  // Signing in returns to the registered address: start from it, or the code would come back
  // to another origin than the one holding this tab's PKCE verifier.
  if (location.origin !== config.origin) {
    location.replace(config.consoleUrl + location.hash);
    return;
  }
  const auth = new Auth(config);
  const store = reactive({
    config,
    auth,
    api: null,
    loading: true,
    me: null,
    roles: [],
    periods: [],
    periodId: null,
    home: { id: null },
    route: parseRoute(location.hash),
    error: null,
    signInError: null,
    period: computed(() => store.periods.find((p) => p.id === store.periodId) || null),
    reload: async () => {
      store.loading = true;
      try {
        await loadSession(store);
      } catch (error) {
        store.signInError = error.message;
      } finally {
        store.loading = false;
      }
    },
  });
  store.api = new Api(config, auth, () => {
    store.me = null;
  });
  const app = createApp(Root);
  app.provide("store", store);
  app.use(ElementPlus, { locale: ElementPlusLocaleZhCn });
  app.config.errorHandler = (error) => {
    store.error = error && error.message ? error.message : String(error);
    console.error(error);
  };
  app.mount("#app");
  try {
    await auth.completeSignIn();
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    store.signInError = error.message;
  }
  if (auth.signedIn) await store.reload();
  store.loading = false;
}

boot().catch((error) => {
  document.getElementById("app").textContent = `控制台无法启动：${error.message}`;
});
