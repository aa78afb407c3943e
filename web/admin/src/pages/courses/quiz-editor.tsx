// A lesson's quiz edited as questions and answers: each question with its answers, a tick for
// each right one (two or more ticks make it multiple choice), add and remove in place.
import { useId } from 'react';
import type { QuizQuestion } from './api.js';

let counter = 0;
const newId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export function newQuestion(): QuizQuestion {
  return { id: newId('q'), prompt: '', kind: 'single', options: [{ id: newId('o'), text: '', correct: true }, { id: newId('o'), text: '', correct: false }] };
}

/** The kind follows the ticks: more than one right answer is multiple choice. */
function withKind(q: QuizQuestion): QuizQuestion {
  return { ...q, kind: q.options.filter((o) => o.correct).length > 1 ? 'multiple' : 'single' };
}

export function QuizEditor({ questions, onChange, disabled }: { questions: QuizQuestion[]; onChange(q: QuizQuestion[]): void; disabled?: boolean }) {
  const set = (i: number, q: QuizQuestion) => onChange(questions.map((x, j) => (j === i ? withKind(q) : x)));
  return (
    <div className="stack">
      {questions.length === 0 ? <p className="muted">No quiz on this lesson. Add a question to make one.</p> : null}
      {questions.map((q, i) => (
        <QuestionFields key={q.id} n={i + 1} question={q} disabled={disabled} onChange={(next) => set(i, next)} onRemove={() => onChange(questions.filter((_, j) => j !== i))} />
      ))}
      {disabled ? null : (
        <div>
          <button type="button" className="button small" onClick={() => onChange([...questions, newQuestion()])}>
            Add a question
          </button>
        </div>
      )}
    </div>
  );
}

function QuestionFields({ n, question: q, onChange, onRemove, disabled }: { n: number; question: QuizQuestion; onChange(q: QuizQuestion): void; onRemove(): void; disabled?: boolean }) {
  const id = useId();
  const setOption = (j: number, patch: Partial<QuizQuestion['options'][number]>) => onChange({ ...q, options: q.options.map((o, k) => (k === j ? { ...o, ...patch } : o)) });
  return (
    <fieldset className="block-card quiz-question" disabled={disabled}>
      <legend>Question {n}</legend>
      <div className="field">
        <label htmlFor={`${id}-prompt`}>Question {n}</label>
        <input id={`${id}-prompt`} value={q.prompt} maxLength={1000} required onChange={(e) => onChange({ ...q, prompt: e.target.value })} />
      </div>
      <p className="field-hint">Tick every right answer. {q.kind === 'multiple' ? 'Several are ticked: students choose all that apply.' : 'Students choose one.'}</p>
      <ol className="plain-list">
        {q.options.map((o, j) => (
          <li key={o.id} className="quiz-option">
            <label className="visually-hidden" htmlFor={`${id}-o${j}`}>
              Answer {j + 1} to question {n}
            </label>
            <input id={`${id}-o${j}`} value={o.text} maxLength={500} required onChange={(e) => setOption(j, { text: e.target.value })} />
            <label className="checkbox-inline">
              <input type="checkbox" checked={o.correct} onChange={(e) => setOption(j, { correct: e.target.checked })} /> Right answer<span className="visually-hidden"> {j + 1} to question {n}</span>
            </label>
            {q.options.length > 2 ? (
              <button type="button" className="button small subtle" onClick={() => onChange({ ...q, options: q.options.filter((_, k) => k !== j) })}>
                Remove<span className="visually-hidden"> answer {j + 1} to question {n}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ol>
      <p className="button-row">
        {q.options.length < 12 ? (
          <button type="button" className="button small subtle" onClick={() => onChange({ ...q, options: [...q.options, { id: newId('o'), text: '', correct: false }] })}>
            Add an answer<span className="visually-hidden"> to question {n}</span>
          </button>
        ) : null}
        <button type="button" className="button small danger-text" onClick={onRemove}>
          Remove question {n}
        </button>
      </p>
    </fieldset>
  );
}
