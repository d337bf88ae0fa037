import { Fragment } from 'react';

/**
 * Free-text items (favourites, allergies, tags) that may mix Persian and Latin, each in its own bidi isolate
 * (`<bdi>`): without it the bidi algorithm lets a Latin item or a figure at an item's edge join its neighbour,
 * so "شیر سویا ×2" and "latte" can read as "×2 latte". Separators stay outside the isolates, in the page's
 * direction.
 */
export function IsolatedList({ items, separator }: { items: readonly string[]; separator: string }) {
  return (
    <>
      {items.map((item, i) => (
        <Fragment key={i}>
          {i > 0 ? separator : null}
          <bdi data-list-item="">{item}</bdi>
        </Fragment>
      ))}
    </>
  );
}
