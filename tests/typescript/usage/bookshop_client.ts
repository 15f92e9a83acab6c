// Type-checked (never run) against the types contractsync generates for the example app
// (examples/bookshop/v1). Each `@ts-expect-error` line must be an error: if the generated types
// stopped catching the mistake, tsc would report the directive as unused and the test fails.
import createClient from "openapi-fetch";
import type { components, paths } from "./types";
import type { Book$Input as BookInput, Book$Output as BookOutput, Genre } from "./types";

const client = createClient<paths>({ baseUrl: "http://localhost:8000" });

export async function listBooks(): Promise<string[]> {
  const { data, error } = await client.GET("/books", {
    params: { query: { limit: 10, genre: "fantasy" } },
  });
  if (error) {
    return [];
  }
  return data.items.map((book) => book.title);
}

export async function wrongQueryParameter(): Promise<void> {
  await client.GET("/books", {
    // @ts-expect-error `limits` is not a query parameter of GET /books
    params: { query: { limits: 10 } },
  });
}

export async function wrongParameterType(): Promise<void> {
  await client.GET("/books/{book_id}", {
    // @ts-expect-error book_id is an integer path parameter
    params: { path: { book_id: "one" } },
  });
}

export async function missingPathParameter(): Promise<void> {
  // @ts-expect-error the path parameter book_id is required
  await client.GET("/books/{book_id}", { params: { path: {} } });
}

const newBook: BookInput = {
  // Defaulted fields (in_stock, tags, formats, price.currency) are left out on purpose: FastAPI
  // fills them in, so a request may omit them. openapi-typescript makes them required.
  title: "The Dispossessed",
  isbn: "9780060512750",
  author: { id: 1 },
  genre: "science_fiction",
  price: { amount: "9.99" },
};

export async function createBook(): Promise<number | null | undefined> {
  const { data } = await client.POST("/books", { body: newBook });
  // Defaulted fields are always present in what the server returns.
  const inStock: boolean = data ? data.in_stock : false;
  void inStock;
  return data?.id;
}

export async function missingRequiredBodyField(): Promise<void> {
  await client.POST("/books", {
    // @ts-expect-error `isbn` is required in the request body
    body: { title: "No ISBN", author: { id: 1 }, genre: "poetry", price: { amount: 1 } },
  });
}

export async function formatNeedsItsTag(): Promise<void> {
  await client.POST("/books", {
    body: {
      ...newBook,
      // @ts-expect-error each format is a discriminated union member: `kind` must be sent
      formats: [{ pages: 320 }],
    },
  });
  await client.POST("/books", { body: { ...newBook, formats: [{ kind: "paperback", pages: 320 }] } });
}

export function formatLabel(book: BookOutput): string[] {
  return (book.formats ?? []).map((format) =>
    // The tag narrows the union: `pages` exists only on paperbacks.
    format.kind === "paperback" ? `${format.pages} pages` : format.kind,
  );
}

export async function wrongResponseField(): Promise<void> {
  const { data } = await client.GET("/books/{book_id}", { params: { path: { book_id: 1 } } });
  if (data) {
    // @ts-expect-error Book has no `name` field (it is `title`)
    console.log(data.name);
    const slug: string = data.slug;
    void slug;
  }
}

export async function readOnlyFieldIsReadonly(book: BookOutput): Promise<void> {
  // @ts-expect-error `slug` is computed by the server (readOnly) and cannot be assigned
  book.slug = "x";
}

export async function uploadCover(file: File): Promise<void> {
  // An UploadFile is a Blob (File is one) in the request body, not a string.
  await client.PUT("/books/{book_id}/cover", {
    params: { path: { book_id: 1 } },
    body: { file },
    bodySerializer: (body) => {
      const form = new FormData();
      form.append("file", body.file);
      return form;
    },
  });
}

export async function uploadCoverAsString(): Promise<void> {
  await client.PUT("/books/{book_id}/cover", {
    params: { path: { book_id: 1 } },
    // @ts-expect-error a file upload needs a Blob/File, not a string
    body: { file: "not a file" },
  });
}

export function genreLabel(genre: Genre): string {
  // @ts-expect-error "cooking" is not a Genre
  const wrong: Genre = "cooking";
  void wrong;
  return genre.replace("_", " ");
}

export type ValidationContext = NonNullable<components["schemas"]["ValidationError"]["ctx"]>;
// FastAPI's ValidationError.ctx is a bare object: anything can be assigned to it.
export const ctx: ValidationContext = { limit_value: 3 };
