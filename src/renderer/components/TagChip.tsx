import { tagKey, type TagColour, type TagDefinition } from '../../sync/model/settings.ts';

/** The colour of a tag in the merchant's catalogue; a tag the catalogue does not list is grey. */
export function tagColour(catalogue: readonly TagDefinition[], name: string): TagColour | null {
  const key = tagKey(name);
  return catalogue.find((tag) => tagKey(tag.name) === key)?.colour ?? null;
}

/**
 * A tag as a coloured chip (palette classes only, never a colour value from data), isolated so a Latin tag
 * among Persian ones (or a number at its edge) keeps its own order.
 */
export function TagChip({ name, colour }: { name: string; colour: TagColour | null }) {
  return (
    <bdi className={`tag-chip tag-${colour ?? 'unknown'}`} data-tag={name}>
      {name}
    </bdi>
  );
}

/** A customer's tags as chips, coloured from the catalogue; tags it does not list still show. */
export function TagChips({ tags, catalogue }: { tags: readonly string[]; catalogue: readonly TagDefinition[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="badges tag-chips">
      {tags.map((tag) => (
        <li key={tag}>
          <TagChip name={tag} colour={tagColour(catalogue, tag)} />
        </li>
      ))}
    </ul>
  );
}
