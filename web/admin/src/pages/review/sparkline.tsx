// A small uPlot line of weekly values (the KPIs' last twelve weeks, the owner's share).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function Sparkline({ values, label, color = '#3558d6', width = 140, height = 36 }: { values: number[]; label: string; color?: string; width?: number; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || values.length < 2) return;
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: color, width: 1.5, fill: `${color}14` }],
      },
      [values.map((_, i) => i), values],
      el,
    );
    return () => plot.destroy();
  }, [values, color, width, height]);
  return <div ref={box} className="review-spark" role="img" aria-label={label} />;
}
