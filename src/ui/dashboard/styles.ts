// The page's stylesheet, kept as a module so `tsc` ships it in dist/ with the server (no copy step).
export const DASHBOARD_CSS = `
:root {
  --bg: #f6f7f9; --panel: #fff; --line: #e3e6ea; --text: #1d2127; --muted: #6b7280;
  --ok: #1a7f37; --busy: #bf8700; --bad: #cf222e; --idle: #8c959f; --accent: #1f6feb;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
h1 { font-size: 16px; margin: 0; }
h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px;
  display: flex; gap: 8px; align-items: center; }
pre { margin: 0; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
button { font: inherit; cursor: pointer; }
button.link { border: 0; background: none; padding: 0; color: var(--accent); text-transform: none; letter-spacing: 0; }
.top { display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: #1d2127; color: #fff; }
.top .project { font-weight: 400; color: #c9d1d9; margin-left: 6px; }
.summary { color: #c9d1d9; }
.connection { margin-left: auto; font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #444c56; }
.connection.live { background: var(--ok); }
.connection.reconnecting { background: var(--busy); }
main { padding: 12px 16px; display: grid; gap: 12px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
.row { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
@media (max-width: 900px) { .row { grid-template-columns: 1fr; } }
.empty { color: var(--muted); margin: 4px 0; }
.tag { font-size: 11px; padding: 0 6px; border-radius: 8px; background: #eef1f4; color: var(--muted); }
.swatch { display: inline-block; width: 8px; height: 8px; border-radius: 2px; margin-right: 6px; flex: none; }

/* Fifty services stay in a scrolling box, so the updates and logs are still in sight. */
.services .table-box { max-height: 42vh; overflow-y: auto; }
.services-table { width: 100%; border-collapse: collapse; }
.services-table th { text-align: left; font-weight: 500; color: var(--muted); font-size: 12px; padding: 2px 8px;
  position: sticky; top: 0; background: var(--panel); }
.services-table td { padding: 2px 8px; border-top: 1px solid var(--line); white-space: nowrap; }
.services-table tr.selected td { background: #eef5ff; }
.services-table .detail { max-width: 28vw; overflow: hidden; text-overflow: ellipsis; color: var(--muted); }
.services-table .endpoints a, .services-table .endpoints span { margin-right: 8px; }
.service-name { color: var(--text) !important; font-weight: 600; display: inline-flex; align-items: center; }
.state::before { content: "●"; margin-right: 4px; }
.tone-ok { color: var(--ok); } .tone-busy { color: var(--busy); } .tone-bad { color: var(--bad); } .tone-idle { color: var(--idle); }
.trigger { border: 1px solid var(--line); background: #f6f8fa; border-radius: 4px; padding: 0 10px; font-size: 12px; }
.trigger:hover { border-color: var(--accent); }
.trigger.failed { border-color: var(--bad); color: var(--bad); }
.trigger:disabled { cursor: progress; color: var(--muted); }

.outcome-ok, .outcome-noop { color: var(--ok); } .outcome-failed { color: var(--bad); }
.outcome-running { color: var(--busy); } .outcome-cancelled { color: var(--idle); }
.updates-body { display: grid; grid-template-columns: minmax(220px, 1fr) minmax(0, 3fr); gap: 12px; min-height: 160px; }
.update-list { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow-y: auto; border-right: 1px solid var(--line); }
.update-item { display: flex; align-items: center; gap: 6px; padding: 2px 6px; cursor: pointer; border-radius: 4px; white-space: nowrap; }
.update-item:hover { background: #f3f4f6; }
.update-item.selected { background: #eef5ff; }
.u-time { color: var(--muted); font-variant-numeric: tabular-nums; }
.u-service { font-weight: 600; }
.u-what { flex: 1; overflow: hidden; text-overflow: ellipsis; color: var(--muted); }
.u-total { font-variant-numeric: tabular-nums; }

.waterfall { min-width: 0; }
.wf-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 4px; }
.wf-total { font-weight: 600; }
.wf-files, .wf-plan { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 100%; }
.wf-axis, .wf-row { display: grid; grid-template-columns: 180px minmax(0, 1fr) 90px; gap: 8px; align-items: center; }
.wf-axis { height: 18px; color: var(--muted); font-size: 11px; }
.wf-ticks { position: relative; height: 100%; border-bottom: 1px solid var(--line); }
.wf-tick { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.wf-tick:first-child { transform: none; } .wf-tick:last-child { transform: translateX(-100%); }
.wf-row { height: 20px; }
.wf-row:hover { background: #f6f8fa; }
.wf-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wf-track { position: relative; height: 12px; background: repeating-linear-gradient(90deg, transparent 0 calc(25% - 1px), #eef0f3 calc(25% - 1px) 25%); }
.wf-bar { position: absolute; top: 0; bottom: 0; min-width: 2px; border-radius: 2px; background: var(--accent); }
.wf-bar.child { top: 2px; bottom: 2px; opacity: .8; }
.wf-bar.step-detect, .wf-bar.step-queue, .wf-bar.step-plan { background: #8c959f; }
.wf-bar.step-build { background: #8250df; } .wf-bar.step-image { background: #bc4c00; }
.wf-bar.step-sync { background: #0969da; } .wf-bar.step-run { background: #1b7c83; }
.wf-bar.step-restart, .wf-bar.step-start, .wf-bar.step-stop { background: #bf8700; }
.wf-bar.step-ready { background: var(--ok); }
.wf-bar.outcome-failed { background: var(--bad); }
.wf-bar.outcome-cached, .wf-bar.outcome-skipped { background: #d0d7de; }
.wf-dur { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wf-dur small { color: var(--muted); }
.wf-error { margin-top: 8px; padding: 6px 8px; border-left: 3px solid var(--bad); background: #fff5f5; }

.trend-chart { width: 100%; min-height: 20px; }
.suggestion { border-top: 1px solid var(--line); padding: 6px 0; }
.suggestion:first-of-type { border-top: 0; }
.suggestion header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.saving { color: var(--ok); font-weight: 600; }
.suggestion-detail { margin: 4px 0; background: #f6f8fa; padding: 4px 6px; border-radius: 4px; }
.evidence { margin: 0; padding-left: 18px; color: var(--muted); }
.advice { max-height: 320px; overflow-y: auto; }

.log-toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; }
.log-toolbar select, .log-toolbar input { font: inherit; padding: 2px 6px; border: 1px solid var(--line); border-radius: 4px; }
.log-search { width: 260px; }
.log-count { color: var(--muted); margin-left: auto; font-variant-numeric: tabular-nums; }
.log-scroll { height: 360px; overflow: auto; background: #0d1117; border-radius: 4px; position: relative; contain: strict; }
.log-spacer { position: relative; min-width: 100%; width: max-content; }
.log-row { position: absolute; left: 0; right: 0; height: 18px; line-height: 18px; white-space: pre; color: #d1d7e0;
  font: 12px/18px ui-monospace, "DejaVu Sans Mono", monospace; padding: 0 8px; }
.log-row.stderr .log-line { color: #ffa198; }
.log-row.pitstop .log-line { color: #8b949e; font-style: italic; }
.log-time { color: #6e7681; margin-right: 8px; }
.log-service { display: inline-block; min-width: 80px; margin-right: 8px; }
`;
