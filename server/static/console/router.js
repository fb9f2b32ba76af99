// Pages are addressed by the hash (`#/units/12?period=…`): the server serves one page, and a
// link to a unit can be bookmarked and shared (the reader still sees only what they may).

/** `#/units/12?kind=X` → { name: "units", id: "12", query: { kind: "X" } }. */
export function parseRoute(hash) {
  const [path, search = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return {
    name: parts[0] || "",
    id: parts[1] || null,
    query: Object.fromEntries(new URLSearchParams(search)),
  };
}

export function href(name, id = null, query = {}) {
  const search = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== null && v !== undefined && v !== ""),
  ).toString();
  return `#/${name}${id ? `/${encodeURIComponent(id)}` : ""}${search ? `?${search}` : ""}`;
}
