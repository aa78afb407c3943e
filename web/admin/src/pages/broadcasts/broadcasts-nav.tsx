import { NavLink } from 'react-router';

/** The Broadcasts area's tabs: the broadcasts, the bounces and complaints, the mail settings (with the suppression list). */
export function BroadcastsNav() {
  return (
    <nav className="sub-nav" aria-label="Broadcasts">
      <NavLink to="/broadcasts" end>
        Broadcasts
      </NavLink>
      <NavLink to="/broadcasts/bounces">Bounces &amp; complaints</NavLink>
      <NavLink to="/broadcasts/settings">Mail settings</NavLink>
    </nav>
  );
}
