// A total beside the previous period's, with the change in percent (green when it is good news).
const num = (n: number) => n.toLocaleString('en');

export function Kpi({ label, now, before, format = num, lowerIsBetter }: { label: string; now: number; before: number; format?: (n: number) => string; lowerIsBetter?: boolean }) {
  const change = before ? Math.round(((now - before) / before) * 100) : null;
  const good = change === null || change === 0 ? null : (change > 0) !== Boolean(lowerIsBetter);
  return (
    <div className="analytics-kpi">
      <dt>{label}</dt>
      <dd>
        <strong>{format(now)}</strong>
        <span className={`small ${good === null ? 'muted' : good ? 'good' : 'bad'}`}>
          {change === null ? 'no earlier data' : `${change > 0 ? '+' : ''}${change}% (was ${format(before)})`}
        </span>
      </dd>
    </div>
  );
}
