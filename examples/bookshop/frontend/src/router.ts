import { createRouter, createWebHistory } from "vue-router";
import AuthorPage from "./views/AuthorPage.vue";
import BookList from "./views/BookList.vue";
import BookPage from "./views/BookPage.vue";
import NewBook from "./views/NewBook.vue";

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", name: "books", component: BookList },
    { path: "/books/new", name: "new-book", component: NewBook },
    { path: "/books/:id(\\d+)", name: "book", component: BookPage, props: (r) => ({ id: Number(r.params.id) }) },
    { path: "/authors/:id(\\d+)", name: "author", component: AuthorPage, props: (r) => ({ id: Number(r.params.id) }) },
  ],
});
