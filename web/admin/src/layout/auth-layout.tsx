// The frame of the signed-out screens (setup, sign-in, reset, invitation): one calm card.
import { useEffect, useRef, type ReactNode } from 'react';
import { useTitle } from '../lib/use-title.js';
import { Brand } from './brand.js';

export function AuthLayout({ title, intro, children, footer }: { title: string; intro?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  useTitle(title);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), [title]);
  return (
    <div className="auth">
      <div className="auth-brand">
        <Brand />
      </div>
      <main className="auth-card card">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {intro ? <div className="auth-intro">{intro}</div> : null}
        {children}
      </main>
      {footer ? <div className="auth-footer">{footer}</div> : null}
    </div>
  );
}
