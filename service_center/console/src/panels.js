// The console's panels, in menu order. A panel is {id, title, capability, render(container, me)}; it is shown to
// roles holding `capability` (null: everyone logged in). EXTRA PANELS GO HERE: crisis events
// (/api/staff/safety/events), the holiday calendar (/api/staff/calendar/...), process health and crash counts
// each become one entry with its own module in src/, and their figures can join the dashboard as tables.
import {renderAccounts} from "./accounts.js";
import {renderDashboard} from "./dashboard.js";
import {renderBookings, renderCallbacks} from "./desks.js";
import {renderReview} from "./review.js";

export const PANELS = [
  {id: "dashboard", title: "质效看板", capability: "dashboard", render: renderDashboard},
  {id: "bookings", title: "预约台", capability: "bookings", render: renderBookings},
  {id: "callbacks", title: "回电登记", capability: "callbacks", render: renderCallbacks},
  {id: "review", title: "未答问题", capability: "guide", render: renderReview},
  {id: "accounts", title: "账号与令牌", capability: null, render: renderAccounts},
];
