// The broadcast's block editor: headings, Markdown text, buttons, images and dividers, each
// with its own fields, moved up and down or removed. Every control is a labelled native
// input or button; after a move, an add or a removal the focus lands on the block it concerns
// and a live region says what happened, so the editor works by keyboard and screen reader.
import { useEffect, useId, useRef, useState } from 'react';
import { TextAreaField, TextField } from '../../components/field.js';
import type { Block, BlockType } from './api.js';

/** A block as the editor holds it: a key that stays with it while it moves (the server never sees it). */
export type EditorBlock = Block & { key: string };

/** The server accepts up to this many blocks. */
export const MAX_BLOCKS = 200;

let counter = 0;
const newKey = () => `blk${++counter}`;

export function withKeys(blocks: readonly Block[]): EditorBlock[] {
  return blocks.map((b) => ({ ...b, key: newKey() }));
}

export function withoutKeys(blocks: readonly EditorBlock[]): Block[] {
  return blocks.map(({ key: _key, ...b }) => b as Block);
}

export const blockLabels: Record<BlockType, string> = {
  heading: 'Heading',
  text: 'Text',
  button: 'Button',
  image: 'Image',
  divider: 'Divider',
};

function newBlock(type: BlockType): EditorBlock {
  const key = newKey();
  switch (type) {
    case 'heading':
      return { key, type, text: '' };
    case 'text':
      return { key, type, markdown: '' };
    case 'button':
      return { key, type, label: '', url: '' };
    case 'image':
      return { key, type, src: '', alt: '' };
    case 'divider':
      return { key, type };
  }
}

const escapeBrackets = (s: string) => s.replace(/([[\]])/g, '\\$1');
/** An address Markdown can hold: one with spaces or parentheses goes in angle brackets. */
const mdUrl = (url: string) => (/[\s()]/.test(url) ? `<${url.trim()}>` : url.trim());

/**
 * The same message as Markdown: what a blocks broadcast keeps in its `body`, and what the
 * editor switches to when someone leaves the blocks (buttons become links).
 */
export function blocksToMarkdown(blocks: readonly Block[]): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'heading':
          return b.text.trim() ? `## ${b.text.trim()}` : '';
        case 'text':
          return b.markdown.trim();
        case 'button':
          return b.label.trim() ? `[${escapeBrackets(b.label.trim())}](${mdUrl(b.url)})` : '';
        case 'image': {
          if (!b.src.trim()) return '';
          const img = `![${escapeBrackets(b.alt.trim())}](${mdUrl(b.src)})`;
          return b.href?.trim() ? `[${img}](${mdUrl(b.href)})` : img;
        }
        case 'divider':
          return '---';
      }
    })
    .filter(Boolean)
    .join('\n\n');
}

type Focus = { key: string; on: 'first' | 'up' | 'down' } | { key: null; on: 'add' };

