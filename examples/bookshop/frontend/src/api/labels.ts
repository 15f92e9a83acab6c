/** Display helpers over the contract's enums and shapes. */
import type { Genre, Money$Output as MoneyOutput } from "./types";

/** The shelves in menu order; `Record<Genre, …>` makes the compiler insist on every genre. */
const GENRE_ORDER: Record<Genre, number> = {
  fiction: 1,
  fantasy: 2,
  science_fiction: 3,
  mystery: 4,
  biography: 5,
  history: 6,
  science: 7,
  children: 8,
  poetry: 9,
};
export const GENRES = (Object.keys(GENRE_ORDER) as Genre[]).sort(
  (a, b) => GENRE_ORDER[a] - GENRE_ORDER[b],
);

/** Every genre the contract knows; a genre added to the contract fails the type-check here. */
export function genreLabel(genre: Genre): string {
  switch (genre) {
    case "fiction":
      return "Fiction";
    case "fantasy":
      return "Fantasy";
    case "science_fiction":
      return "Science fiction";
    case "mystery":
      return "Mystery";
    case "biography":
      return "Biography";
    case "history":
      return "History";
    case "science":
      return "Science";
    case "children":
      return "Children";
    case "poetry":
      return "Poetry";
    default: {
      const _never: never = genre;
      throw new Error(`unknown genre ${String(_never)}`);
    }
  }
}

export function formatPrice(price: MoneyOutput): string {
  return new Intl.NumberFormat("en", { style: "currency", currency: price.currency }).format(
    Number(price.amount),
  );
}

/** "Ursula K. Le Guin" → "UL". */
export function initials(name: string): string {
  const words = name.split(/\s+/).filter((w) => /^[A-Za-z]/.test(w));
  const first = words[0]?.[0] ?? "?";
  const last = words.length > 1 ? words[words.length - 1][0] : "";
  return (first + last).toUpperCase();
}
