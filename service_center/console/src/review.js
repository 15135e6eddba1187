// 未答问题 (指南编辑): unanswered and "没帮助" questions grouped by similarity; attach a group to an entry as a new
// sample question, mark it as needing a new entry (with a note), or dismiss it; then reload the guide.
import {api} from "./api.js";
import {announce, h} from "./dom.js";

export async function renderReview(container) {
  const list = h("div", {id: "review-groups"});
  const reloadInfo = h("p", {id: "reload-info"});
  const entryList = h("datalist", {id: "guide-entries"});
  container.append(h("h2", {}, "未答问题"),
    h("p", {}, "相似的问题已归为一组。并入已有条目的问句会成为该条目的示例问句，点击“重新加载指南”后生效（不中断服务）。"),
    h("div", {class: "toolbar"},
      h("button", {class: "primary", id: "reload-guide", onclick: reload}, "重新加载指南"),
      h("a", {class: "csv", href: "/api/staff/guide-review/needs-entry.csv", download: ""}, "导出“需新增条目”CSV")),
    reloadInfo, entryList, list);

  async function decide(group, body, label) {
    try {
      await api("/api/staff/guide-review/decisions", {method: "POST", body: {...body,
        unanswered_ids: group.unanswered_ids, feedback_ids: group.feedback_ids}});
      announce(`“${group.question}”${label}。`);
      await load();
    } catch (e) { announce(e.message, true); }
  }

  async function reload() {
    announce("正在重新加载指南，完成前仍使用原索引……");
    try {
      const r = await api("/api/staff/kb/reload", {method: "POST"});
      announce(`指南已重新加载：${r.manifest.entries} 条，用时 ${r.seconds} 秒。`);
      await load();
    } catch (e) { announce(e.message, true); }
  }

  function groupCard(g, index) {
    const id = `g${index}`;
    const entry = h("input", {type: "text", list: "guide-entries", id: `${id}-entry`, value: g.suggested_entry ? g.suggested_entry.id : "",
                              required: true, autocomplete: "off"});
    const question = h("input", {type: "text", id: `${id}-question`, value: g.question, required: true, maxlength: 200});
    const note = h("input", {type: "text", id: `${id}-note`, maxlength: 500, placeholder: "需要什么内容、依据哪条规定"});
    return h("article", {class: "group panel", "aria-labelledby": `${id}-title`, "data-count": g.count},
      h("h3", {id: `${id}-title`}, g.question),
      h("p", {class: "meta"}, `${g.count} 次 · 未能解答 ${g.unanswered_ids.length} · 没帮助 ${g.feedback_ids.length}`,
        g.suggested_entry ? ` · 检索最接近：${g.suggested_entry.title}` : ""),
      g.questions.length > 1 ? h("details", {}, h("summary", {}, `同组问题（${g.questions.length}）`),
        h("ul", {}, g.questions.map((q) => h("li", {}, q)))) : null,
      h("form", {class: "decision", onsubmit: (e) => { e.preventDefault();
        decide(g, {action: "attach", entry_id: entry.value.trim(), question: question.value.trim()}, "已并入条目"); }},
        h("label", {for: `${id}-question`}, "示例问句 "), question,
        h("label", {for: `${id}-entry`}, "并入条目 "), entry,
        h("button", {type: "submit", class: "primary"}, "并入已有条目")),
      h("form", {class: "decision", onsubmit: (e) => { e.preventDefault();
        decide(g, {action: "needs_entry", note: note.value.trim()}, "已记为需新增条目"); }},
        h("label", {for: `${id}-note`}, "说明 "), note,
        h("button", {type: "submit"}, "需新增条目"),
        h("button", {type: "button", onclick: () => decide(g, {action: "dismiss"}, "已不予处理")}, "不予处理")));
  }

  async function load() {
    try {
      const data = await api("/api/staff/guide-review/groups");
      entryList.replaceChildren(...data.entries.map((e) => h("option", {value: e.id}, e.title)));
      reloadInfo.textContent = data.pending_reload
        ? `有 ${data.pending_reload} 个新示例问句尚未生效，请点击“重新加载指南”。` : "所有已并入的示例问句都已生效。";
      list.replaceChildren(...(data.groups.length ? data.groups.map(groupCard) : [h("p", {}, "没有待处理的问题。")]));
    } catch (e) { announce(e.message, true); }
  }
  await load();
}