export function BlockEditor({ blocks, onChange }: { blocks: EditorBlock[]; onChange(next: EditorBlock[]): void }) {
  const prefix = useId();
  const [focus, setFocus] = useState<Focus | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const addGroup = useRef<HTMLDivElement>(null);

  // Moves and removals re-render the list; put the focus back where the person is working.
  useEffect(() => {
    if (!focus) return;
    if (focus.key === null) {
      addGroup.current?.querySelector<HTMLElement>('button:not(:disabled)')?.focus();
    } else {
      const card = document.getElementById(`${prefix}-${focus.key}`);
      const wanted =
        focus.on === 'first'
          ? card?.querySelector<HTMLElement>('input, textarea')
          : (card?.querySelector<HTMLElement>(`[data-move="${focus.on}"]:not(:disabled)`) ?? card?.querySelector<HTMLElement>('[data-move]:not(:disabled)'));
      (wanted ?? card?.querySelector<HTMLElement>('button:not(:disabled)'))?.focus();
    }
    setFocus(null);
  }, [focus, prefix]);

  const label = (b: EditorBlock, i: number) => `${i + 1}. ${blockLabels[b.type]}`;
  const update = (i: number, patch: Partial<Block>) => onChange(blocks.map((b, j) => (j === i ? ({ ...b, ...patch } as EditorBlock) : b)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...blocks];
    const [b] = next.splice(i, 1);
    next.splice(i + by, 0, b!);
    onChange(next);
    setAnnouncement(`${blockLabels[b!.type]} moved ${by < 0 ? 'up' : 'down'} to position ${i + by + 1} of ${next.length}.`);
    setFocus({ key: b!.key, on: by < 0 ? 'up' : 'down' });
  };
  const remove = (i: number) => {
    const b = blocks[i]!;
    const next = blocks.filter((_, j) => j !== i);
    onChange(next);
    setAnnouncement(`${blockLabels[b.type]} removed.`);
    const neighbour = next[i] ?? next[i - 1];
    setFocus(neighbour ? { key: neighbour.key, on: 'first' } : { key: null, on: 'add' });
  };
  const add = (type: BlockType) => {
    const b = newBlock(type);
    onChange([...blocks, b]);
    setAnnouncement(`${blockLabels[type]} added as block ${blocks.length + 1}.`);
    setFocus({ key: b.key, on: 'first' });
  };

  return (
    <div className="stack">
      {blocks.length === 0 ? <p className="muted">No blocks yet: add the first one below.</p> : null}
      {blocks.map((b, i) => (
        <fieldset key={b.key} id={`${prefix}-${b.key}`} className="block-card">
          <legend>{label(b, i)}</legend>
          <BlockFields block={b} onChange={(patch) => update(i, patch)} />
          <div className="button-row" style={{ marginTop: 10 }}>
            <button type="button" className="button small" data-move="up" disabled={i === 0} onClick={() => move(i, -1)}>
              Move up<span className="visually-hidden"> block {label(b, i)}</span>
            </button>
            <button type="button" className="button small" data-move="down" disabled={i === blocks.length - 1} onClick={() => move(i, 1)}>
              Move down<span className="visually-hidden"> block {label(b, i)}</span>
            </button>
            <button type="button" className="button small danger-text" onClick={() => remove(i)}>
              Remove<span className="visually-hidden"> block {label(b, i)}</span>
            </button>
          </div>
        </fieldset>
      ))}
      <fieldset className="field">
        <legend>Add a block</legend>
        <div ref={addGroup} className="button-row">
          {(Object.keys(blockLabels) as BlockType[]).map((type) => (
            <button key={type} type="button" className="button small" disabled={blocks.length >= MAX_BLOCKS} onClick={() => add(type)}>
              Add {blockLabels[type].toLowerCase()}
            </button>
          ))}
        </div>
      </fieldset>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}

const mono = { fontFamily: 'ui-monospace, monospace' };

function BlockFields({ block, onChange }: { block: EditorBlock; onChange(patch: Partial<Block>): void }) {
  // Plain text inputs, not type=url: a half-typed address must not stop the draft from saving.
  const url = { inputMode: 'url' as const, autoComplete: 'off', spellCheck: false, maxLength: 2000, placeholder: 'https://' };
  switch (block.type) {
    case 'heading':
      return <TextField label="Heading text" value={block.text} onChange={(e) => onChange({ text: e.target.value })} maxLength={300} />;
    case 'text':
      return (
        <TextAreaField
          label="Text (Markdown)"
          rows={6}
          value={block.markdown}
          onChange={(e) => onChange({ markdown: e.target.value })}
          maxLength={50_000}
          style={mono}
          hint="Bold, lists and links in Markdown; personalise with {{ contact.first_name }}."
        />
      );
    case 'button':
      return (
        <div className="stack">
          <TextField label="Button label" value={block.label} onChange={(e) => onChange({ label: e.target.value })} maxLength={100} />
          <TextField label="Button link" value={block.url} onChange={(e) => onChange({ url: e.target.value })} {...url} hint="Where the button leads: an https:// address." />
        </div>
      );
    case 'image':
      return (
        <div className="stack">
          <TextField label="Image address" value={block.src} onChange={(e) => onChange({ src: e.target.value })} {...url} hint="An https:// address of the picture." />
          <TextField label="What the image shows" value={block.alt} onChange={(e) => onChange({ alt: e.target.value })} maxLength={300} hint="Read aloud to people who cannot see it, and shown when images are blocked." />
          <TextField label="Link when clicked (optional)" value={block.href ?? ''} onChange={(e) => onChange({ href: e.target.value || undefined })} {...url} />
        </div>
      );
    case 'divider':
      return <p className="muted small">A line between two parts of the message.</p>;
  }
}
