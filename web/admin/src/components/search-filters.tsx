// The filter bar above a list: the list's own fields (children), a search box that applies
// on Search or Enter, and Clear once anything is filtered. A landmark (role="search") with a
// name, so screen-reader users can jump to it.
import { useEffect, useState, type ReactNode } from 'react';

export function SearchFilters(props: {
  /** prefix of the input ids */
  id: string;
  /** the landmark's name, e.g. "Find recipients" */
  label: string;
  searchLabel: string;
  placeholder: string;
  /** the search in force */
  search: string;
  filtered: boolean;
  onSearch(text: string): void;
  onClear(): void;
  children?: ReactNode;
}) {
  const [draft, setDraft] = useState(props.search);
  // Follows the search in force (Clear, the back button, a bookmarked address).
  useEffect(() => setDraft(props.search), [props.search]);
  return (
    <form
      className="filters"
      role="search"
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(draft.trim());
      }}
    >
      {props.children}
      <div className="field">
        <label htmlFor={`${props.id}-email`}>{props.searchLabel}</label>
        <input id={`${props.id}-email`} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={props.placeholder} />
      </div>
      <button type="submit" className="button">
        Search
      </button>
      {props.filtered ? (
        <button
          type="button"
          className="button subtle"
          onClick={() => {
            setDraft('');
            props.onClear();
          }}
        >
          Clear
        </button>
      ) : null}
    </form>
  );
}
