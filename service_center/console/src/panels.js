// The console's panels, in menu order. A panel is {id, title, capability, render(container, me)}; it is shown to
// roles holding `capability` (null: everyone logged in). A new panel is one entry here and one module in src/.
import {renderAccounts} from "./accounts.js";
import {renderSafety, renderSystem} from "./alerts.js";
import {renderDashboard} from "./dashboard.js";
import {renderBookings, renderCallbacks} from "./desks.js";
import {renderReview} from "./review.js";

export const PANELS = [
  {id: "dashboard", title: "质效看板", capability: "dashboard", render: renderDashboard},
  // every on-duty person sees the safety alerts (docs/safety.md)
  {id: "safety", title: "安全提醒", capability: null, render: renderSafety},
  {id: "bookings", title: "预约台", capability: "bookings", render: renderBookings},
  {id: "callbacks", title: "回电登记", capability: "callbacks", render: renderCallbacks},
  {id: "review", title: "未答问题", capability: "guide", render: renderReview},
  {id: "system", title: "运行状况", capability: "dashboard", render: renderSystem},
  {id: "accounts", title: "账号与令牌", capability: null, render: renderAccounts},
];
