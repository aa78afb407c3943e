// A rich-text editor for lessons and page text (Tiptap): headings, bold, italics, lists,
// quotes, links and images, with a toolbar of real buttons and the usual shortcuts (Ctrl+B…).
// It produces HTML; the server sanitises it on the way in, so what is saved is what is shown.
// Links and images are added through a small form under the toolbar, never a prompt() dialog.
import Image from '@tiptap/extension-image';
import { EditorContent, useEditor, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useId, useState, type ReactNode } from 'react';

export interface RichTextEditorProps {
  label: string;
  html: string;
  onChange(html: string): void;
  hint?: ReactNode;
  disabled?: boolean;
  /** uploads an image and returns its address; without it images are added by address only */
  uploadImage?(file: File): Promise<string>;
}

export function RichTextEditor({ label, html, onChange, hint, disabled, uploadImage }: RichTextEditorProps) {
  const id = useId();
  const editor = useEditor({
    extensions: [StarterKit.configure({ heading: { levels: [2, 3, 4] }, code: false, codeBlock: false, link: { openOnClick: false, autolink: true, protocols: ['https', 'mailto'] } }), Image],
    content: html,
    editable: !disabled,
    shouldRerenderOnTransaction: true,
    editorProps: { attributes: { 'aria-labelledby': `${id}-label`, 'aria-multiline': 'true', role: 'textbox', class: 'rich-text-content', ...(hint ? { 'aria-describedby': `${id}-hint` } : {}) } },
    onUpdate: ({ editor: e }) => onChange(e.isEmpty ? '' : e.getHTML()),
  });
  return (
    <div className="field rich-text">
      <span className="label" id={`${id}-label`}>
        {label}
      </span>
      {editor && !disabled ? <Toolbar editor={editor} label={label} uploadImage={uploadImage} /> : null}
      <EditorContent editor={editor} className="rich-text-area" />
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type Panel = null | 'link' | 'image';

function Toolbar({ editor, label, uploadImage }: { editor: Editor; label: string; uploadImage?(file: File): Promise<string> }) {
  const [panel, setPanel] = useState<Panel>(null);
  const chain = () => editor.chain().focus();
  const tool = (name: string, text: ReactNode, active: boolean, run: () => void) => (
    <button type="button" className={`button small ${active ? 'primary' : 'subtle'}`} aria-pressed={active} title={name} onClick={run}>
      {text}
      <span className="visually-hidden"> {name}</span>
    </button>
  );
  return (
    <>
      <div className="rich-text-toolbar" role="toolbar" aria-label={`Formatting for ${label}`}>
        {tool('Heading', 'H2', editor.isActive('heading', { level: 2 }), () => chain().toggleHeading({ level: 2 }).run())}
        {tool('Subheading', 'H3', editor.isActive('heading', { level: 3 }), () => chain().toggleHeading({ level: 3 }).run())}
        {tool('Bold', <strong>B</strong>, editor.isActive('bold'), () => chain().toggleBold().run())}
        {tool('Italic', <em>I</em>, editor.isActive('italic'), () => chain().toggleItalic().run())}
        {tool('Bulleted list', '•', editor.isActive('bulletList'), () => chain().toggleBulletList().run())}
        {tool('Numbered list', '1.', editor.isActive('orderedList'), () => chain().toggleOrderedList().run())}
        {tool('Quote', '“', editor.isActive('blockquote'), () => chain().toggleBlockquote().run())}
        {tool('Link', '🔗', editor.isActive('link') || panel === 'link', () => setPanel(panel === 'link' ? null : 'link'))}
        {tool('Image', '🖼', panel === 'image', () => setPanel(panel === 'image' ? null : 'image'))}
        {tool('Undo', '↶', false, () => chain().undo().run())}
        {tool('Redo', '↷', false, () => chain().redo().run())}
      </div>
      {panel === 'link' ? <LinkPanel editor={editor} onDone={() => setPanel(null)} /> : null}
      {panel === 'image' ? <ImagePanel editor={editor} uploadImage={uploadImage} onDone={() => setPanel(null)} /> : null}
    </>
  );
}

function LinkPanel({ editor, onDone }: { editor: Editor; onDone(): void }) {
  const [href, setHref] = useState<string>((editor.getAttributes('link').href as string | undefined) ?? 'https://');
  const apply = () => {
    const url = href.trim();
    if (!url || url === 'https://') editor.chain().focus().extendMarkRange('link').unsetLink().run();
    else editor.chain().focus().extendMarkRange('link').setLink({ href: url }).run();
    onDone();
  };
  return (
    <div className="inline-form rich-text-panel">
      <label>
        Link address
        <input type="url" value={href} onChange={(e) => setHref(e.target.value)} autoFocus onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), apply())} />
      </label>
      <button type="button" className="button small primary" onClick={apply}>
        Apply link
      </button>
      <button type="button" className="button small subtle" onClick={onDone}>
        Cancel
      </button>
    </div>
  );
}

function ImagePanel({ editor, uploadImage, onDone }: { editor: Editor; uploadImage?(file: File): Promise<string>; onDone(): void }) {
  const [src, setSrc] = useState('https://');
  const [alt, setAlt] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const insert = (url: string) => {
    editor.chain().focus().setImage({ src: url, alt }).run();
    onDone();
  };
  return (
    <div className="inline-form rich-text-panel">
      <label>
        Image address
        <input type="url" value={src} onChange={(e) => setSrc(e.target.value)} />
      </label>
      <label>
        What it shows
        <input value={alt} onChange={(e) => setAlt(e.target.value)} />
      </label>
      <button type="button" className="button small primary" disabled={!/^https:\/\/\S+$/.test(src.trim())} onClick={() => insert(src.trim())}>
        Insert image
      </button>
      {uploadImage ? (
        <label>
          Or upload one
          <input
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            disabled={pending}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              setPending(true);
              setError(null);
              uploadImage(file).then(insert, (err: unknown) => {
                setPending(false);
                setError(err instanceof Error ? err.message : 'The upload failed');
              });
            }}
          />
        </label>
      ) : null}
      <button type="button" className="button small subtle" onClick={onDone}>
        Cancel
      </button>
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}
