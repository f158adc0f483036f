/* The credit office dashboard: fetches data.json and draws four Apache ECharts charts.
   No inline script or style is allowed by the site's CSP, so the page only holds empty boxes and URLs. */
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root || typeof echarts === "undefined") { return; }
  var status = document.getElementById("dashboard-status");
  var qualityStatus = document.getElementById("quality-status");
  var button = document.getElementById("recompute");
  var form = document.getElementById("recompute-form");
  var progress = document.getElementById("quality-progress");
  var charts = {};
  // Tooltips as rich text inside the canvas: ECharts' HTML tooltips carry inline styles the CSP refuses.
  var base = {
    animation: false,
    textStyle: { fontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
    tooltip: { renderMode: "richText" }
  };

  function chart(id) {
    if (!charts[id]) { charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas" }); }
    return charts[id];
  }

  function draw(id, option) {
    var options = {};
    Object.keys(base).forEach(function (k) { options[k] = base[k]; });
    Object.keys(option).forEach(function (k) { options[k] = option[k]; });
    chart(id).setOption(options, true);
  }

  function trend(data) {
    draw("chart-trend", {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: ["出具报告", "报告核验"], top: 0, right: 24 },
      grid: { left: 48, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.days, boundaryGap: false },
      yAxis: { type: "value", name: "份/次", minInterval: 1 },
      series: [
        { name: "出具报告", type: "line", data: data.reports_per_day, symbol: "none", areaStyle: { opacity: 0.12 } },
        { name: "报告核验", type: "line", data: data.verifications_per_day, symbol: "none" }
      ]
    });
  }

  function domains(data) {
    draw("chart-domains", {
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 48, right: 16, top: 24, bottom: 130 },
      xAxis: { type: "category", data: data.domains.map(function (d) { return d.name; }),
               axisLabel: { interval: 0, rotate: 55, fontSize: 11 } },
      yAxis: { type: "value", name: "报告数", minInterval: 1 },
      series: [{ name: "报告数", type: "bar", data: data.domains.map(function (d) { return d.reports; }),
                 itemStyle: { color: "#b3261e" } }]
    });
  }

  function districts(data) {
    draw("chart-districts", {
      tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}：{c} 份（{d}%）" },
      legend: { type: "scroll", orient: "vertical", left: 0, top: "middle" },
      series: [{
        name: "报告数", type: "pie", radius: ["35%", "68%"], center: ["60%", "50%"],
        label: { formatter: "{b}\n{c} 份" },
        data: data.districts.map(function (d) { return { name: d.name, value: d.reports }; })
      }]
    });
  }

  function quality(q) {
    var el = document.getElementById("chart-quality");
    // One row per department: the box grows with the number of departments.
    el.style.height = Math.max(320, q.departments.length * 24 + 190) + "px";
    chart("chart-quality").resize();
    var names = q.departments.map(function (d) { return d.name; });
    var labels = q.measures.map(function (m) { return m.label; });
    draw("chart-quality", {
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          var c = p.data;
          return names[c[1]] + "\n" + labels[c[0]] + "：得分 " + Math.round(c[2]) + "，比率 " + (c[3] * 100).toFixed(1) +
            "%（" + c[4] + " / " + c[5] + "）";
        }
      },
      grid: { left: 190, right: 24, top: 16, bottom: 170 },
      xAxis: { type: "category", data: labels, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 50, fontSize: 11 } },
      yAxis: { type: "category", data: names, inverse: true, splitArea: { show: true }, axisLabel: { interval: 0, fontSize: 11 } },
      // Cells are marks of 0–100 (100 best), and so is the legend.
      visualMap: {
        min: 0, max: 100, precision: 0, dimension: 2, calculable: true, orient: "horizontal", left: "center",
        bottom: 0, text: ["100 分（好）", "0 分（差）"], inRange: { color: ["#b3261e", "#f6c344", "#2e7d32"] }
      },
      series: [{ name: "质量得分", type: "heatmap", data: q.cells,
                 label: { show: true, fontSize: 10, formatter: function (p) { return Math.round(p.data[2]); } } }]
    });
    qualityStatus.textContent = q.as_of
      ? "指标日期：" + q.as_of + "；格内数字为质量得分（0–100 分，100 为最好），悬停查看原始比率。"
      : "尚无质量指标，请点击“重新计算质量指标”。";
  }

  function load() {
    return fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      });
  }

  function drawAll(data) {
    trend(data);
    domains(data);
    districts(data);
    quality(data.quality);
    status.textContent = "数据截至 " + data.days[data.days.length - 1] + "。";
    root.dataset.state = "ready";
  }

  // The server streams one JSON line per finished step, then {"done": true, ...} (or {"error": ...}).
  function readLines(response, onLine) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder("utf-8");
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (buffer.trim()) { onLine(JSON.parse(buffer)); }
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var lines = buffer.split("\n");
        buffer = lines.pop();
        lines.forEach(function (line) { if (line.trim()) { onLine(JSON.parse(line)); } });
        return pump();
      });
    }
    return pump();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    root.dataset.state = "recomputing";
    progress.hidden = false;
    progress.value = 0;
    qualityStatus.textContent = "计算中…";
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var result = null;
    fetch(root.dataset.recompute, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return readLines(r, function (line) {
          if (line.error) { throw new Error(line.error); }
          if (line.done) { result = line; return; }
          progress.max = line.total;
          progress.value = line.step;
          qualityStatus.textContent = "计算中… 第 " + line.step + "/" + line.total + " 步：" + line.label + " 已完成";
        });
      })
      .then(function () {
        if (!result) { throw new Error("计算未完成"); }
        return load().then(function (data) {
          quality(data.quality);
          qualityStatus.textContent = "已重新计算 " + result.scores + " 项指标（" + result.computed_at.replace("T", " ") + "）。";
          root.dataset.state = "ready";
        });
      })
      .catch(function (error) {
        qualityStatus.textContent = "重新计算失败（" + error.message + "），请稍后重试。";
        root.dataset.state = "failed";
      })
      .then(function () { button.disabled = false; progress.hidden = true; });
  });

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });

  load().then(drawAll).catch(function (error) {
    status.textContent = "数据加载失败（" + error.message + "），请刷新页面重试。";
    root.dataset.state = "failed";
  });
}());
