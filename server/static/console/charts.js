// ECharts on the page: one component for every chart, and the options of each chart built
// from the roll-up as the API returns it.

import { PIPELINE, elapsed } from "./format.js";

const { h, onMounted, onBeforeUnmount, ref, watch } = Vue;

const RED = "#b91c1c";
const GREY = "#9ca3af";

export const EChart = {
  name: "EChart",
  props: { option: { type: Object, required: true }, label: { type: String, default: "" } },
  setup(props) {
    const element = ref(null);
    let chart = null;
    const resize = () => chart && chart.resize();
    onMounted(() => {
      chart = echarts.init(element.value, null, { renderer: "canvas" });
      chart.setOption(props.option, true);
      window.addEventListener("resize", resize);
    });
    watch(
      () => props.option,
      (option) => chart && chart.setOption(option, true),
    );
    onBeforeUnmount(() => {
      window.removeEventListener("resize", resize);
      if (chart) chart.dispose();
    });
    return () => h("div", { ref: element, class: "chart", role: "img", "aria-label": props.label });
  },
};

function lastDayOfMonth(monthText) {
  const [y, m] = monthText.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${monthText.slice(0, 7)}-${String(last).padStart(2, "0")}`;
}

/** Admissions month by month, the running total, and the even pace of the period. */
export function monthsOption(rollup, period) {
  const months = rollup.months.map((m) => m.month.slice(0, 7));
  const plan = rollup.line.plan;
  const pace = rollup.months.map((m) =>
    Math.round(plan * elapsed(period, lastDayOfMonth(m.month)) * 10) / 10,
  );
  return {
    tooltip: { trigger: "axis" },
    legend: { data: ["当月发展", "累计发展", "均衡进度线"] },
    grid: { left: 40, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "当月发展", type: "bar", data: rollup.months.map((m) => m.admitted), color: "#f87171" },
      { name: "累计发展", type: "line", data: rollup.months.map((m) => m.admittedToDate), color: RED },
      {
        name: "均衡进度线",
        type: "line",
        data: pace,
        color: GREY,
        lineStyle: { type: "dashed" },
        symbol: "none",
      },
    ],
  };
}

/** Completion of each unit directly below (admitted over its plan), in percent. */
export function completionOption(children) {
  const rows = children.filter((c) => c.plan > 0);
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
    grid: { left: 40, right: 20, top: 20, bottom: 80 },
    xAxis: {
      type: "category",
      data: rows.map((c) => c.unitName),
      axisLabel: { rotate: 35, interval: 0, fontSize: 11 },
    },
    yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
    series: [
      {
        name: "完成率",
        type: "bar",
        color: RED,
        data: rows.map((c) => Math.round((c.completionRate || 0) * 1000) / 10),
      },
    ],
  };
}

/** The pipeline by stage, as it stands. */
export function pipelineOption(line) {
  return {
    tooltip: { trigger: "item", formatter: "{b}：{c} 人" },
    series: [
      {
        name: "发展梯队",
        type: "funnel",
        sort: "none",
        left: "10%",
        width: "80%",
        minSize: "20%",
        label: { position: "inside", formatter: "{b}  {c}", color: "#111827" },
        data: PIPELINE.map(([key, label]) => ({ name: label, value: line.pipeline[key] })),
        color: ["#fecaca", "#fca5a5", "#f87171", "#dc2626", "#991b1b"],
      },
    ],
  };
}

/** This period and the ones before it: the plan and the admissions. */
export function yearsOption(years) {
  const rows = [...years].reverse();
  return {
    tooltip: { trigger: "axis" },
    legend: { data: ["计划数", "已发展"] },
    grid: { left: 40, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: rows.map((y) => y.period.name) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "计划数", type: "bar", data: rows.map((y) => y.plan), color: GREY },
      { name: "已发展", type: "bar", data: rows.map((y) => y.admitted), color: RED },
    ],
  };
}
