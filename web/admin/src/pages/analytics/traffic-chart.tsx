// Visitors and page views over the period (uPlot), the previous period as a dashed line.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Dashboard } from './analytics-api.js';

const toSeconds = (t: string) => Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t) / 1000;

export interface ChartLine {
  label: string;
  stroke: string;
  width?: number;
  fill?: string;
  dash?: number[];
  values: (number | null)[];
}

/** A uPlot line chart over days (or hours, or months given as YYYY-MM-01), resized with its box. */
export function SeriesChart({ times, lines, label, height = 240 }: { times: string[]; lines: ChartLine[]; label: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true } },
        series: [{}, ...lines.map(({ values: _v, ...l }) => l)],
        axes: [{}, { size: 60 }],
      },
      [times.map(toSeconds), ...lines.map((l) => l.values)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, lines, height]);
  return <div ref={box} className="traffic-chart" role="img" aria-label={label} />;
}

export function TrafficChart({ data, previous }: { data: Dashboard['series']; previous?: Dashboard['series'] }) {
  const times = useMemo(() => data.map((p) => p.t), [data]);
  const lines = useMemo<ChartLine[]>(
    () => [
      { label: 'Visitors', stroke: '#3558d6', width: 2, fill: 'rgba(53,88,214,0.08)', values: data.map((p) => p.visitors) },
      { label: 'Page views', stroke: '#0f8a6a', width: 1.5, values: data.map((p) => p.pageviews) },
      { label: 'Visitors, previous period', stroke: '#9aa3b5', width: 1, dash: [4, 4], values: previous && previous.length === data.length ? previous.map((p) => p.visitors) : data.map(() => null) },
    ],
    [data, previous],
  );
  return <SeriesChart times={times} lines={lines} label={`Visitors and page views, ${data.length} points`} />;
}
