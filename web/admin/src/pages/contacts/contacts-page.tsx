// The Contacts area: the list of contacts and each contact, segments, forms, lists & tags and
// CSV imports, as sub-pages under /admin/contacts.
import { NavLink, Route, Routes } from 'react-router';
import { useSession } from '../../session.js';
import { ContactDetailPage } from './contact-detail.js';
import { ContactListPage } from './contact-list.js';
import { FormEditorPage } from './form-editor.js';
import { FormsPage } from './forms-page.js';
import { ImportDetailPage } from './import-detail.js';
import { ImportsPage } from './imports-page.js';
import { ListsTagsPage } from './lists-tags-page.js';
import { SegmentEditorPage } from './segment-editor.js';
import { SegmentsPage } from './segments-page.js';

export default function ContactsArea() {
  return (
    <>
      <SubNav />
      <Routes>
        <Route index element={<ContactListPage />} />
        <Route path="segments" element={<SegmentsPage />} />
        <Route path="segments/new" element={<SegmentEditorPage />} />
        <Route path="segments/:id" element={<SegmentEditorPage />} />
        <Route path="forms" element={<FormsPage />} />
        <Route path="forms/new" element={<FormEditorPage />} />
        <Route path="forms/:id" element={<FormEditorPage />} />
        <Route path="lists" element={<ListsTagsPage />} />
        <Route path="imports" element={<ImportsPage />} />
        <Route path="imports/:id" element={<ImportDetailPage />} />
        <Route path=":id" element={<ContactDetailPage />} />
      </Routes>
    </>
  );
}

function SubNav() {
  const { can } = useSession();
  const items = [
    { to: '/contacts', label: 'Contacts', end: true },
    { to: '/contacts/segments', label: 'Segments' },
    { to: '/contacts/forms', label: 'Forms' },
    { to: '/contacts/lists', label: 'Lists & tags' },
    ...(can('contacts.import') ? [{ to: '/contacts/imports', label: 'Import' }] : []),
  ];
  return (
    <nav className="subnav" aria-label="Contacts">
      {items.map((i) => (
        <NavLink key={i.to} to={i.to} end={i.end} className={({ isActive }) => (isActive ? 'active' : '')}>
          {i.label}
        </NavLink>
      ))}
    </nav>
  );
}
