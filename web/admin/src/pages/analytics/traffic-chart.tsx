// Visitors and page views over the period (uPlot), the previous period as a dashed line.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Dashboard } from './analytics-api.js';

const toSeconds = (t: string) => Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t) / 1000;

export function TrafficChart({ data, previous }: { data: Dashboard['series']; previous?: Dashboard['series'] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = data.map((p) => toSeconds(p.t));
    const prev = previous && previous.length === data.length ? previous.map((p) => p.visitors) : data.map(() => null);
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true } },
        series: [
          {},
          { label: 'Visitors', stroke: '#3558d6', width: 2, fill: 'rgba(53,88,214,0.08)' },
          { label: 'Page views', stroke: '#0f8a6a', width: 1.5 },
          { label: 'Visitors, previous period', stroke: '#9aa3b5', width: 1, dash: [4, 4] },
        ],
        axes: [{}, { size: 50 }],
      },
      [xs, data.map((p) => p.visitors), data.map((p) => p.pageviews), prev],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, previous]);
  return <div ref={box} className="traffic-chart" role="img" aria-label={`Visitors and page views, ${data.length} points`} />;
}
