// The part of ECharts the dashboard draws with (static/js/dashboard.js): two line charts with a grid
// (category x axis, value y axis), an axis tooltip and a legend, rendered as SVG. Only `init` is exposed,
// as window.echarts, which is all dashboard.js calls. Add a chart type or component here, then rebuild.
import { init, use } from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

use([LineChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);
window.echarts = { init };
