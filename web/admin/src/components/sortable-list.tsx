// A list reordered by dragging a handle or by keyboard (focus the handle, Space to pick up,
// arrow keys to move, Space to drop, Escape to cancel), with screen-reader announcements.
// Built on @dnd-kit/core + @dnd-kit/sortable. Each list has its own DndContext, so lists can
// nest (a course's modules, each with its lessons) without one drag reaching the other list.
// Closest corners, not centres: items differ in height (a page's blocks), and a tall item moved
// onto a short one keeps its centre nearer its own old place.
import { closestCorners, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type Announcements, type DragEndEvent } from '@dnd-kit/core';
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { ReactNode } from 'react';

export interface SortableListProps<T> {
  items: T[];
  idOf(item: T): string;
  /** what the item is called, for the handle's label and the announcements */
  nameOf(item: T): string;
  /** no handles, no dragging (a role that may not edit) */
  disabled?: boolean;
  onReorder(items: T[]): void;
  renderItem(item: T, handle: ReactNode, index: number): ReactNode;
  as?: 'ol' | 'ul' | 'div';
  className?: string;
  itemClassName?: string;
}

export function SortableList<T>({ items, idOf, nameOf, disabled, onReorder, renderItem, as = 'ol', className, itemClassName }: SortableListProps<T>) {
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const ids = items.map(idOf);
  const name = (id: string | number) => {
    const item = items.find((i) => idOf(i) === String(id));
    return item ? nameOf(item) : 'item';
  };
  const position = (id: string | number) => ids.indexOf(String(id)) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}, position ${position(active.id)} of ${ids.length}.`,
    onDragOver: ({ active, over }) => (over ? `${name(active.id)} is over position ${position(over.id)} of ${ids.length}.` : `${name(active.id)} is no longer over the list.`),
    onDragEnd: ({ active, over }) => (over ? `${name(active.id)} dropped at position ${position(over.id)} of ${ids.length}.` : `${name(active.id)} dropped.`),
    onDragCancel: ({ active }) => `Moving ${name(active.id)} was cancelled.`,
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    onReorder(arrayMove(items, ids.indexOf(String(active.id)), ids.indexOf(String(over.id))));
  };
  const List = as;
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCorners}
      onDragEnd={onDragEnd}
      accessibility={{
        announcements,
        screenReaderInstructions: { draggable: 'To move this item, press Space. While moving, use the arrow keys, then Space to drop it or Escape to cancel.' },
      }}
    >
      <SortableContext items={ids} strategy={verticalListSortingStrategy} disabled={disabled}>
        <List className={className}>
          {items.map((item, i) => (
            <SortableItem key={idOf(item)} id={idOf(item)} name={nameOf(item)} disabled={disabled} className={itemClassName} as={as === 'div' ? 'div' : 'li'}>
              {(handle) => renderItem(item, handle, i)}
            </SortableItem>
          ))}
        </List>
      </SortableContext>
    </DndContext>
  );
}

function SortableItem({ id, name, disabled, className, as, children }: { id: string; name: string; disabled?: boolean; className?: string; as: 'li' | 'div'; children(handle: ReactNode): ReactNode }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id, disabled });
  const Item = as;
  const handle = disabled ? null : (
    <button type="button" className="drag-handle" ref={setActivatorNodeRef} {...attributes} {...listeners} aria-label={`Move ${name}`} title="Drag, or press Space and use the arrow keys">
      <span aria-hidden="true">⠿</span>
    </button>
  );
  return (
    <Item ref={setNodeRef} className={`${className ?? ''}${isDragging ? ' dragging' : ''}`} style={{ transform: CSS.Translate.toString(transform), transition }} data-sortable-id={id}>
      {children(handle)}
    </Item>
  );
}
