/** The pages' stylesheet: one column on a phone, a grid on a desktop; numbers in tabular figures. */
export const STYLE = `
:root{--bg:#f4f6fa;--card:#fff;--ink:#0f172a;--muted:#64748b;--line:#e5e9f0;--accent:#2563eb;
--ok:#059669;--ok-bg:#dcfce7;--warn:#b45309;--warn-bg:#fef3c7;--bad:#b91c1c;--bad-bg:#fee2e2;--na-bg:#eef1f6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
font-variant-numeric:tabular-nums}
header.top{background:#0f1b33;color:#fff;padding:18px clamp(14px,3vw,32px) 20px}
.top .row{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;max-width:1400px;margin:0 auto}
.brand{font-weight:700;letter-spacing:.02em;color:#93c5fd;font-size:13px;text-transform:uppercase}
.top h1{margin:0;font-size:clamp(18px,2.6vw,24px);font-weight:650;overflow-wrap:anywhere}
.top .sub{max-width:1400px;margin:6px auto 0;color:#cbd5e1;font-size:13px;overflow-wrap:anywhere}
.top .sub code{background:rgba(255,255,255,.08);color:#e2e8f0}
main{padding:18px clamp(10px,3vw,32px) 40px;max-width:1464px;margin:0 auto}
section{background:var(--card);border-radius:12px;box-shadow:0 1px 2px rgba(15,23,42,.06),0 0 0 1px rgba(15,23,42,.04);
padding:16px clamp(12px,2vw,20px);margin-bottom:16px;min-width:0}
h2{font-size:15px;margin:0 0 2px;font-weight:650}
.note{color:var(--muted);font-size:12.5px;margin:0 0 10px}
.pill{display:inline-flex;align-items:center;gap:6px;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:650;
white-space:nowrap}
.pill.running{background:#dbeafe;color:#1d4ed8}.pill.running::before{content:"";width:8px;height:8px;border-radius:50%;
background:#2563eb;animation:pulse 1.4s ease-in-out infinite}
@keyframes pulse{50%{opacity:.25}}
.excellent,.ok,.succeeded,.met{background:var(--ok-bg);color:var(--ok)}.good{background:var(--warn-bg);color:var(--warn)}
.needs-optimization,.missed,.failed{background:var(--bad-bg);color:var(--bad)}.na,.interrupted{background:var(--na-bg);color:var(--muted)}
.progress{display:grid;gap:14px}
.bar{height:14px;border-radius:999px;background:#e8edf5;overflow:hidden;display:flex}
.bar span{display:block;height:100%}
.bar .done{background:linear-gradient(90deg,#2563eb,#3b82f6)}.bar .fail{background:#ef4444}
.hero{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px 18px}
.hero div b{display:block;font-size:clamp(22px,3.2vw,30px);font-weight:700;line-height:1.15;letter-spacing:-.01em}
.hero div span,.cards span{color:var(--muted);font-size:12.5px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.card{background:#f7f9fc;border:1px solid var(--line);border-radius:10px;padding:10px 12px;min-width:0}
.card b{display:block;font-size:19px;font-weight:650;overflow-wrap:anywhere}
.card small{display:block;color:var(--muted);font-size:11.5px}
.card.alert{border-color:#fecaca;background:#fff5f5}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,560px),1fr));gap:16px}
.grid section{margin:0}
.chart .plot{width:100%;min-height:190px}
.chart.empty .plot{display:none}.chart .nodata{display:none;color:var(--muted);padding:40px 0;text-align:center}
.chart.empty .nodata{display:block}
.uplot{width:100%!important}.u-legend{font-size:12px;text-align:left;margin:4px 0 0}
.u-legend .u-series>*{padding:1px 4px}.u-inline tr{margin-right:10px}.u-legend .u-marker{width:10px;height:10px;border-radius:2px}
.timebar{display:flex;height:26px;border-radius:8px;overflow:hidden;margin:4px 0 8px;background:#eef1f6}
.timebar span{display:block;height:100%;min-width:2px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;color:#334155;margin-bottom:10px}
.legend i,.tip i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend b{font-weight:650}
#lanes{position:relative;width:100%}#lanes canvas{display:block;width:100%}
#lanes.empty canvas{display:none}#lanes .nodata{display:none;color:var(--muted);padding:20px 0}#lanes.empty .nodata{display:block}
.tip{position:absolute;z-index:5;background:#0f172a;color:#fff;border-radius:8px;padding:8px 10px;font-size:12px;
max-width:min(340px,90vw);pointer-events:none;box-shadow:0 6px 18px rgba(15,23,42,.25)}
.tip b{display:block;overflow-wrap:anywhere;margin-bottom:3px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 10px 6px 0;border-bottom:1px solid var(--line);font-size:13px;vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px;white-space:nowrap}
td.n,th.n{text-align:right}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
ul.recs{list-style:none;margin:0;padding:0}
ul.recs li{position:relative;padding:8px 10px 8px 34px;margin:6px 0;background:#fffbeb;border:1px solid #fde68a;border-radius:10px}
ul.recs li::before{content:"→";position:absolute;left:12px;top:8px;color:#b45309;font-weight:700}
.calm{color:var(--ok)}
code{background:#f1f5f9;padding:0 4px;border-radius:4px;font-size:12.5px;overflow-wrap:anywhere}
.up{color:var(--bad)}.down{color:var(--ok)}.same{color:var(--muted)}
.runs td{white-space:nowrap}.runs td.job{white-space:normal}
svg.spark{display:block}
a{color:var(--accent)}
.banner{background:#ecfdf5;border:1px solid #a7f3d0;color:#065f46;border-radius:8px;padding:5px 12px;margin-bottom:12px;font-size:12.5px}
.banner{display:flex;align-items:center;justify-content:space-between;gap:10px}
.banner button{font:inherit;font-weight:600;color:inherit;background:rgba(255,255,255,.7);border:1px solid currentColor;border-radius:6px;padding:1px 10px;cursor:pointer}
.banner.off{background:#f1f5f9;border-color:var(--line);color:var(--muted)}
@media (max-width:520px){th,td{padding:5px 8px 5px 0;font-size:12.5px}.hero,.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
`;
